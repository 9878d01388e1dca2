//! Turns request input into checked values, or a 4xx naming the field.
//! Every bound on input lives here.

use crate::error::ApiError;
use crate::models::{EventInput, Location, ParticipantInput, ParticipantRef, SourceInput, SourceRef};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::derived::{Precision, last_day};
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
pub const PARTICIPANT_KINDS: [&str; 3] = ["country", "person", "organization"];

const MAX_TITLE: usize = 500;
const MAX_SUMMARY: usize = 20_000;
const MAX_NAME: usize = 300;
const MAX_ROLE: usize = 64;
const MAX_TAG: usize = 64;
const MAX_TAGS: usize = 32;
const MAX_PARTICIPANTS: usize = 1_000;
const MAX_SOURCES: usize = 100;
const MAX_URL: usize = 2_048;

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
    /// nothing. Computed here, so bulk import digests lines on its reading
    /// thread rather than its writing one.
    #[serde(skip)]
    pub content_hash: String,
}

#[derive(Debug, Clone, Serialize)]
pub enum ParticipantSpec {
    Existing(i64),
    Described(NewParticipant),
}

#[derive(Debug, Clone, Serialize)]
pub struct NewParticipant {
    pub kind: String,
    pub name: String,
    /// The code of a country; the nationality or home country otherwise.
    pub country: Option<String>,
    pub members: Vec<String>,
}

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

pub fn event(input: EventInput, path_key: Option<&str>) -> Result<NewEvent, ApiError> {
    let key = match (input.key, path_key) {
        (Some(body), Some(path)) if body != path => {
            return Err(ApiError::invalid("key", format!("'{body}' differs from the key in the path, '{path}'")));
        }
        (Some(key), _) => key,
        (None, Some(path)) => path.to_owned(),
        (None, None) => return Err(ApiError::invalid("key", "is required")),
    };
    let key = event_key("key", &key)?;
    let kind = one_of("kind", &input.kind, &EVENT_KINDS)?;
    let title = text("title", &input.title, MAX_TITLE)?;
    let summary = optional_text("summary", input.summary.as_deref(), MAX_SUMMARY)?;

    let declared = input
        .date_precision
        .as_deref()
        .map(|p| {
            Precision::parse(p)
                .ok_or_else(|| ApiError::invalid("date_precision", format!("'{p}' is not one of day, month, year")))
        })
        .transpose()?;
    let (start, start_form) = partial_date("start", &input.start)?;
    let precision = declared.unwrap_or(start_form);
    check_form("start", &input.start, start, start_form, precision)?;
    let end = match input.end.as_deref() {
        None => None,
        Some(raw) => {
            let (end, form) = partial_date("end", raw)?;
            check_form("end", raw, end, form, precision)?;
            if end < start {
                return Err(ApiError::invalid("end", format!("{raw} is before start {}", input.start)));
            }
            Some(end)
        }
    };

    let location = input.location.map(location).transpose()?;
    if input.participants.len() > MAX_PARTICIPANTS {
        return Err(ApiError::invalid("participants", format!("at most {MAX_PARTICIPANTS} per event")));
    }
    let participants = input
        .participants
        .iter()
        .enumerate()
        .map(|(i, p)| participant_ref(&format!("participants[{i}]"), p))
        .collect::<Result<Vec<_>, _>>()?;
    if input.sources.len() > MAX_SOURCES {
        return Err(ApiError::invalid("sources", format!("at most {MAX_SOURCES} per event")));
    }
    let sources = input
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| source_ref(&format!("sources[{i}]"), s))
        .collect::<Result<Vec<_>, _>>()?;
    if input.tags.len() > MAX_TAGS {
        return Err(ApiError::invalid("tags", format!("at most {MAX_TAGS} per event")));
    }
    let mut tags: Vec<String> = Vec::with_capacity(input.tags.len());
    for (i, raw) in input.tags.iter().enumerate() {
        let tag = tag(&format!("tags[{i}]"), raw)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }

    let mut event = NewEvent {
        key,
        kind,
        title,
        summary,
        start,
        end,
        precision,
        last_day: last_day(start, end, precision),
        location,
        participants,
        sources,
        tags,
        content_hash: String::new(),
    };
    event.content_hash = content_hash(&event);
    Ok(event)
}

fn content_hash(event: &NewEvent) -> String {
    use sha2::Digest;
    let bytes = serde_json::to_vec(event).unwrap_or_default();
    format!("{:x}", sha2::Sha256::digest(&bytes))
}

fn precision_name<S: serde::Serializer>(p: &Precision, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.as_str())
}

/// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` into the first day of that
/// period and the precision its form gives.
pub fn partial_date(field: &str, raw: &str) -> Result<(NaiveDate, Precision), ApiError> {
    let bad = || ApiError::invalid(field, format!("'{raw}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"));
    let parts: Vec<&str> = raw.split('-').collect();
    let widths_ok = matches!(parts.as_slice(), [y] | [y, _] | [y, _, _] if y.len() == 4)
        && parts.iter().skip(1).all(|p| p.len() == 2)
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !widths_ok {
        return Err(bad());
    }
    let numbers: Vec<u32> = parts.iter().map(|p| p.parse().map_err(|_| bad())).collect::<Result<_, _>>()?;
    let (year, month, day, precision) = match numbers.as_slice() {
        [y] => (*y, 1, 1, Precision::Year),
        [y, m] => (*y, *m, 1, Precision::Month),
        [y, m, d] => (*y, *m, *d, Precision::Day),
        _ => return Err(bad()),
    };
    if year == 0 {
        return Err(ApiError::invalid(field, format!("'{raw}': year 0000 does not exist")));
    }
    NaiveDate::from_ymd_opt(year as i32, month, day)
        .map(|date| (date, precision))
        .ok_or_else(|| ApiError::invalid(field, format!("'{raw}' is not a real date")))
}

/// A date written more finely than the precision is only accepted as the
/// first day of its period (`2025-10-01` for a month): we never pretend to
/// know a day that the source does not give.
fn check_form(field: &str, raw: &str, date: NaiveDate, form: Precision, precision: Precision) -> Result<(), ApiError> {
    let rank = |p: Precision| match p {
        Precision::Year => 0,
        Precision::Month => 1,
        Precision::Day => 2,
    };
    if rank(form) < rank(precision) {
        return Err(ApiError::invalid(
            field,
            format!("'{raw}' gives less than the declared date_precision '{}'", precision.as_str()),
        ));
    }
    let first = match precision {
        Precision::Day => date,
        Precision::Month => date.with_day0(0).unwrap_or(date),
        Precision::Year => date.with_ordinal0(0).unwrap_or(date),
    };
    if first != date {
        return Err(ApiError::invalid(
            field,
            format!(
                "'{raw}' names a day inside the {}; with date_precision '{}' give the period's first day or its short form",
                precision.as_str(),
                precision.as_str()
            ),
        ));
    }
    Ok(())
}

fn location(loc: Location) -> Result<Location, ApiError> {
    let name = optional_text("location.name", loc.name.as_deref(), MAX_NAME)?;
    let country = loc.country.as_deref().map(|c| country_code("location.country", c)).transpose()?;
    if let Some(lat) = loc.lat
        && !(-90.0..=90.0).contains(&lat)
    {
        return Err(ApiError::invalid("location.lat", format!("{lat} is outside -90..90")));
    }
    if let Some(lon) = loc.lon
        && !(-180.0..=180.0).contains(&lon)
    {
        return Err(ApiError::invalid("location.lon", format!("{lon} is outside -180..180")));
    }
    if loc.lat.is_some() != loc.lon.is_some() {
        return Err(ApiError::invalid("location", "give both lat and lon, or neither"));
    }
    Ok(Location { name, country, lat: loc.lat, lon: loc.lon })
}

fn participant_ref(field: &str, p: &ParticipantRef) -> Result<(ParticipantSpec, Option<String>), ApiError> {
    let role = optional_text(&format!("{field}.role"), p.role.as_deref(), MAX_ROLE)?;
    if let Some(id) = p.id {
        return Ok((ParticipantSpec::Existing(id), role));
    }
    let Some(kind) = p.kind.as_deref() else {
        return Err(ApiError::invalid(format!("{field}.kind"), "is required unless the participant is named by id"));
    };
    let input = ParticipantInput {
        kind: kind.to_owned(),
        name: p.name.clone(),
        code: p.code.clone(),
        country: p.country.clone(),
        members: Vec::new(),
    };
    Ok((ParticipantSpec::Described(participant_in(field, &input)?), role))
}

