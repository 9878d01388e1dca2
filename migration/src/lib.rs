//! Schema migrations. The same migrations run on SQLite and PostgreSQL;
//! `timeline migrate` drives them. Steps that write through the service's
//! own code (the seed, backfills) are the service's; it puts these schema
//! steps and its own in order (`src/migrator/mod.rs`).

pub use sea_orm_migration::prelude::*;

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
