//! Request bodies: events, participants and sources to write.

use super::event::Location;
use crate::domain::dates::{Precision, Qualifier};
use crate::domain::{EVENT_KINDS, PARTICIPANT_KINDS};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

/// An event's `kind` in the spec: one of the kinds, so that clients (and
/// Swagger UI) offer them and a fuzzer knows the rest are refused.
pub fn event_kind() -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(EVENT_KINDS)).build()
}

/// A participant's `kind` in the spec.
pub fn participant_kind() -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(PARTICIPANT_KINDS)).build()
}

/// The same, where it may be left out or `null` (a participant given by `id`).
/// Up to 32 tags, each a word or a few (not blank), compared case-blind.
/// "Not blank" is a character that is not white space as Rust's `trim`
/// reads it: ECMAScript's `\s` less U+FEFF, plus U+0085.
fn tags() -> utoipa::openapi::schema::Array {
    let tag = ObjectBuilder::new().schema_type(Type::String).pattern(Some(r"[^\s\u0085]|\uFEFF")).max_length(Some(64));
    utoipa::openapi::schema::ArrayBuilder::new().items(tag).max_items(Some(32)).build()
}

/// JSON Schema, and so the spec, counts `7.0` as an integer; serde's `i64`
/// does not, so an id is read as a number and then checked to be whole.
fn integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    // Past 2^53 a float no longer names one integer.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else { return Ok(None) };
    n.as_i64()
        .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= EXACT).map(|f| f as i64))
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("{n} is not an integer id")))
}

fn optional_participant_kind() -> Object {
    use utoipa::openapi::schema::SchemaType;
    let types = SchemaType::from_iter([Type::String, Type::Null]);
    let kinds = PARTICIPANT_KINDS.iter().map(|k| Some(*k)).chain([None]);
    ObjectBuilder::new().schema_type(types).enum_values(Some(kinds)).build()
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
    "date": "[2025-11-01..2025-11-10]",
    "date_text": "в начале ноября",
    "date_basis": "the year from the report's date, 2025-11-12",
    "location": {"name": "Pyongyang", "country": "KP", "lat": 39.04, "lon": 125.76},
    "participants": [
        {"kind": "country", "code": "KP", "role": "host"},
        {"kind": "person", "name": "Sergei Lavrov", "country": "RU", "role": "guest"}],
    "sources": [{"url": "https://example.org/news/1", "title": "Example report", "language": "en",
        "quote": "Lavrov arrived in Pyongyang in early November.", "note": "quoting the ministry"}],
    "tags": ["visit", "diplomacy"]
}))]
pub struct EventInput {
    /// 1–64 chars of `A-Za-z0-9._-`. Required on POST; on PUT it may be
    /// omitted and must otherwise equal the key in the path.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,64}$")]
    pub key: Option<String>,
    #[schema(schema_with = event_kind)]
    pub kind: String,
    #[schema(pattern = r"[^\s\u0085]|\uFEFF", max_length = 500)]
    pub title: String,
    #[schema(max_length = 20000)]
    pub summary: Option<String>,
    /// The date in EDTF: `2025-10-27`, `2024-06`, `2024`, `2025-10~`
    /// (about), `2024?` (uncertain), `201X` (a decade), `2025-21` (spring),
    /// `2025-33` (Q1), `2025-10-01/2025-10-03` (lasted those days),
    /// `[2025-10-20..2025-10-26]` (one day of that week). Give `date`, or
    /// `earliest` and `latest`, or the first API's `start`; any of the
    /// others given beside it must agree with it.
    pub date: Option<String>,
    /// The earliest possible day, `YYYY-MM-DD`, with `latest`.
    pub earliest: Option<String>,
    /// The latest possible day, `YYYY-MM-DD`, with `earliest`.
    pub latest: Option<String>,
    /// With `earliest` and `latest`: `true` if it went on from one to the
    /// other; `false` (default) if it happened at one time between them.
    pub lasted: Option<bool>,
    /// Read back for checking: must agree with the date when given.
    #[schema(inline)]
    pub precision: Option<Precision>,
    /// `exact` (default), `approximate`, `uncertain` or
    /// `uncertain_approximate`; the same as EDTF's `~`, `?` and `%`.
    #[schema(inline)]
    pub qualifier: Option<Qualifier>,
    /// The source's words for the date (`на прошлой неделе`).
    #[schema(max_length = 500)]
    pub date_text: Option<String>,
    /// How the date was worked out (`relative to the article's date 2025-11-01`).
    #[schema(max_length = 500)]
    pub date_basis: Option<String>,
    /// Read-only; accepted and ignored (it follows from the date).
    #[schema(read_only)]
    pub display_date: Option<serde_json::Value>,
    /// The first API's form: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub start: Option<String>,
    /// The first API's form: same forms as `start`, not before it; the
    /// event lasted from `start` to `end`.
    pub end: Option<String>,
    /// The first API's form: `day`, `month` or `year`; taken from the form
    /// of `start` when omitted.
    pub date_precision: Option<String>,
    pub location: Option<Location>,
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub participants: Vec<ParticipantRef>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub sources: Vec<SourceRef>,
    #[serde(default)]
    #[schema(schema_with = tags)]
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
    #[serde(default, deserialize_with = "integer")]
    pub id: Option<i64>,
    #[schema(schema_with = optional_participant_kind)]
    pub kind: Option<String>,
    #[schema(pattern = r"^\s*[A-Za-z]{2}\s*$")]
    pub code: Option<String>,
    #[schema(pattern = r"[^\s\u0085]|\uFEFF", max_length = 300)]
    pub name: Option<String>,
    #[schema(pattern = r"^\s*[A-Za-z]{2}\s*$")]
    pub country: Option<String>,
    #[schema(max_length = 64)]
    pub role: Option<String>,
}

