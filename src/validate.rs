//! Turns request input into checked domain values, or a 4xx naming the
//! field. Every bound on input lives here.

use crate::domain::dates::{self, PartialDate, Precision};
use crate::domain::participant::{self, NewParticipant, PARTICIPANT_KINDS};
use crate::domain::{EVENT_KINDS, NewEvent, NewSource, ParticipantSpec, SourceSpec};
use crate::error::ApiError;
use crate::models::{EventInput, Location, ParticipantInput, ParticipantRef, SourceInput, SourceRef};
use chrono::{DateTime, NaiveDate, Utc};

const MAX_TITLE: usize = 500;
const MAX_SUMMARY: usize = 20_000;
const MAX_NAME: usize = 300;
const MAX_ROLE: usize = 64;
const MAX_TAG: usize = 64;
const MAX_TAGS: usize = 32;
const MAX_PARTICIPANTS: usize = 1_000;
const MAX_SOURCES: usize = 100;
const MAX_URL: usize = 2_048;

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
    let start_date = partial_date("start", &input.start)?;
    let precision = declared.unwrap_or(start_date.form);
    let start = at_precision("start", &input.start, start_date, precision)?;
    let end = match input.end.as_deref() {
        None => None,
        Some(raw) => {
            let end = at_precision("end", raw, partial_date("end", raw)?, precision)?;
            if end < start {
                return Err(ApiError::invalid("end", format!("{raw} is before start {}", input.start)));
            }
            Some(end)
        }
    };

    let location = input.location.map(location).transpose()?.flatten();
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

    Ok(NewEvent {
        key,
        kind,
        title,
        summary,
        start,
        end,
        precision,
        last_day: dates::last_day(start, end, precision),
        location,
        participants,
        sources,
        tags,
        content_hash: String::new(),
    }
    .seal())
}

/// A `YYYY`, `YYYY-MM` or `YYYY-MM-DD` date, or a 400 naming `field`.
pub fn partial_date(field: &str, raw: &str) -> Result<PartialDate, ApiError> {
    PartialDate::parse(raw).map_err(|e| ApiError::invalid(field, e.0))
}

fn at_precision(field: &str, raw: &str, date: PartialDate, precision: Precision) -> Result<NaiveDate, ApiError> {
    date.at_precision(raw, precision).map_err(|e| ApiError::invalid(field, e.0))
}

/// A location with nothing in it is no location.
fn location(loc: Location) -> Result<Option<Location>, ApiError> {
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
    let empty = name.is_none() && country.is_none() && loc.lat.is_none();
    Ok((!empty).then_some(Location { name, country, lat: loc.lat, lon: loc.lon }))
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
            None => participant::country_name(&code),
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
    participant::country_code(raw)
        .ok_or_else(|| ApiError::invalid(field, format!("'{raw}' is not an ISO 3166-1 alpha-2 country code")))
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
