//! Knight Lab TimelineJS3's JSON: `{"title", "events": [slide, …]}`. A
//! slide's date says no more than is known: a month is `{year, month}`, a
//! year `{year}`; a shorter period (a week, early October) is placed on its
//! first day so slides keep the timeline's order, and its `display_date`
//! says what is really known. TimelineJS shows `display_date` instead of
//! the date it would write itself.

use super::{Group, Presentation, html};
use crate::domain::dates::{EventDate, Period, Precision};
use crate::models::Event;
use chrono::Datelike;
use serde_json::{Map, Value, json};

pub fn head(out: &mut Vec<u8>, presentation: &Presentation) {
    out.push(b'{');
    if let Some(title) = &presentation.title {
        let slide = json!({"text": {"headline": html::text(title), "text": ""}});
        out.extend_from_slice(b"\"title\":");
        out.extend_from_slice(slide.to_string().as_bytes());
        out.push(b',');
    }
    out.extend_from_slice(b"\"events\":[");
}

pub fn event(out: &mut Vec<u8>, event: &Event, date: EventDate, group: Option<&Group>) {
    let mut slide = Map::new();
    let mut start_date = slide_date(date.start());
    start_date.insert("display_date".into(), event.display_date.clone().into());
    slide.insert("start_date".into(), start_date.into());
    if let Some(end) = date.end() {
        slide.insert("end_date".into(), slide_date(end).into());
    }
    slide.insert("display_date".into(), event.display_date.clone().into());
    slide.insert("text".into(), json!({"headline": html::text(&event.title), "text": html::event_text(event)}));
    if let Some(group) = group {
        slide.insert("group".into(), group.label.clone().into());
    }
    slide.insert("unique_id".into(), event.key.clone().into());
    out.extend_from_slice(Value::Object(slide).to_string().as_bytes());
}

/// A TimelineJS date for a period, with the fields its precision allows.
fn slide_date(period: Period) -> Map<String, Value> {
    let first = period.first();
    let mut date = Map::new();
    date.insert("year".into(), first.year().into());
    let precision = period.precision();
    if precision.rank() < Precision::Year.rank() {
        date.insert("month".into(), first.month().into());
    }
    if precision.rank() < Precision::Month.rank() {
        date.insert("day".into(), first.day().into());
    }
    date
}
