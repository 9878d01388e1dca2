//! An iCalendar feed (RFC 5545) of all-day events, written by the
//! `icalendar` crate one event at a time so an export can stream. Each
//! event covers the days it may have happened on: `DTSTART;VALUE=DATE` is
//! its earliest day and `DTEND;VALUE=DATE` the day after its latest (RFC
//! 5545 §3.6.1: the end of an all-day event is exclusive; the crate's
//! `all_day` would write the start again). `UID`s come from event keys and
//! `DTSTAMP` from when the event last changed, so the same events give the
//! same feed.

use crate::domain::dates::{EventDate, Precision, Qualifier};
use crate::models::Event;
use chrono::Days;
use icalendar::{Calendar, Component, EventLike};

/// Everything of a calendar before its events; a subscribed calendar is
/// told to refresh hourly.
pub fn head(out: &mut Vec<u8>, name: &str) {
    let calendar = Calendar::empty()
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Timeline//Timeline API//EN"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", "PUBLISH"))
        .name(&one_line(name))
        .ttl(&chrono::Duration::hours(1))
        .done();
    let text = calendar.to_string();
    out.extend_from_slice(text.trim_end_matches("END:VCALENDAR\r\n").as_bytes());
}

pub fn tail(out: &mut Vec<u8>) {
    out.extend_from_slice(b"END:VCALENDAR\r\n");
}

pub fn event(out: &mut Vec<u8>, event: &Event, date: EventDate) {
    let mut vevent = icalendar::Event::new();
    vevent
        .uid(&format!("{}@timeline", event.key))
        .timestamp(event.updated_at)
        .starts(date.earliest())
        .ends(date.latest().checked_add_days(Days::new(1)).unwrap_or(date.latest()))
        .summary(&one_line(&summary(event, date)))
        .add_property("CATEGORIES", event.kind.clone())
        .add_property("TRANSP", "TRANSPARENT");
    vevent.description(&description(event));
    if let Some(name) = event.location.as_ref().and_then(|l| l.name.as_deref()) {
        vevent.location(&one_line(name));
    }
    if let Some(url) = event.sources.iter().find_map(|s| s.source.url.as_deref()) {
        vevent.url(url);
    }
    out.extend_from_slice(vevent.done().to_string().as_bytes());
}

/// The title, and for an event known only to a period, that period in
/// words: "… (one day of the week of 20–26 October 2025)".
fn summary(event: &Event, date: EventDate) -> String {
    if date.lasted() || date.precision() == Precision::Day {
        if date.qualifier() == Qualifier::Exact {
            return event.title.clone();
        }
        return format!("{} ({})", event.title, event.display_date);
    }
    format!("{} (day not known: {})", event.title, event.display_date)
}

/// The summary, then each source with its passage.
fn description(event: &Event) -> String {
    let mut parts: Vec<String> = event.summary.iter().cloned().collect();
    parts.push(format!("Date: {}", event.display_date));
    for s in &event.sources {
        let source = &s.source;
        let mut line = [source.title.as_deref(), source.publisher.as_deref(), source.url.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(quote) = &s.quote {
            line.push_str(&format!(": «{quote}»"));
        }
        parts.push(format!("Source: {line}"));
    }
    parts.join("\n").replace("\r\n", "\n").replace('\r', "\n")
}

/// A text property on one line: the crate escapes `\n` but not a lone CR.
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}
