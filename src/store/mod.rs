//! The write path: every change to events, participants and sources goes
//! through here, each as one transaction, so a failed write leaves nothing
//! behind and the derived columns (`event_countries`, documents) always
//! match the rows they derive from.

mod batch_store;
mod catalog;
mod documents;
mod events;
mod pg_batch;
mod sqlite_batch;

pub use catalog::*;
pub use documents::{render_missing_documents, rerender};
pub use events::write_events;
pub use sqlite_batch::SqliteImport;

use crate::db::Db;
use crate::error::ApiError;
use crate::validate::NewEvent;
use entity::event;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, SqlErr};

/// Whether a write may replace an existing row.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    CreateOnly,
    CreateOrReplace,
}

/// What a batch of event writes did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct WriteCounts {
    /// Events that did not exist.
    pub created: u64,
    /// Existing events whose content changed.
    pub updated: u64,
    /// Existing events written again with the same content, left alone.
    pub unchanged: u64,
    /// Participants created because no existing one matched.
    pub participants_created: u64,
    /// Sources created because no existing one had the url.
    pub sources_created: u64,
}

impl WriteCounts {
    pub fn add(&mut self, other: WriteCounts) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.participants_created += other.participants_created;
        self.sources_created += other.sources_created;
    }
}

/// The most bind parameters one statement may carry (SQLite's limit is
/// 32,766, PostgreSQL's 65,535).
pub(crate) const MAX_BINDS: usize = 12_000;

/// Writes one event in a transaction of its own.
pub async fn save_event(db: &Db, new: NewEvent, mode: Mode) -> Result<WriteCounts, ApiError> {
    let write = db.begin_write().await?;
    let counts = write_events(&write.txn, vec![new], mode).await?;
    write.commit().await?;
    Ok(counts)
}

pub async fn delete_event(db: &Db, key: &str) -> Result<(), ApiError> {
    let write = db.begin_write().await?;
    let result = event::Entity::delete_many().filter(event::Column::Key.eq(key)).exec(&write.txn).await?;
    if result.rows_affected == 0 {
        return Err(ApiError::NotFound(format!("no event with key '{key}'")));
    }
    write.commit().await?;
    Ok(())
}

/// A unique violation that a concurrent writer caused becomes a 409.
pub(crate) fn unique_to_conflict(err: DbErr, field: &str, detail: &str) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::conflict(Some(field), detail),
        _ => ApiError::Database(err),
    }
}