/// Checks a participant description; `field` prefixes the names in errors.
pub fn participant_in(field: &str, p: &ParticipantInput) -> Result<NewParticipant, ApiError> {
    let at = |name: &str| if field.is_empty() { name.to_owned() } else { format!("{field}.{name}") };
    let kind = one_of(&at("kind"), &p.kind, &PARTICIPANT_KINDS)?;
    if kind == "country" {
        let Some(code) = p.code.as_deref().or(p.country.as_deref()) else {
            return Err(ApiError::invalid(at("code"), "a country participant needs its ISO 3166-1 alpha-2 code"));
        };
        let code = country_code(&at("code"), code)?;
        let name = match p.name.as_deref() {
            Some(name) => text(&at("name"), name, MAX_NAME)?,
            None => country_name(&code),
        };
        if !p.members.is_empty() {
            return Err(ApiError::invalid(at("members"), "only an organization has members"));
        }
        return Ok(NewParticipant { kind, name, country: Some(code), members: Vec::new() });
    }
    if p.code.is_some() {
        return Err(ApiError::invalid(
            at("code"),
            format!("only a country has a code; give a {kind}'s country as 'country'"),
        ));
    }
    let Some(name) = p.name.as_deref() else {
        return Err(ApiError::invalid(at("name"), format!("a {kind} needs a name")));
    };
    let name = text(&at("name"), name, MAX_NAME)?;
    let country = p.country.as_deref().map(|c| country_code(&at("country"), c)).transpose()?;
    if kind == "person" && !p.members.is_empty() {
        return Err(ApiError::invalid(at("members"), "only an organization has members"));
    }
    let mut members = Vec::new();
    for (i, code) in p.members.iter().enumerate() {
        let code = country_code(&at(&format!("members[{i}]")), code)?;
        if !members.contains(&code) {
            members.push(code);
        }
    }
    Ok(NewParticipant { kind, name, country, members })
}

fn source_ref(field: &str, s: &SourceRef) -> Result<SourceSpec, ApiError> {
    if let Some(id) = s.id {
        return Ok(SourceSpec::Existing(id));
    }
    let Some(url) = s.url.clone() else {
        return Err(ApiError::invalid(format!("{field}.url"), "is required unless the source is named by id"));
    };
    let input = SourceInput {
        url,
        title: s.title.clone(),
        publisher: s.publisher.clone(),
        published_at: s.published_at.clone(),
        language: s.language.clone(),
    };
    Ok(SourceSpec::Described(source_in(field, &input)?))
}

pub fn source_in(field: &str, s: &SourceInput) -> Result<NewSource, ApiError> {
    let at = |name: &str| if field.is_empty() { name.to_owned() } else { format!("{field}.{name}") };
    let url = s.url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.len() > MAX_URL
        || url.contains(char::is_whitespace)
    {
        return Err(ApiError::invalid(
            at("url"),
            format!("'{url}' is not an http(s) URL of at most {MAX_URL} characters"),
        ));
    }
    let published_at = s
        .published_at
        .as_deref()
        .map(|raw| {
            DateTime::parse_from_rfc3339(raw).map(|t| t.with_timezone(&Utc)).map_err(|_| {
                ApiError::invalid(
                    at("published_at"),
                    format!("'{raw}' is not an RFC 3339 time such as 2025-11-01T09:30:00Z"),
                )
            })
        })
        .transpose()?;
    let language = s
        .language
        .as_deref()
        .map(|raw| {
            let lang = raw.to_ascii_lowercase();
            if lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase()) {
                Ok(lang)
            } else {
                Err(ApiError::invalid(at("language"), format!("'{raw}' is not an ISO 639-1 code such as 'ru' or 'en'")))
            }
        })
        .transpose()?;
    Ok(NewSource {
        url: url.to_owned(),
        title: optional_text(&at("title"), s.title.as_deref(), MAX_TITLE)?,
        publisher: optional_text(&at("publisher"), s.publisher.as_deref(), MAX_NAME)?,
        published_at,
        language,
    })
}

/// An ISO 3166-1 alpha-2 code, any case, checked against the real list.
pub fn country_code(field: &str, raw: &str) -> Result<String, ApiError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 2 && rust_iso3166::from_alpha2(&code).is_some() {
        Ok(code)
    } else {
        Err(ApiError::invalid(field, format!("'{raw}' is not an ISO 3166-1 alpha-2 country code")))
    }
}

/// The ISO short name of a valid code.
pub fn country_name(code: &str) -> String {
    rust_iso3166::from_alpha2(code).map(|c| c.name.to_owned()).unwrap_or_else(|| code.to_owned())
}

pub fn event_key(field: &str, raw: &str) -> Result<String, ApiError> {
    let ok = (1..=64).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::invalid(field, format!("'{raw}' is not 1–64 characters of A-Z a-z 0-9 . _ -")))
    }
}

pub fn one_of(field: &str, raw: &str, allowed: &[&str]) -> Result<String, ApiError> {
    if allowed.contains(&raw) {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::invalid(field, format!("'{raw}' is not one of {}", allowed.join(", "))))
    }
}

fn text(field: &str, raw: &str, max: usize) -> Result<String, ApiError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(ApiError::invalid(field, format!("is longer than {max} characters")));
    }
    Ok(trimmed.to_owned())
}

fn optional_text(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, ApiError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => text(field, value, max).map(Some),
    }
}

fn tag(field: &str, raw: &str) -> Result<String, ApiError> {
    let tag = text(field, raw, MAX_TAG)?.to_lowercase();
    Ok(tag)
}
