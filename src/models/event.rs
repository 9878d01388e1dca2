//! Events as the API answers them, and the sources they cite.

use crate::domain::dates::{EventDate, Legacy, Precision, Qualifier};
use crate::error::ApiError;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{event, participant, source};
use sea_orm::DbErr;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An event with its participants (and their roles), sources (and the
/// passages it rests on) and tags, so a timeline widget needs one call.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "key": "2025-10-kim-jong-un-friendship-at-peak",
    "kind": "statement",
    "title": "Kim Jong Un: Russian–Korean friendship is at its peak",
    "summary": "The DPRK leader said that Russian–Korean friendship is at its peak.",
    "date": "[2025-10-20..2025-10-26]",
    "earliest": "2025-10-20", "latest": "2025-10-26", "lasted": false,
    "precision": "week", "qualifier": "exact",
    "date_text": "на прошлой неделе",
    "date_basis": "the week before the article's date, Saturday 2025-11-01",
    "display_date": "the week of 20–26 October 2025",
    "start": "2025-10-01", "end": null, "date_precision": "month",
    "location": null,
    "participants": [
        {"id": 7, "kind": "person", "name": "Kim Jong Un", "country": "KP", "role": "speaker"},
        {"id": 29, "kind": "country", "code": "KP", "name": "North Korea", "role": "subject"}],
    "sources": [{"id": 1, "url": null,
        "title": "Замминистра исключил принцип «против кого мы за» в союзе с КНДР",
        "publisher": null, "published": "2025-11-01", "published_at": null, "language": "ru",
        "quote": "На прошлой неделе лидер КНДР заявил, что российско-корейская дружба находится на пике.",
        "note": null}],
    "tags": ["statement", "russia", "dprk"],
    "created_at": "2025-11-01T00:00:00Z", "updated_at": "2025-11-01T00:00:00Z"
}))]
pub struct Event {
    /// Stable external id.
    pub key: String,
    pub kind: String,
    pub title: String,
    pub summary: Option<String>,
    /// The date in EDTF (ISO 8601-2): `2025-10-27`, `2024-06`, `2025-10~`,
    /// `2025-10-01/2025-10-03` (lasted those days), `[2025-10-20..2025-10-26]`
    /// (one day of that week).
    pub date: String,
    /// The earliest day it could have happened or begun.
    pub earliest: NaiveDate,
    /// The latest day it could have happened or ended.
    pub latest: NaiveDate,
    /// `true`: it went on from `earliest` to `latest`; `false`: it happened
    /// at one time, not known more finely, between them.
    pub lasted: bool,
    #[schema(inline)]
    pub precision: Precision,
    #[schema(inline)]
    pub qualifier: Qualifier,
    /// The source's words for the date (`на прошлой неделе`).
    pub date_text: Option<String>,
    /// How the date was worked out (`relative to the article's date 2025-11-01`).
    pub date_basis: Option<String>,
    /// The date in words, never finer than known: "the week of 20–26
    /// October 2025", "early October 2025", "about October 2025".
    pub display_date: String,
    /// The first API's view: the first day of the day, month or year that
    /// holds the date (`2025-10-01` for a week of October).
    pub start: NaiveDate,
    /// The first API's view: the first day of the last period, when the
    /// event lasted into another.
    pub end: Option<NaiveDate>,
    /// The first API's view: `day`, `month` or `year`.
    pub date_precision: String,
    pub location: Option<Location>,
    pub participants: Vec<EventParticipant>,
    pub sources: Vec<EventSource>,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// With `q` and `snippet=true` only: a passage of the summary, title,
    /// place or a source's quote around the words found, as HTML (text escaped, the words in
    /// `<mark>`); `null` when they were found elsewhere. Never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable)]
    pub snippet: Option<Option<String>>,
}

/// The date fields of an answer, from the stored EDTF.
pub struct DateFields {
    pub date: String,
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
    pub lasted: bool,
    pub precision: Precision,
    pub qualifier: Qualifier,
    pub display_date: String,
    pub legacy: Legacy,
}

/// The date of a stored event.
pub fn stored_date(row: &event::Model) -> Result<EventDate, ApiError> {
    stored_edtf(&row.key, &row.date_edtf)
}

/// A date the database holds for event `key` (its row or its document).
pub fn stored_edtf(key: &str, edtf: &str) -> Result<EventDate, ApiError> {
    EventDate::parse_edtf(edtf).map_err(|e| {
        ApiError::Database(DbErr::Custom(format!("event {key} has a stored date that does not read: {}", e.0)))
    })
}

impl From<EventDate> for DateFields {
    fn from(d: EventDate) -> DateFields {
        DateFields {
            date: d.to_edtf(),
            earliest: d.earliest(),
            latest: d.latest(),
            lasted: d.lasted(),
            precision: d.precision(),
            qualifier: d.qualifier(),
            display_date: d.display(),
            legacy: d.legacy(),
        }
    }
}

/// Where an event took place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    #[schema(max_length = 300)]
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    #[schema(pattern = r"^\s*[A-Za-z]{2}\s*$")]
    pub country: Option<String>,
    /// -90..90, with `lon`.
    #[schema(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    /// -180..180, with `lat`.
    #[schema(minimum = -180, maximum = 180)]
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

/// A report that backs events: known by its url, or, when it has none
/// (print, broadcast), by its title, publisher and date.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Source {
    pub id: i64,
    pub url: Option<String>,
    pub title: Option<String>,
    pub publisher: Option<String>,
    /// A date or a date-time, as finely as known: `2025-11-01`,
    /// `2025-11-01T09:30:00Z`.
    pub published: Option<String>,
    /// The time of publication, only when one is known.
    pub published_at: Option<DateTime<Utc>>,
    /// ISO 639-1 code.
    pub language: Option<String>,
}

/// A source as one event cites it: with the passage the event rests on.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventSource {
    #[serde(flatten)]
    pub source: Source,
    /// The passage, in the source's language.
    pub quote: Option<String>,
    /// A word about it (`quoting Interfax`).
    pub note: Option<String>,
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
    /// EDTF, as an event's `date`.
    pub date: String,
    pub display_date: String,
    /// The first API's view, as an event's.
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
            published: s.published,
            published_at: s.published_at,
            language: s.language,
        }
    }
}
