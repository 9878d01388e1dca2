//! Turns request input into checked domain values, or a 4xx naming the
//! field. Every bound on input lives here: an event's here, a participant's
//! and a source's in `catalog.rs`, those of single fields in `fields.rs`.

mod catalog;
mod date;
mod fields;

pub use catalog::{participant_in, source_in};
pub use date::partial_date;
pub use fields::{MAX_NAME, country, country_code, event_key, one_of, text};

use crate::domain::{EVENT_KINDS, NewEvent};
use crate::error::ApiError;
use crate::models::{EventInput, Location};
use catalog::{participant_ref, source_ref};
use fields::{MAX_TITLE, optional_text};

/// The title a format shows (`title=`), bounded as an event's is.
pub fn shown_title(raw: &str) -> Result<String, ApiError> {
    text("title", raw, MAX_TITLE)
}

const MAX_SUMMARY: usize = 20_000;
const MAX_DATE_TEXT: usize = 500;
const MAX_TAG: usize = 64;
const MAX_TAGS: usize = 32;
const MAX_PARTICIPANTS: usize = 1_000;
const MAX_SOURCES: usize = 100;

pub fn event(input: EventInput, path_key: Option<&str>) -> Result<NewEvent, ApiError> {
    let key = match (input.key.as_deref(), path_key) {
        (Some(body), Some(path)) if body != path => {
            return Err(ApiError::invalid("key", format!("'{body}' differs from the key in the path, '{path}'")));
        }
        (Some(key), _) | (None, Some(key)) => key,
        (None, None) => return Err(ApiError::invalid("key", "is required")),
    };
    let key = event_key("key", key)?;
    let kind = one_of("kind", &input.kind, &EVENT_KINDS)?;
    let title = text("title", &input.title, MAX_TITLE)?;
    let summary = optional_text("summary", input.summary.as_deref(), MAX_SUMMARY)?;

    let date = date::event_date(&input)?;
    let date_text = optional_text("date_text", input.date_text.as_deref(), MAX_DATE_TEXT)?;
    let date_basis = optional_text("date_basis", input.date_basis.as_deref(), MAX_DATE_TEXT)?;

    let location = input.location.map(location).transpose()?.flatten();
    if input.participants.len() > MAX_PARTICIPANTS {
        return Err(ApiError::invalid("participants", format!("at most {MAX_PARTICIPANTS} per event")));
    }
    let participants = input
        .participants
        .into_iter()
        .enumerate()
        .map(|(i, p)| participant_ref(p).map_err(|e| e.within(&format!("participants[{i}]"))))
        .collect::<Result<Vec<_>, _>>()?;
    if input.sources.len() > MAX_SOURCES {
        return Err(ApiError::invalid("sources", format!("at most {MAX_SOURCES} per event")));
    }
    let sources = input
        .sources
        .into_iter()
        .enumerate()
        .map(|(i, s)| source_ref(s).map_err(|e| e.within(&format!("sources[{i}]"))))
        .collect::<Result<Vec<_>, _>>()?;
    if input.tags.len() > MAX_TAGS {
        return Err(ApiError::invalid("tags", format!("at most {MAX_TAGS} per event")));
    }
    let mut tags: Vec<String> = Vec::with_capacity(input.tags.len());
    for (i, raw) in input.tags.iter().enumerate() {
        let tag = tag(raw).map_err(|e| e.within(&format!("tags[{i}]")))?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }

    Ok(NewEvent {
        key,
        kind,
        title,
        summary,
        date,
        date_text,
        date_basis,
        location,
        participants,
        sources,
        tags,
        content_hash: String::new(),
        line_hash: None,
        stems: Default::default(),
    }
    .seal())
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

/// A tag; its error names no field (`ApiError::within` names it).
fn tag(raw: &str) -> Result<String, ApiError> {
    let tag = text("", raw, MAX_TAG)?.to_lowercase();
    Ok(tag)
}
