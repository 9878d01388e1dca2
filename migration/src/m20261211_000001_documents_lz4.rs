//! PostgreSQL: event documents compressed with LZ4 rather than pglz. A
//! third of the documents are large enough to be compressed, and reading a
//! timeline page decompresses each: pglz took 6 % of PostgreSQL's time
//! serving pages, and with LZ4 a page cost PostgreSQL about 7 % less CPU
//! (bench/README.md). Documents already stored keep pglz until rewritten.
//! A server built without LZ4 keeps pglz. SQLite stores documents as they
//! are.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Sets the document column's compression, unless the server cannot.
fn compression(method: &str) -> String {
    format!(
        "DO $$ BEGIN \
           ALTER TABLE events ALTER COLUMN document SET COMPRESSION {method}; \
         EXCEPTION WHEN feature_not_supported THEN \
           RAISE NOTICE 'this PostgreSQL has no % compression; documents keep the default', '{method}'; \
         END $$"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager.get_connection().execute_unprepared(&compression("lz4")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager.get_connection().execute_unprepared(&compression("default")).await?;
        }
        Ok(())
    }
}
