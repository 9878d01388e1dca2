//! PostgreSQL: each event's countries join the words of its search vector,
//! as `cc` and the code (`ccru`), so that a search in a country's timeline
//! is one lookup in the GIN index (the words and the country together)
//! rather than a walk of the country's timeline testing each event's words.
//! SQLite's index has them already, in a column of its own.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) const VECTOR: &str =
    "to_tsvector('simple', search_text || ' ' || regexp_replace(countries, '(\\S+)', 'cc\\1', 'g'))";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        vector(manager, VECTOR).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        vector(manager, "to_tsvector('simple', search_text)").await
    }
}

/// Makes `search_vector` (and its index) this expression of the row.
pub(crate) async fn vector(manager: &SchemaManager<'_>, expression: &str) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    conn.execute_unprepared("DROP INDEX idx_event_texts_search").await?;
    conn.execute_unprepared("ALTER TABLE event_texts DROP COLUMN search_vector").await?;
    conn.execute_unprepared(&format!(
        "ALTER TABLE event_texts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED"
    ))
    .await?;
    conn.execute_unprepared("CREATE INDEX idx_event_texts_search ON event_texts USING gin (search_vector)").await?;
    Ok(())
}
