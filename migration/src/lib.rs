//! Schema migrations. The same migrations run on SQLite and PostgreSQL;
//! `timeline migrate` drives them. Steps that write through the service's
//! own code (the seed, backfills) are the service's; it puts these schema
//! steps and its own in order (`src/migrator/mod.rs`).

pub use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseExecutor;
use sea_orm_migration::sea_orm::sqlx::{self, Connection as _};

pub mod m20251101_000001_schema;
pub mod m20261125_000001_sqlite_links_without_rowid;
pub mod m20261201_000001_dates_and_evidence;
pub mod m20261202_000001_data_version;
pub mod m20261202_000002_api_tokens;
pub mod m20261203_000001_search;
pub mod m20261204_000001_participant_names;
pub mod m20261204_000003_event_counts;
pub mod m20261205_000001_countries_in_search_vector;
pub mod m20261206_000001_more_counts;
pub mod m20261207_000001_partner_counts;
pub mod m20261208_000001_source_url_not_unique;
pub mod m20261209_000001_event_country_partners;
pub mod m20261209_000002_counts_in_their_keys;
pub mod m20261210_000001_line_hashes;
pub mod m20261211_000001_documents_lz4;
pub mod m20261212_000001_search_newest_first;
pub mod m20261212_000002_carried_counts_by_year;
pub mod m20261213_000001_partner_totals;
pub mod m20261214_000001_events_id_hash;
pub mod m20261215_000001_search_vector_written;

/// Creates tables that are read by their primary key alone (kept counts):
/// on SQLite `WITHOUT ROWID`, so the primary key is the table and no
/// rowid is looked up.
pub(crate) async fn create_clustered_tables(manager: &SchemaManager<'_>, tables: &[&str]) -> Result<(), DbErr> {
    let sqlite = manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Sqlite;
    let clustered = if sqlite { " WITHOUT ROWID" } else { "" };
    for table in tables {
        manager.get_connection().execute_unprepared(&format!("{table}{clustered}")).await?;
    }
    Ok(())
}

/// PostgreSQL: `table`'s primary key made again on `key`, with `include`
/// (` INCLUDE (...)`, or nothing) in its leaf entries, so a read of the
/// included columns needs the index alone. PostgreSQL names the key
/// `{table}_pkey`, as the schema's steps created it.
pub(crate) async fn rekey(manager: &SchemaManager<'_>, table: &str, key: &str, include: &str) -> Result<(), DbErr> {
    let sql = format!(
        "ALTER TABLE {table} DROP CONSTRAINT {table}_pkey, ADD CONSTRAINT {table}_pkey PRIMARY KEY ({key}){include}"
    );
    manager.get_connection().execute_unprepared(&sql).await?;
    Ok(())
}

/// Runs `sql`, which rebuilds a table that others refer to, on one SQLite
/// connection the way SQLite documents it: foreign keys off, one
/// transaction, a foreign-key check before the commit, foreign keys on. (A
/// table that others point at with ON DELETE RESTRICT cannot be dropped
/// with foreign keys on, even deferred, and the pragma that turns them off
/// does nothing inside a transaction, so this cannot be a migration's own
/// transaction.)
pub(crate) async fn sqlite_rebuild(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    let DatabaseExecutor::Connection(db) = manager.get_connection() else {
        return Err(DbErr::Migration("this step runs outside a transaction on SQLite".into()));
    };
    let err = |e: sqlx::Error| DbErr::Migration(e.to_string());
    let mut conn = db.get_sqlite_connection_pool().acquire().await.map_err(err)?;
    sqlx::raw_sql("PRAGMA foreign_keys = OFF").execute(&mut *conn).await.map_err(err)?;
    let rebuilt = async {
        let mut txn = conn.begin().await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *txn).await?;
        let broken = sqlx::raw_sql("PRAGMA foreign_key_check").fetch_all(&mut *txn).await?;
        if !broken.is_empty() {
            return Err(sqlx::Error::Protocol(format!("{} row(s) would break a foreign key", broken.len())));
        }
        txn.commit().await
    }
    .await;
    sqlx::raw_sql("PRAGMA foreign_keys = ON").execute(&mut *conn).await.map_err(err)?;
    rebuilt.map_err(err)
}
