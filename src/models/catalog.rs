//! Participants, sources and countries as the API answers them.

use super::event::{Event, EventSummary, Source, code_and_country};
use super::input::ParticipantNames;
use crate::domain::countries::{self, Lang};
use crate::domain::participant::OtherNames;
use entity::participant;
use serde::Serialize;
use utoipa::ToSchema;

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
    /// Its name in other languages, as given; `name` shows the one `lang`
    /// asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<ParticipantNames>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_count: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantPage {
    pub items: Vec<Participant>,
    pub next_cursor: Option<String>,
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

impl Participant {
    /// `lang`, when given, names it: its own name in that language, a
    /// country's from CLDR, else the name it was given.
    pub fn from_row(
        p: participant::Model,
        members: Vec<String>,
        other: OtherNames,
        event_count: Option<u64>,
        lang: Option<Lang>,
    ) -> Participant {
        let (code, country) = code_and_country(&p);
        let name = match (lang, other.in_lang(lang.unwrap_or_default()), &code) {
            (Some(_), Some(name), _) => name.to_owned(),
            (Some(lang), None, Some(code)) => countries::name(code, lang.code()),
            _ => p.name,
        };
        let names = (!other.by_lang.is_empty()).then(|| ParticipantNames {
            en: other.in_lang(Lang::En).map(str::to_owned),
            ru: other.in_lang(Lang::Ru).map(str::to_owned),
        });
        Participant { id: p.id, kind: p.kind, name, code, country, members, names, aliases: other.aliases, event_count }
    }
}

/// What a name refers to, for a search box: the countries it names and the
/// participants whose name it is or begins.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"name": "Северной Кореи", "countries": [{"code": "KP", "name": "North Korea",
    "match": "inflection"}], "ambiguous": false, "participants": []}))]
pub struct Resolution {
    pub name: String,
    pub countries: Vec<ResolvedCountry>,
    /// The name is one that several countries have (`Korea`); a filter
    /// needs one of them.
    pub ambiguous: bool,
    /// Up to 10, by name.
    pub participants: Vec<ResolvedParticipant>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResolvedCountry {
    pub code: String,
    /// In the language asked for (`lang`).
    pub name: String,
    /// By its code, a CLDR name, an alias, or a Russian case form of one.
    #[serde(rename = "match")]
    pub matched: crate::domain::countries::Match,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResolvedParticipant {
    #[serde(flatten)]
    pub participant: Participant,
    /// `name`: the whole of its name (in some language), any case; `alias`:
    /// the whole of an alias; `prefix`: how one of them begins.
    #[serde(rename = "match")]
    pub matched: &'static str,
}

/// How many of a timeline's events have each value of the fields asked for.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"facets": [{"facet": "country", "values": [
    {"value": "RU", "label": "Russia", "count": 7, "timeline": "/api/v1/timeline?country=RU"}], "truncated": true}]}))]
pub struct Facets {
    pub facets: Vec<FacetValues>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetValues {
    pub facet: crate::timeline::Facet,
    /// The most frequent first (ties by value), at most `facet_size`.
    pub values: Vec<FacetValue>,
    /// More values exist than are listed.
    pub truncated: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetValue {
    /// As the timeline's filter takes it: a country code, a kind, `YYYY`,
    /// `YYYY-MM`, a participant id or a tag.
    pub value: String,
    /// As a reader reads it: a country's or participant's name.
    pub label: String,
    pub count: i64,
    /// The timeline narrowed to this value; absent where the filter cannot
    /// say it (a country beside several matched with `any`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<String>,
}

/// The countries that share events with one.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"country": "RU", "name": "Russia", "partners": [{"code": "KP", "name": "North Korea",
    "shared_events": 5, "kinds": [{"kind": "meeting", "count": 2}], "latest": {"key": "2025-10-27-putin-receives-choe-son-hui"},
    "timeline": "/api/v1/timeline?country=RU&country=KP&match=all"}], "truncated": false}))]
pub struct Relations {
    pub country: String,
    pub name: String,
    /// Those sharing the most events first (ties by code), at most `size`.
    pub partners: Vec<Partner>,
    /// More countries share events with it than are listed.
    pub truncated: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Partner {
    pub code: String,
    /// In `lang`.
    pub name: String,
    /// Events of the filter that both countries are in.
    pub shared_events: i64,
    /// The shared events by kind, the most frequent first.
    pub kinds: Vec<KindCount>,
    /// The latest shared event.
    #[schema(value_type = Event)]
    pub latest: Box<serde_json::value::RawValue>,
    /// The bilateral timeline.
    pub timeline: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KindCount {
    pub kind: String,
    pub count: i64,
}

/// The events some countries share, counted by the period they began in.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"countries": ["RU", "KP"], "by": "year", "total": 5, "periods": [
    {"period": "2024", "count": 1, "timeline": "/api/v1/timeline?country=RU&country=KP&match=all&from=2024&to=2024"},
    {"period": "2025", "count": 4, "timeline": "/api/v1/timeline?country=RU&country=KP&match=all&from=2025&to=2025"}],
    "truncated": false}))]
pub struct SharedEvents {
    pub countries: Vec<String>,
    pub by: crate::timeline::Period,
    /// Every event counted once: the sum of the counts.
    pub total: i64,
    /// In order, only periods with events.
    pub periods: Vec<PeriodCount>,
    /// Cut at 10,000 periods.
    pub truncated: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodCount {
    /// `YYYY` or `YYYY-MM`.
    pub period: String,
    pub count: i64,
    /// The shared timeline of the period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<String>,
}
