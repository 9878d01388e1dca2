//! PostgreSQL: a hash index of `events` by id, beside the primary key. A
//! timeline page reads each of its 51 documents by id; through the
//! primary key's b-tree (three levels at 1M events) that is four buffers an
//! event, through a hash index two: at 1M, 258 buffers a page became 157,
//! PostgreSQL's CPU a page fell from about 465 to 415 µs, and pages went
//! from about 2,900 to 3,340 a second (bench/README.md). The planner picks
//! it for equality lookups; ranges and order still use the b-tree. SQLite
//! finds a row by its id in the table's own b-tree, so gains nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            let sql = "CREATE INDEX events_id_hash ON events USING hash (id)";
            manager.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager.get_connection().execute_unprepared("DROP INDEX events_id_hash").await?;
        }
        Ok(())
    }
}
