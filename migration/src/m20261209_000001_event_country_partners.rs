//! `event_countries.partners`: each row carries the event's other
//! countries. A country's relations walk its timeline to find each
//! partner's latest shared event; that walk looked up every event's
//! countries by event id (500 lookups, 2,000 buffers on PostgreSQL at 1M)
//! and is now one range of the primary key. On PostgreSQL the key's index
//! includes the column, so the walk reads the index alone.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ADD: &str = "ALTER TABLE event_countries ADD COLUMN partners TEXT NOT NULL DEFAULT ''";

const FILL_SQLITE: &str = "UPDATE event_countries SET partners = COALESCE((\
     SELECT group_concat(o.country, ' ' ORDER BY o.country) FROM event_countries o \
     WHERE o.event_id = event_countries.event_id AND o.country <> event_countries.country), '')";

const FILL_POSTGRES: &str = "UPDATE event_countries e SET partners = o.partners FROM (\
     SELECT a.event_id, a.country, string_agg(b.country, ' ' ORDER BY b.country) AS partners \
     FROM event_countries a JOIN event_countries b ON b.event_id = a.event_id AND b.country <> a.country \
     GROUP BY a.event_id, a.country) o WHERE e.event_id = o.event_id AND e.country = o.country";

/// `event_countries`' primary key.
const KEY: &str = "country, start_date, event_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(ADD).await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(FILL_POSTGRES).await?;
            crate::rekey(manager, "event_countries", KEY, " INCLUDE (partners)").await?;
        } else {
            db.execute_unprepared(FILL_SQLITE).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            crate::rekey(manager, "event_countries", KEY, "").await?;
        }
        db.execute_unprepared("ALTER TABLE event_countries DROP COLUMN partners").await?;
        Ok(())
    }
}
