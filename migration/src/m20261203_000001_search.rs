//! Full-text search. Every event gets `search_text`: the stems of its words
//! (title, summary, place, participants, tags), written by the service's
//! one write path, so both databases index the same words. Each database
//! indexes that column its own way, kept in step by the database itself:
//!
//! - SQLite: a contentless FTS5 table whose rowid is the event's timeline
//!   position (its earliest day, then its id), filled by triggers. A
//!   search in timeline order then walks the index in that order and stops
//!   after a page, however common the words.
//! - PostgreSQL: a generated `tsvector` column (the `simple` configuration,
//!   which only lower-cases) with a GIN index.
//!
//! `search_index` records which version of the text pipeline wrote the
//! column; 0 means not yet written, and the service writes it at start-up.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The FTS5 rowid of an event: its earliest day (as SQLite's Julian day
/// number) times 2^40, plus its id. Years 0001–9999 and ids below 2^40 fit.
pub const SQLITE_POSITION: &str = "CAST(julianday({row}.start_date) AS INTEGER) * 1099511627776 + {row}.id";

const SQLITE_UP: [&str; 4] = [
    "CREATE VIRTUAL TABLE event_search USING fts5(text, content='', contentless_delete=1, \
     tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER event_search_insert AFTER INSERT ON events BEGIN \
     INSERT INTO event_search (rowid, text) VALUES ({new}, new.search_text); END",
    "CREATE TRIGGER event_search_delete AFTER DELETE ON events BEGIN \
     DELETE FROM event_search WHERE rowid = {old}; END",
    "CREATE TRIGGER event_search_update AFTER UPDATE OF start_date, search_text ON events BEGIN \
     DELETE FROM event_search WHERE rowid = {old}; \
     INSERT INTO event_search (rowid, text) VALUES ({new}, new.search_text); END",
];

const POSTGRES_UP: [&str; 2] = [
    "ALTER TABLE events ADD COLUMN search_vector tsvector \
     GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
    "CREATE INDEX idx_events_search ON events USING gin (search_vector)",
];

#[derive(DeriveIden)]
enum Events {
    Table,
    SearchText,
}

#[derive(DeriveIden)]
enum SearchIndex {
    Table,
    Id,
    Pipeline,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    .add_column(ColumnDef::new(Events::SearchText).text().not_null().default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SearchIndex::Table)
                    .col(ColumnDef::new(SearchIndex::Id).integer().not_null().primary_key())
                    .col(ColumnDef::new(SearchIndex::Pipeline).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(SearchIndex::Table)
                    .columns([SearchIndex::Id, SearchIndex::Pipeline])
                    .values_panic([1.into(), 0.into()])
                    .to_owned(),
            )
            .await?;
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                let new = SQLITE_POSITION.replace("{row}", "new");
                let old = SQLITE_POSITION.replace("{row}", "old");
                for sql in SQLITE_UP {
                    conn.execute_unprepared(&sql.replace("{new}", &new).replace("{old}", &old)).await?;
                }
            }
            _ => {
                for sql in POSTGRES_UP {
                    conn.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for sql in [
                    "DROP TRIGGER event_search_insert",
                    "DROP TRIGGER event_search_delete",
                    "DROP TRIGGER event_search_update",
                    "DROP TABLE event_search",
                ] {
                    conn.execute_unprepared(sql).await?;
                }
            }
            _ => conn.execute_unprepared("ALTER TABLE events DROP COLUMN search_vector").await.map(|_| ())?,
        }
        manager.drop_table(Table::drop().table(SearchIndex::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Events::Table).drop_column(Events::SearchText).to_owned()).await
    }
}