/// A source of an event being written: an existing one by `id`, or by `url`
/// (reused when a source with that url exists), or, for a source with no
/// url, by `title`, `publisher` and `published` together; with the passage
/// the event rests on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    #[serde(default, deserialize_with = "integer")]
    pub id: Option<i64>,
    #[schema(pattern = r"^\s*(https?://[^\s\u0000-\u001f\u007f-\u009f]+)?\s*$", max_length = 2048)]
    pub url: Option<String>,
    #[schema(max_length = 500)]
    pub title: Option<String>,
    #[schema(max_length = 300)]
    pub publisher: Option<String>,
    /// `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an RFC 3339 date-time.
    #[schema(pattern = r"^\d{4}(-\d{2}(-\d{2}([Tt ].*)?)?)?$")]
    pub published: Option<String>,
    /// The first API's form: RFC 3339.
    #[schema(format = DateTime)]
    pub published_at: Option<String>,
    /// ISO 639-1.
    #[schema(pattern = r"^\s*[A-Za-z]{2}\s*$")]
    pub language: Option<String>,
    /// The passage of this source the event rests on, in its language.
    #[schema(max_length = 5000)]
    pub quote: Option<String>,
    /// A word about it, such as `quoting Interfax`.
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// A participant to create or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "person", "name": "Choe Son Hui", "country": "KP",
    "names": {"ru": "Цой Сон Хи"}, "aliases": ["Choe Son-hui"]}))]
pub struct ParticipantInput {
    /// `country`, `person` or `organization`.
    #[schema(schema_with = participant_kind)]
    pub kind: String,
    /// Required for persons and organizations; a country defaults to its ISO name.
    #[schema(pattern = r"[^\s\u0085]|\uFEFF", max_length = 300)]
    pub name: Option<String>,
    /// ISO code of a country participant.
    #[schema(pattern = r"^\s*[A-Za-z]{2}\s*$")]
    pub code: Option<String>,
    /// Nationality (person) or home country (organization).
    #[schema(pattern = r"^\s*[A-Za-z]{2}\s*$")]
    pub country: Option<String>,
    /// Member country codes of an organization; at most 300.
    #[serde(default)]
    #[schema(schema_with = members)]
    pub members: Vec<String>,
    /// Its name in other languages, shown where `lang` asks for one.
    pub names: Option<ParticipantNames>,
    /// Other names news call it by (`Kim Jong-un`, `КНДР`); at most 32.
    /// A name search and the text search find it by any of them.
    #[serde(default)]
    #[schema(schema_with = aliases)]
    pub aliases: Vec<String>,
}

/// A participant's name in each language it has one in.
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"en": "Kim Jong Un", "ru": "Ким Чен Ын"}))]
pub struct ParticipantNames {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"[^\s\u0085]|\uFEFF", max_length = 300)]
    pub en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"[^\s\u0085]|\uFEFF", max_length = 300)]
    pub ru: Option<String>,
}

fn members() -> utoipa::openapi::schema::Array {
    let code = ObjectBuilder::new().schema_type(Type::String).pattern(Some(r"^\s*[A-Za-z]{2}\s*$"));
    utoipa::openapi::schema::ArrayBuilder::new().items(code).max_items(Some(300)).build()
}

fn aliases() -> utoipa::openapi::schema::Array {
    let alias =
        ObjectBuilder::new().schema_type(Type::String).pattern(Some(r"[^\s\u0085]|\uFEFF")).max_length(Some(300));
    utoipa::openapi::schema::ArrayBuilder::new().items(alias).max_items(Some(32)).build()
}

/// A source to create or replace: with a url, or with no url (print,
/// broadcast) and then a title, known with its publisher and date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://example.org/news/1", "title": "Example report",
    "publisher": "Example News", "published": "2025-11-01T09:30:00Z", "language": "en"}))]
pub struct SourceInput {
    #[schema(pattern = r"^\s*(https?://[^\s\u0000-\u001f\u007f-\u009f]+)?\s*$", max_length = 2048)]
    pub url: Option<String>,
    #[schema(max_length = 500)]
    pub title: Option<String>,
    #[schema(max_length = 300)]
    pub publisher: Option<String>,
    /// `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an RFC 3339 date-time.
    #[schema(pattern = r"^\d{4}(-\d{2}(-\d{2}([Tt ].*)?)?)?$")]
    pub published: Option<String>,
    /// The first API's form: RFC 3339.
    #[schema(format = DateTime)]
    pub published_at: Option<String>,
    /// ISO 639-1.
    #[schema(pattern = r"^\s*[A-Za-z]{2}\s*$")]
    pub language: Option<String>,
}
