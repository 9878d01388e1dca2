//! Request bodies: events, participants and sources to write.

use super::event::Location;
use serde::Deserialize;
use utoipa::ToSchema;

/// An event to create or replace. Participants and sources are named
/// inline (or by `id`); existing rows are reused, new ones created.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key": "2025-11-05-example-visit",
    "kind": "visit",
    "title": "Russian delegation visits Pyongyang",
    "summary": "An example event.",
    "start": "2025-11", "date_precision": "month",
    "location": {"name": "Pyongyang", "country": "KP", "lat": 39.04, "lon": 125.76},
    "participants": [
        {"kind": "country", "code": "KP", "role": "host"},
        {"kind": "person", "name": "Sergei Lavrov", "country": "RU", "role": "guest"}],
    "sources": [{"url": "https://example.org/news/1", "title": "Example report", "language": "en"}],
    "tags": ["visit", "diplomacy"]
}))]
pub struct EventInput {
    /// 1–64 chars of `A-Za-z0-9._-`. Required on POST; on PUT it may be
    /// omitted and must otherwise equal the key in the path.
    pub key: Option<String>,
    pub kind: String,
    pub title: String,
    pub summary: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub start: String,
    /// Same forms as `start`; not before it.
    pub end: Option<String>,
    /// `day`, `month` or `year`; taken from the form of `start` when omitted.
    pub date_precision: Option<String>,
    pub location: Option<Location>,
    #[serde(default)]
    pub participants: Vec<ParticipantRef>,
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Read-only; accepted and ignored so a fetched event can be sent back.
    #[schema(read_only)]
    pub created_at: Option<serde_json::Value>,
    /// Read-only; accepted and ignored.
    #[schema(read_only)]
    pub updated_at: Option<serde_json::Value>,
}

/// A participant of an event being written: an existing one by `id`, or
/// described by kind + code/name (+ country), matched or created.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantRef {
    pub id: Option<i64>,
    pub kind: Option<String>,
    pub code: Option<String>,
    pub name: Option<String>,
    pub country: Option<String>,
    pub role: Option<String>,
}

/// A source of an event being written: an existing one by `id`, or by `url`
/// (reused when a source with that url exists).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    pub id: Option<i64>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub publisher: Option<String>,
    /// RFC 3339.
    pub published_at: Option<String>,
    /// ISO 639-1.
    pub language: Option<String>,
}

/// A participant to create or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "person", "name": "Choe Son Hui", "country": "KP"}))]
pub struct ParticipantInput {
    /// `country`, `person` or `organization`.
    pub kind: String,
    /// Required for persons and organizations; a country defaults to its ISO name.
    pub name: Option<String>,
    /// ISO code of a country participant.
    pub code: Option<String>,
    /// Nationality (person) or home country (organization).
    pub country: Option<String>,
    /// Member country codes of an organization.
    #[serde(default)]
    pub members: Vec<String>,
}

/// A source to create or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://example.org/news/1", "title": "Example report",
    "publisher": "Example News", "published_at": "2025-11-01T09:30:00Z", "language": "en"}))]
pub struct SourceInput {
    pub url: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    /// RFC 3339.
    pub published_at: Option<String>,
    /// ISO 639-1.
    pub language: Option<String>,
}
