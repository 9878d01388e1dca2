//! Full-text search. Each event gets a row in `event_texts`: the stems of
//! its words (title, summary, place, participants, quotes, tags) and its
//! countries, written by the service's one write path, so both databases
//! index the same words. Each database indexes the text its own way, kept
//! in step by the database itself:
//!
//! - SQLite: a contentless FTS5 table filled by triggers, whose rowid is
//!   the event's timeline position (`position`: its earliest day, then its
//!   id). A search in timeline order walks the index in that order and
//!   stops after a page, however common the words; its `countries` column
//!   lets a country filter be one more term of the same walk.
//! - PostgreSQL: a generated `tsvector` (the `simple` configuration, which
//!   only lower-cases) with a GIN index.
//!
//! The rows live apart from `events` so that the rows a timeline page
//! reads stay narrow (wider, PostgreSQL compresses the document).
//! `search_index` records which version of the text pipeline wrote them;
//! 0 means none yet, and the service writes them at start-up.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: [&str; 4] = [
    "CREATE VIRTUAL TABLE event_search USING fts5(text, countries, content='', contentless_delete=1, \
     tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER event_search_insert AFTER INSERT ON event_texts BEGIN \
     INSERT INTO event_search (rowid, text, countries) VALUES (new.position, new.search_text, new.countries); END",
    "CREATE TRIGGER event_search_delete AFTER DELETE ON event_texts BEGIN \
     DELETE FROM event_search WHERE rowid = old.position; END",
    "CREATE TRIGGER event_search_update AFTER UPDATE ON event_texts BEGIN \
     DELETE FROM event_search WHERE rowid = old.position; \
     INSERT INTO event_search (rowid, text, countries) VALUES (new.position, new.search_text, new.countries); END",
];

const POSTGRES_UP: [&str; 2] = [
    "ALTER TABLE event_texts ADD COLUMN search_vector tsvector \
     GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
    "CREATE INDEX idx_event_texts_search ON event_texts USING gin (search_vector)",
];

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EventTexts {
    Table,
    EventId,
    Position,
    SearchText,
    Countries,
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
            .create_table(
                Table::create()
                    .table(EventTexts::Table)
                    .col(ColumnDef::new(EventTexts::EventId).big_integer().not_null().primary_key())
                    .col(ColumnDef::new(EventTexts::Position).big_integer().not_null())
                    .col(ColumnDef::new(EventTexts::SearchText).text().not_null())
                    .col(ColumnDef::new(EventTexts::Countries).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(EventTexts::Table, EventTexts::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
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
        let statements: &[&str] = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => &SQLITE_UP,
            _ => &POSTGRES_UP,
        };
        for sql in statements {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            manager.get_connection().execute_unprepared("DROP TABLE event_search").await?;
        }
        manager.drop_table(Table::drop().table(SearchIndex::Table).to_owned()).await?;
        // Its triggers go with it.
        manager.drop_table(Table::drop().table(EventTexts::Table).to_owned()).await
    }
}
