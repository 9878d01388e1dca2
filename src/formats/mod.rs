//! The shapes a timeline is served in. Every format reads the same stored
//! documents, page by page, through one `Writer`: a timeline page writes its
//! head, its events and its tail at once; an export streams them.

pub mod csv;
pub mod geojson;
mod html;
pub mod ics;
pub mod ndjson;
pub mod schema;
pub mod timelinejs;
pub mod vis;

use crate::domain::countries::{self, Lang};
use crate::error::ApiError;
use crate::models::{Event, stored_edtf};
use crate::search::SearchQuery;
use actix_web::http::header::{Accept, Header};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What a timeline or an export is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// The API's own JSON (`TimelinePage`).
    Json,
    /// The interchange format: one event per line (docs/FORMAT.md).
    Ndjson,
    /// Knight Lab TimelineJS3 JSON.
    Timelinejs,
    /// vis-timeline items (and groups, with `group_by`).
    Vis,
    /// An iCalendar feed (RFC 5545) of all-day events.
    Ics,
    /// One row per event (RFC 4180), with a header row.
    Csv,
    /// A GeoJSON FeatureCollection (RFC 7946) of the events with a location.
    Geojson,
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json | Format::Timelinejs | Format::Vis => "application/json",
            Format::Ndjson => "application/x-ndjson",
            Format::Ics => "text/calendar; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Geojson => "application/geo+json",
        }
    }

    /// The formats a client can ask for by `Accept` alone: those with a
    /// media type of their own.
    fn by_media_type(essence: &str) -> Option<Format> {
        match essence {
            "application/json" => Some(Format::Json),
            "application/x-ndjson" => Some(Format::Ndjson),
            "text/calendar" => Some(Format::Ics),
            "text/csv" => Some(Format::Csv),
            "application/geo+json" => Some(Format::Geojson),
            _ => None,
        }
    }

    /// `format=` when given; else the first media type of `Accept` (in the
    /// client's order of preference) that is one of ours; else `default`.
    pub fn chosen(given: Option<Format>, req: &actix_web::HttpRequest, default: Format) -> Format {
        if let Some(format) = given {
            return format;
        }
        let Ok(accept) = Accept::parse(req) else { return default };
        accept.ranked().iter().find_map(|mime| Format::by_media_type(mime.essence_str())).unwrap_or(default)
    }
}

/// How events are grouped into lanes (vis-timeline) or groups (TimelineJS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    Kind,
    /// Where it happened when known, else its first country participant.
    Country,
}

/// What a format shows besides the events.
#[derive(Debug, Clone, Default)]
pub struct Presentation {
    pub group_by: Option<GroupBy>,
    /// A title slide (TimelineJS), the calendar's name (iCalendar).
    pub title: Option<String>,
    /// The calendar's name when no `title` is given: the filter in words.
    pub default_title: String,
    /// The language of country names in group labels and titles.
    pub lang: Lang,
    /// The language participants' names are shown in: only when `lang`
    /// was given, so that an answer without it serves the stored documents
    /// as they are.
    pub names_in: Option<Lang>,
}

impl Presentation {
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.default_title)
    }
}

/// A group: its id and its label.
pub struct Group {
    pub id: String,
    pub label: String,
}

/// The group an event falls in, if events are grouped.
pub fn group_of(event: &Event, by: Option<GroupBy>, lang: Lang) -> Option<Group> {
    match by? {
        GroupBy::Kind => Some(Group { id: event.kind.clone(), label: event.kind.clone() }),
        GroupBy::Country => {
            let code = event.location.as_ref().and_then(|l| l.country.clone()).or_else(|| {
                let country = event.participants.iter().find_map(|p| p.code.clone());
                country.or_else(|| {
                    event.participants.iter().filter(|p| p.kind == "person").find_map(|p| p.country.clone())
                })
            });
            // In English, a country that takes part is shown by its
            // participant's name (participants have English names only).
            let named = |code: &str| match lang {
                Lang::En => event.participants.iter().find(|p| p.code.as_deref() == Some(code)).map(|p| p.name.clone()),
                Lang::Ru => None,
            };
            Some(match code {
                Some(code) => {
                    Group { label: named(&code).unwrap_or_else(|| countries::name(&code, lang.code())), id: code }
                }
                None => Group {
                    id: "none".into(),
                    label: match lang {
                        Lang::En => "No country",
                        Lang::Ru => "Без страны",
                    }
                    .into(),
                },
            })
        }
    }
}

/// A timeline being written in one format: `head`, then `event` for each
/// stored document in order, then `tail`.
pub struct Writer {
    format: Format,
    presentation: Presentation,
    written: usize,
    /// The groups met so far, for formats that list them at the end.
    groups: BTreeMap<String, String>,
}

impl Writer {
    pub fn new(format: Format, presentation: Presentation) -> Writer {
        Writer { format, presentation, written: 0, groups: BTreeMap::new() }
    }

