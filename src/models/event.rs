//! Events as the API answers them, and the sources they cite.

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

// Three page types rather than one generic: utoipa would copy the item
// schema into a generic page's schema instead of referring to it.

/// A page of a timeline, newest first unless `order=asc`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelinePage {
    pub items: Vec<Event>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
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

/// A country participant shows its ISO code as `code`; others show their
/// nationality or home country as `country`.
pub(super) fn code_and_country(p: &participant::Model) -> (Option<String>, Option<String>) {
    if p.kind == "country" { (p.country.clone(), None) } else { (None, p.country.clone()) }
}

impl EventParticipant {
    pub fn from_row(p: &participant::Model, role: Option<&str>) -> EventParticipant {
        let (code, country) = code_and_country(p);
        let role = role.map(str::to_owned);
        EventParticipant { id: p.id, kind: p.kind.clone(), name: p.name.clone(), code, country, role }
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
