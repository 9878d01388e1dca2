//! `sources.url` loses its own unique index. A source's `identity` is its
//! url when it has one (its title, publisher and date, as a JSON array,
//! when not), and `identity` is unique, so the url's index kept the same
//! rule twice. It cost an import a second insert at a random place in a
//! b-tree for every source (1.6 million at 1M events, ~180 MB of index).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `sources` on SQLite, its url unique or not.
fn sqlite_sources(url: &str) -> String {
    format!(
        r#"CREATE TABLE "sources_rebuilt" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, {url},
        "title" text NULL, "publisher" text NULL, "published_at" timestamp_with_timezone_text NULL,
        "language" varchar(8) NULL, "identity" text NOT NULL DEFAULT '', "published" text NULL);
        INSERT INTO "sources_rebuilt" ("id", "url", "title", "publisher", "published_at", "language", "identity",
            "published")
            SELECT "id", "url", "title", "publisher", "published_at", "language", "identity", "published" FROM "sources";
        DROP TABLE "sources";
        ALTER TABLE "sources_rebuilt" RENAME TO "sources";
        CREATE UNIQUE INDEX "idx_sources_identity" ON "sources" ("identity");"#
    )
}

/// Drops the unique constraint on `sources.url` whatever PostgreSQL named it.
const POSTGRES_UP: &str = r#"DO $$
DECLARE constraint_name text;
BEGIN
    SELECT conname INTO constraint_name FROM pg_constraint
        WHERE conrelid = 'sources'::regclass AND contype = 'u'
        AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = 'sources'::regclass AND attname = 'url')];
    IF constraint_name IS NOT NULL THEN
        EXECUTE format('ALTER TABLE sources DROP CONSTRAINT %I', constraint_name);
    END IF;
END $$"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            return crate::sqlite_rebuild(manager, &sqlite_sources(r#""url" text NULL"#)).await;
        }
        manager.get_connection().execute_unprepared(POSTGRES_UP).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            return crate::sqlite_rebuild(manager, &sqlite_sources(r#""url" text NULL UNIQUE"#)).await;
        }
        manager
            .get_connection()
            .execute_unprepared(r#"ALTER TABLE sources ADD CONSTRAINT sources_url_key UNIQUE (url)"#)
            .await?;
        Ok(())
    }
}