    /// The language the events' participants are to be named in, if any.
    pub fn names_in(&self) -> Option<Lang> {
        self.presentation.names_in
    }

    pub fn head(&mut self, out: &mut Vec<u8>) {
        match self.format {
            Format::Json => out.extend_from_slice(b"{\"items\":["),
            Format::Ndjson => {}
            Format::Timelinejs => timelinejs::head(out, &self.presentation),
            Format::Vis => out.extend_from_slice(b"{\"items\":["),
            Format::Ics => ics::head(out, self.presentation.title()),
            Format::Csv => csv::head(out),
            Format::Geojson => out.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"features\":["),
        }
    }

    /// One stored event document. The API's JSON takes it as it is; every
    /// other format reads it first.
    pub fn event(&mut self, out: &mut Vec<u8>, document: &str) -> Result<(), ApiError> {
        if self.format == Format::Json {
            self.separate(out);
            out.extend_from_slice(document.as_bytes());
            return Ok(());
        }
        let event = read_document(document)?;
        let date = stored_edtf(&event.key, &event.date)?;
        let group = group_of(&event, self.presentation.group_by, self.presentation.lang);
        match self.format {
            Format::Json => unreachable!("written above"),
            Format::Ndjson => ndjson::write_line(out, &event),
            Format::Timelinejs => {
                self.separate(out);
                timelinejs::event(out, &event, date, group.as_ref());
            }
            Format::Vis => {
                self.separate(out);
                vis::item(out, &event, date, group.as_ref());
            }
            Format::Ics => ics::event(out, &event, date),
            Format::Csv => csv::row(out, &event)?,
            Format::Geojson => {
                if let Some(feature) = geojson::feature(&event) {
                    self.separate(out);
                    out.extend_from_slice(&feature);
                }
            }
        }
        if let Some(group) = group {
            self.groups.entry(group.id).or_insert(group.label);
        }
        Ok(())
    }

    /// The end; `next_cursor` where the format has a place for it.
    pub fn tail(&mut self, out: &mut Vec<u8>, next_cursor: Option<&str>) {
        let cursor = || serde_json::to_string(&next_cursor).unwrap_or_else(|_| "null".into());
        match self.format {
            Format::Ndjson | Format::Csv => {}
            Format::Json | Format::Timelinejs | Format::Geojson => {
                out.extend_from_slice(format!("],\"next_cursor\":{}}}", cursor()).as_bytes())
            }
            Format::Vis => {
                out.extend_from_slice(b"]");
                if self.presentation.group_by.is_some() {
                    vis::groups(out, &self.groups);
                }
                out.extend_from_slice(format!(",\"next_cursor\":{}}}", cursor()).as_bytes());
            }
            Format::Ics => ics::tail(out),
        }
    }

    /// A comma before every item of a JSON array but the first.
    fn separate(&mut self, out: &mut Vec<u8>) {
        if self.written > 0 {
            out.push(b',');
        }
        self.written += 1;
    }
}

/// A whole page in one format.
pub fn page(
    format: Format,
    presentation: Presentation,
    documents: &[String],
    next: Option<&str>,
) -> Result<Vec<u8>, ApiError> {
    let mut writer = Writer::new(format, presentation);
    let mut out = Vec::with_capacity(documents.iter().map(|d| d.len() + 1).sum::<usize>() + 256);
    writer.head(&mut out);
    for document in documents {
        writer.event(&mut out, document)?;
    }
    writer.tail(&mut out, next);
    Ok(out)
}

/// A stored event document, read back.
pub fn read_document(document: &str) -> Result<Event, ApiError> {
    serde_json::from_str(document).map_err(ApiError::stored_document)
}

/// The words of a stored document that a snippet is cut from.
#[derive(Deserialize)]
struct Texts {
    title: String,
    summary: Option<String>,
    location: Option<Place>,
    sources: Vec<Cited>,
}

#[derive(Deserialize)]
struct Place {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Cited {
    quote: Option<String>,
}

/// Each stored document with `snippet` added (`search::snippet`): where
/// `search` found its words in its summary, title, place or a source's
/// quote.
pub fn with_snippets(documents: Vec<String>, search: &SearchQuery) -> Result<Vec<String>, ApiError> {
    documents
        .into_iter()
        .map(|mut document| {
            let texts: Texts = serde_json::from_str(&document).map_err(ApiError::stored_document)?;
            let place = texts.location.and_then(|l| l.name);
            let quotes = texts.sources.iter().filter_map(|s| s.quote.as_deref());
            let own = [texts.summary.as_deref(), Some(texts.title.as_str()), place.as_deref()];
            let snippet = crate::search::snippet(search, own.into_iter().flatten().chain(quotes));
            // A document is one JSON object: the field goes before its last brace.
            if document.ends_with('}') {
                document.pop();
                document.push_str(",\"snippet\":");
                document.push_str(&serde_json::to_string(&snippet).unwrap_or_else(|_| "null".into()));
                document.push('}');
            }
            Ok(document)
        })
        .collect()
}
