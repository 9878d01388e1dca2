//! What the API reads and writes: request bodies and response documents,
//! with the schemas and examples that the OpenAPI spec shows.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{participant, source};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An event with its participants (and their roles), sources and tags, so a
/// timeline widget needs one call.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "key": "2025-10-27-putin-receives-choe-son-hui",
    "kind": "meeting",
    "title": "Putin receives DPRK Foreign Minister Choe Son Hui in the Kremlin",
    "summary": "Vladimir Putin received North Korea's Foreign Minister Choe Son Hui in the Kremlin and passed his best wishes to Kim Jong Un.",
    "start": "2025-10-27", "end": null, "date_precision": "day",
    "location": {"name": "Moscow, the Kremlin", "country": "RU", "lat": 55.752, "lon": 37.617},
    "participants": [
        {"id": 30, "kind": "person", "name": "Vladimir Putin", "country": "RU", "role": "host"},
        {"id": 35, "kind": "person", "name": "Choe Son Hui", "country": "KP", "role": "guest"},
        {"id": 18, "kind": "country", "code": "RU", "name": "Russia", "role": "host"},
        {"id": 29, "kind": "country", "code": "KP", "name": "North Korea", "role": "guest"}],
    "sources": [{"id": 1, "url": "https://news.example.org/2025/11/01/russia-dprk-savelyev/",
        "title": "Замминистра исключил принцип «против кого мы за» в союзе с КНДР",
        "publisher": null, "published_at": "2025-11-01T00:00:00Z", "language": "ru"}],
    "tags": ["diplomacy", "foreign-ministers", "russia", "dprk"],
    "created_at": "2025-11-01T00:00:00Z", "updated_at": "2025-11-01T00:00:00Z"
}))]
pub struct Event {
    /// Stable external id.
    pub key: String,
    pub kind: String,
    pub title: String,
    pub summary: Option<String>,
    /// First day of the period the source gives (`2024-06-01` for "June 2024").
    pub start: NaiveDate,
    /// First day of the last period, when the event spans several.
    pub end: Option<NaiveDate>,
    /// `day`, `month` or `year`: how much of `start` and `end` is known.
    pub date_precision: String,
    pub location: Option<Location>,
    pub participants: Vec<EventParticipant>,
    pub sources: Vec<Source>,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where an event took place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    pub country: Option<String>,
    /// -90..90
    pub lat: Option<f64>,
    /// -180..180
    pub lon: Option<f64>,
}

/// A participant as it takes part in one event.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventParticipant {
    pub id: i64,
    /// `country`, `person` or `organization`.
    pub kind: String,
    pub name: String,
    /// The ISO code, for a country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Nationality of a person, home country of an organization, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// `host`, `guest`, `signatory`, `observer`, …
    pub role: Option<String>,
}

/// A report that backs events.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Source {
    pub id: i64,
    pub url: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// ISO 639-1 code.
    pub language: Option<String>,
}

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

// Three page types rather than one generic: utoipa would copy the item
// schema into a generic page's schema instead of referring to it.

/// A page of a timeline, newest first unless `order=asc`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelinePage {
    pub items: Vec<Event>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A participant with its member countries (organizations) and, when
/// fetched alone, the number of events it takes part in.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "kind": "organization", "name": "ASEAN",
    "members": ["BN", "VN", "ID", "KH", "LA", "MY", "MM", "SG", "TH", "PH"], "event_count": 1}))]
pub struct Participant {
    pub id: i64,
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Member country codes of an organization.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_count: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantPage {
    pub items: Vec<Participant>,
    pub next_cursor: Option<String>,
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

/// A source with the events it backs.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceDetail {
    #[serde(flatten)]
    pub source: Source,
    /// Newest first, at most 500.
    pub events: Vec<EventSummary>,
    /// All events that cite it.
    pub event_count: u64,
}

/// An event named in a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventSummary {
    pub key: String,
    pub kind: String,
    pub title: String,
    pub start: NaiveDate,
    pub date_precision: String,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct SourcePage {
    pub items: Vec<Source>,
    pub next_cursor: Option<String>,
}

/// A country that appears in events (as a participant or as the
/// nationality of a person).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "KP", "name": "North Korea", "event_count": 6}))]
pub struct Country {
    pub code: String,
    pub name: String,
    pub event_count: u64,
}

/// A country participant shows its ISO code as `code`; others show their
/// nationality or home country as `country`.
fn code_and_country(p: &participant::Model) -> (Option<String>, Option<String>) {
    if p.kind == "country" { (p.country.clone(), None) } else { (None, p.country.clone()) }
}

impl EventParticipant {
    pub fn from_row(p: &participant::Model, role: Option<String>) -> EventParticipant {
        let (code, country) = code_and_country(p);
        EventParticipant { id: p.id, kind: p.kind.clone(), name: p.name.clone(), code, country, role }
    }
}

impl Participant {
    pub fn from_row(p: participant::Model, members: Vec<String>, event_count: Option<u64>) -> Participant {
        let (code, country) = code_and_country(&p);
        Participant { id: p.id, kind: p.kind, name: p.name, code, country, members, event_count }
    }
}

impl From<source::Model> for Source {
    fn from(s: source::Model) -> Source {
        Source {
            id: s.id,
            url: s.url,
            title: s.title,
            publisher: s.publisher,
            published_at: s.published_at,
            language: s.language,
        }
    }
}
