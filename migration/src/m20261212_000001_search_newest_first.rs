//! SQLite: the search index keeps each event under its timeline position
//! negated, so that newest first, a timeline's default order, is FTS5's
//! forward walk. Walking backward, FTS5 decodes each leaf page once to
//! find where its entries begin and again to step back through them: a
//! search page with a country took 20 % more of the server's CPU newest
//! first than oldest first at 1M events (bench/README.md). The triggers
//! that feed the index from `event_texts` write the new rowids, and the
//! index is filled again. PostgreSQL's GIN index has no order: nothing
//! changes there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The three triggers and the refill, with `rowid` the position or its
/// negation (`-`).
fn sqlite(sign: &str) -> String {
    format!(
        "DROP TRIGGER event_search_insert; DROP TRIGGER event_search_delete; DROP TRIGGER event_search_update; \
         CREATE TRIGGER event_search_insert AFTER INSERT ON event_texts BEGIN \
         INSERT INTO event_search (rowid, text, countries) VALUES ({sign}new.position, new.search_text, new.countries); END; \
         CREATE TRIGGER event_search_delete AFTER DELETE ON event_texts BEGIN \
         DELETE FROM event_search WHERE rowid = {sign}old.position; END; \
         CREATE TRIGGER event_search_update AFTER UPDATE ON event_texts BEGIN \
         DELETE FROM event_search WHERE rowid = {sign}old.position; \
         INSERT INTO event_search (rowid, text, countries) VALUES ({sign}new.position, new.search_text, new.countries); END; \
         INSERT INTO event_search (event_search) VALUES ('delete-all'); \
         INSERT INTO event_search (rowid, text, countries) \
         SELECT {sign}position, search_text, countries FROM event_texts ORDER BY {sign}position; \
         INSERT INTO event_search (event_search) VALUES ('optimize')"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            manager.get_connection().execute_unprepared(&sqlite("-")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            manager.get_connection().execute_unprepared(&sqlite("")).await?;
        }
        Ok(())
    }
}
