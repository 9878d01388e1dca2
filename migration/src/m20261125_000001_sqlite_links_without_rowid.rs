//! On SQLite, the link tables become WITHOUT ROWID tables: a row then lives
//! in its primary-key b-tree alone, instead of in a rowid table plus a
//! primary-key index. Inserting a link touches one b-tree fewer, and a
//! country timeline's walk of `event_countries` reads `last_day` from the
//! key's own b-tree rather than looking each row up. PostgreSQL has no
//! rowids; nothing changes there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each link table: its columns and constraints, and its secondary index.
const TABLES: [(&str, &str, &str); 4] = [
    (
        "event_participants",
        r#""event_id" integer NOT NULL, "position" integer NOT NULL, "participant_id" integer NOT NULL,
           "role" text NULL, PRIMARY KEY ("event_id", "position"),
           FOREIGN KEY ("event_id") REFERENCES "events" ("id") ON DELETE CASCADE,
           FOREIGN KEY ("participant_id") REFERENCES "participants" ("id") ON DELETE RESTRICT"#,
        r#"CREATE INDEX "idx_event_participants_participant" ON "event_participants" ("participant_id", "event_id")"#,
    ),
    (
        "event_sources",
        r#""event_id" integer NOT NULL, "position" integer NOT NULL, "source_id" integer NOT NULL,
           PRIMARY KEY ("event_id", "position"),
           FOREIGN KEY ("event_id") REFERENCES "events" ("id") ON DELETE CASCADE,
           FOREIGN KEY ("source_id") REFERENCES "sources" ("id") ON DELETE RESTRICT"#,
        r#"CREATE INDEX "idx_event_sources_source" ON "event_sources" ("source_id", "event_id")"#,
    ),
    (
        "event_tags",
        r#""event_id" integer NOT NULL, "position" integer NOT NULL, "tag" varchar(64) NOT NULL,
           PRIMARY KEY ("event_id", "position"),
           FOREIGN KEY ("event_id") REFERENCES "events" ("id") ON DELETE CASCADE"#,
        r#"CREATE INDEX "idx_event_tags_tag" ON "event_tags" ("tag", "event_id")"#,
    ),
    (
        "event_countries",
        r#""country" varchar(2) NOT NULL, "start_date" date_text NOT NULL, "event_id" integer NOT NULL,
           "last_day" date_text NOT NULL, PRIMARY KEY ("country", "start_date", "event_id"),
           FOREIGN KEY ("event_id") REFERENCES "events" ("id") ON DELETE CASCADE"#,
        r#"CREATE INDEX "idx_event_countries_event" ON "event_countries" ("event_id")"#,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, "WITHOUT ROWID").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, "").await
    }
}

/// Rebuilds each link table with `options`, keeping its rows.
async fn rebuild(manager: &SchemaManager<'_>, options: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Sqlite {
        return Ok(());
    }
    let db = manager.get_connection();
    for (table, definition, index) in TABLES {
        db.execute_unprepared(&format!(
            r#"CREATE TABLE "{table}_rebuilt" ({definition}) {options};
               INSERT INTO "{table}_rebuilt" SELECT * FROM "{table}";
               DROP TABLE "{table}";
               ALTER TABLE "{table}_rebuilt" RENAME TO "{table}";
               {index};"#
        ))
        .await?;
    }
    Ok(())
}
