//! Turns request input into checked domain values, or a 4xx naming the
//! field. Every bound on input lives here: an event's here, a participant's
//! and a source's in `catalog.rs`, those of single fields in `fields.rs`.

mod catalog;
mod fields;

pub use catalog::{participant_in, source_in};
pub use fields::{country_code, event_key, one_of};

use crate::domain::dates::{self, PartialDate, Precision};
use crate::domain::{EVENT_KINDS, NewEvent};
use crate::error::ApiError;
use crate::models::{EventInput, Location};
use catalog::{participant_ref, source_ref};
use chrono::NaiveDate;
use fields::{MAX_NAME, MAX_TITLE, optional_text, text};

const MAX_SUMMARY: usize = 20_000;
const MAX_TAG: usize = 64;
const MAX_TAGS: usize = 32;
const MAX_PARTICIPANTS: usize = 1_000;
const MAX_SOURCES: usize = 100;

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

fn tag(field: &str, raw: &str) -> Result<String, ApiError> {
    let tag = text(field, raw, MAX_TAG)?.to_lowercase();
    Ok(tag)
}
