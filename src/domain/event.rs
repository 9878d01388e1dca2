//! An event ready to be written, and its content digest.

use super::dates::Precision;
use super::participant::NewParticipant;
use crate::models::Location;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub const EVENT_KINDS: [&str; 11] = [
    "meeting",
    "summit",
    "treaty",
    "agreement",
    "visit",
    "statement",
    "exercise",
    "conference",
    "election",
    "sanction",
    "other",
];

/// An event that passed every check, ready for the write path.
#[derive(Debug, Serialize)]
pub struct NewEvent {
    pub key: String,
    pub kind: String,
    pub title: String,
    pub summary: Option<String>,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    #[serde(serialize_with = "precision_name")]
    pub precision: Precision,
    pub last_day: NaiveDate,
    pub location: Option<Location>,
    pub participants: Vec<(ParticipantSpec, Option<String>)>,
    pub sources: Vec<SourceSpec>,
    pub tags: Vec<String>,
    /// A digest of all of the above: a write of the same content changes
    /// nothing. Computed when the event is checked, so bulk import digests
    /// lines on its reading thread rather than its writing one.
    #[serde(skip)]
    pub content_hash: String,
}

impl NewEvent {
    /// Sets `content_hash` from the rest.
    pub fn seal(mut self) -> NewEvent {
        use sha2::Digest;
        let bytes = serde_json::to_vec(&self).unwrap_or_default();
        self.content_hash = format!("{:x}", sha2::Sha256::digest(&bytes));
        self
    }
}

/// A participant of an event being written: an existing one, or one to
/// match by identity or create.
#[derive(Debug, Clone, Serialize)]
pub enum ParticipantSpec {
    Existing(i64),
    Described(NewParticipant),
}

/// A source of an event being written: an existing one, or one to match by
/// url or create.
#[derive(Debug, Clone, Serialize)]
pub enum SourceSpec {
    Existing(i64),
    Described(NewSource),
}

#[derive(Debug, Clone, Serialize)]
pub struct NewSource {
    pub url: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub language: Option<String>,
}

fn precision_name<S: serde::Serializer>(p: &Precision, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.as_str())
}
