//! Uncertain dates, sources without a url, and the evidence an event rests
//! on: new columns only. The service's next step fills them for rows
//! written before (it reads the first API's date columns and renders every
//! document anew, which needs the service's own code).
//!
//! - `events.date_edtf`: the event's date in EDTF, the one truth about it;
//!   `known_precision` (how finely it is known, for the `precision=` filter;
//!   `precision` alone is a keyword in PostgreSQL),
//!   `date_text` (the source's words) and `date_basis` (how the date was
//!   worked out). `start_date` / `last_day` stay the earliest and latest
//!   day, which every timeline plan scans; `end_date` / `date_precision`
//!   keep the first API's view.
//! - `sources.url` may be empty; `identity` (the url, or title, publisher
//!   and date) is what is unique now; `published` is a date or a date-time
//!   as finely as known (`published_at` keeps the time, when there is one).
//! - `event_sources.quote` and `note`: the passage an event rests on, and
//!   a word about it (`quoting Interfax`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NEW_COLUMNS: &str = r#"
    ALTER TABLE "events" ADD COLUMN "date_edtf" text NOT NULL DEFAULT '';
    ALTER TABLE "events" ADD COLUMN "known_precision" varchar(16) NOT NULL DEFAULT '';
    ALTER TABLE "events" ADD COLUMN "date_text" text NULL;
    ALTER TABLE "events" ADD COLUMN "date_basis" text NULL;
    ALTER TABLE "event_sources" ADD COLUMN "quote" text NULL;
    ALTER TABLE "event_sources" ADD COLUMN "note" text NULL;"#;

const DROP_NEW_COLUMNS: &str = r#"
    ALTER TABLE "event_sources" DROP COLUMN "note";
    ALTER TABLE "event_sources" DROP COLUMN "quote";
    ALTER TABLE "events" DROP COLUMN "date_basis";
    ALTER TABLE "events" DROP COLUMN "date_text";
    ALTER TABLE "events" DROP COLUMN "known_precision";
    ALTER TABLE "events" DROP COLUMN "date_edtf";"#;

/// `sources` on SQLite, less the new columns.
const SQLITE_SOURCES: &str = r#""id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "url" text NULL UNIQUE,
    "title" text NULL, "publisher" text NULL, "published_at" timestamp_with_timezone_text NULL,
    "language" varchar(8) NULL"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let index = r#"CREATE UNIQUE INDEX "idx_sources_identity" ON "sources" ("identity");"#;
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            return crate::sqlite_rebuild(
                manager,
                &format!(
                    r#"{NEW_COLUMNS}
                    CREATE TABLE "sources_rebuilt" ({SQLITE_SOURCES}, "identity" text NOT NULL DEFAULT '',
                        "published" text NULL);
                    INSERT INTO "sources_rebuilt" SELECT *, "url", NULL FROM "sources";
                    DROP TABLE "sources";
                    ALTER TABLE "sources_rebuilt" RENAME TO "sources";
                    {index}"#
                ),
            )
            .await;
        }
        manager
            .get_connection()
            .execute_unprepared(&format!(
                r#"{NEW_COLUMNS}
                ALTER TABLE "sources" ALTER COLUMN "url" DROP NOT NULL;
                ALTER TABLE "sources" ADD COLUMN "identity" text NOT NULL DEFAULT '';
                ALTER TABLE "sources" ADD COLUMN "published" text NULL;
                UPDATE "sources" SET "identity" = "url";
                {index}"#
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let without_url = db
            .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
                manager.get_database_backend(),
                r#"SELECT COUNT(*) FROM "sources" WHERE "url" IS NULL"#,
            ))
            .await?
            .map(|row| row.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0);
        if without_url > 0 {
            return Err(DbErr::Migration(format!(
                "{without_url} source(s) have no url, which the older schema cannot hold; give them one or delete them first"
            )));
        }
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            let old = SQLITE_SOURCES.replace(r#""url" text NULL UNIQUE"#, r#""url" text NOT NULL UNIQUE"#);
            return crate::sqlite_rebuild(
                manager,
                &format!(
                    r#"DROP INDEX "idx_sources_identity";
                    CREATE TABLE "sources_rebuilt" ({old});
                    INSERT INTO "sources_rebuilt"
                        SELECT "id", "url", "title", "publisher", "published_at", "language" FROM "sources";
                    DROP TABLE "sources";
                    ALTER TABLE "sources_rebuilt" RENAME TO "sources";
                    {DROP_NEW_COLUMNS}"#
                ),
            )
            .await;
        }
        db.execute_unprepared(&format!(
            r#"DROP INDEX "idx_sources_identity";
            ALTER TABLE "sources" DROP COLUMN "identity";
            ALTER TABLE "sources" DROP COLUMN "published";
            ALTER TABLE "sources" ALTER COLUMN "url" SET NOT NULL;
            {DROP_NEW_COLUMNS}"#
        ))
        .await?;
        Ok(())
    }
}
