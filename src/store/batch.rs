//! What every part of the write path shares: the statements a batch write
//! runs (`BatchStore`, behind which each backend has its own), the rows they
//! take, and what a write did.

use crate::db::is_unique_violation;
use crate::error::ApiError;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{event, event_country, event_participant, event_source, event_tag, event_text, participant, source};
use sea_orm::DbErr;
use std::collections::HashMap;

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
    /// Sources created because no existing one had the url (or, without
    /// one, the title, publisher and date).
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
pub const MAX_BINDS: usize = 12_000;

/// What the database holds of an event that a batch writes again.
pub struct Stored {
    pub id: i64,
    pub content_hash: String,
    pub created_at: DateTime<Utc>,
    /// What the kept counts hold of it besides its links (`counts::Counted`).
    pub kind: String,
    pub start_date: NaiveDate,
    pub last_day: NaiveDate,
    pub precision: String,
}

/// The columns `Stored` reads, after the key, in its fields' order.
pub const STORED_COLUMNS: &str = "id, content_hash, created_at, kind, start_date, last_day, known_precision";

/// The participant, source, tag, country and search-text rows of written
/// events.
#[derive(Default)]
pub struct Links {
    pub participants: Vec<event_participant::Model>,
    pub sources: Vec<event_source::Model>,
    pub tags: Vec<event_tag::Model>,
    pub countries: Vec<event_country::Model>,
    pub texts: Vec<event_text::Model>,
    /// What the events add to the kept counts.
    pub counts: super::counts::Deltas,
}

/// The columns of `participants` and `sources`, in their models' order,
/// for the backends that read rows by position.
pub const PARTICIPANT_COLUMNS: &str = "id, kind, name, country, identity, folded, search_names";
pub const SOURCE_COLUMNS: &str = "id, url, title, publisher, published_at, language, identity, published";

/// The tables of an event's derived rows, each keyed by `event_id`, in the
/// order of `Links`' fields: what rewriting an event may delete. The first
/// three are keyed by `(event_id, position)` too.
pub const LINK_TABLES: [&str; 5] =
    ["event_participants", "event_sources", "event_tags", "event_countries", "event_texts"];

/// The statements of a batch write, so that the rules in `events.rs` are
/// written once: `SeaOrmBatch` (multi-row statements on a SeaORM
/// connection), `PgBatch` (one JSON parameter per table on PostgreSQL) and
/// `SqliteBatch` (prepared rusqlite statements, for bulk import into SQLite).
/// Rows passed in carry `id: 0`; inserts return them with their new ids.
pub trait BatchStore {
    async fn stored_events(&mut self, keys: &[String]) -> Result<HashMap<String, Stored>, DbErr>;
    async fn participants_by_id(&mut self, ids: &[i64]) -> Result<Vec<participant::Model>, DbErr>;
    async fn participants_by_identity(&mut self, identities: &[String]) -> Result<Vec<participant::Model>, DbErr>;
    async fn insert_participants(&mut self, rows: Vec<participant::Model>) -> Result<Vec<participant::Model>, DbErr>;
    async fn sources_by_id(&mut self, ids: &[i64]) -> Result<Vec<source::Model>, DbErr>;
    async fn sources_by_identity(&mut self, identities: &[String]) -> Result<Vec<source::Model>, DbErr>;
    async fn insert_sources(&mut self, rows: Vec<source::Model>) -> Result<Vec<source::Model>, DbErr>;
    /// Replaces every column but `created_at` of each row's event.
    async fn update_events(&mut self, rows: &[event::Model]) -> Result<(), DbErr>;
    /// The new ids, in the order of `rows`.
    async fn insert_events(&mut self, rows: Vec<event::Model>) -> Result<Vec<i64>, DbErr>;
    /// The derived rows of these events as they are stored (no counts).
    async fn stored_links(&mut self, event_ids: &[i64]) -> Result<Links, DbErr>;
    /// Deletes these events' rows of one of `LINK_TABLES`.
    async fn delete_links(&mut self, table: &str, event_ids: &[i64]) -> Result<(), DbErr>;
    /// Deletes the rows at these keys (event, position) of one of the first
    /// three of `LINK_TABLES`.
    async fn delete_positions(&mut self, table: &str, keys: &[(i64, i32)]) -> Result<(), DbErr>;
    /// Inserts the rows and adds the counts.
    async fn insert_links(&mut self, links: Links) -> Result<(), DbErr>;
}

/// A unique violation that a concurrent writer caused becomes a 409.
pub fn unique_to_conflict(err: DbErr, field: &str, detail: &str) -> ApiError {
    if is_unique_violation(&err) { ApiError::conflict(Some(field), detail) } else { ApiError::Database(err) }
}
