//! vis-timeline's `DataSet` items: `{id, content, start, end, type, group,
//! title, className}`, and its groups. A day is a point; anything known
//! only to a period is a range over the whole period (its end exclusive:
//! midnight after its last day) with the class `uncertain`, and an event
//! that went on for days is a range with the class `lasted`, so a page can
//! style each. Every class also names the precision and the qualifier.

use super::{Group, html};
use crate::domain::dates::{EventDate, Precision};
use crate::models::Event;
use chrono::Days;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub fn item(out: &mut Vec<u8>, event: &Event, date: EventDate, group: Option<&Group>) {
    let mut item = Map::new();
    item.insert("id".into(), event.key.clone().into());
    item.insert("content".into(), html::text(&event.title).into());
    item.insert("start".into(), date.earliest().to_string().into());
    let point = !date.lasted() && date.precision() == Precision::Day;
    if !point {
        let after_last = date.latest().checked_add_days(Days::new(1)).unwrap_or(date.latest());
        item.insert("end".into(), after_last.to_string().into());
    }
    item.insert("type".into(), if point { "point" } else { "range" }.into());
    if let Some(group) = group {
        item.insert("group".into(), group.id.clone().into());
    }
    let tooltip = match &event.summary {
        Some(summary) => format!("{}: {}", event.display_date, summary),
        None => event.display_date.clone(),
    };
    item.insert("title".into(), html::text(&tooltip).into());
    item.insert("className".into(), class_name(date).into());
    out.extend_from_slice(Value::Object(item).to_string().as_bytes());
}

/// `lasted` or `uncertain` (known only to a period), then the precision
/// and the qualifier: `uncertain precision-week qualifier-exact`.
fn class_name(date: EventDate) -> String {
    let shape = if date.lasted() {
        "lasted "
    } else if date.precision() != Precision::Day {
        "uncertain "
    } else {
        ""
    };
    format!("{shape}precision-{} qualifier-{}", date.precision().as_str(), date.qualifier().as_str())
}

/// `,"groups":[{id, content}, …]` for the groups met, in id order.
pub fn groups(out: &mut Vec<u8>, groups: &BTreeMap<String, String>) {
    let list: Vec<Value> = groups.iter().map(|(id, label)| json!({"id": id, "content": html::text(label)})).collect();
    out.extend_from_slice(b",\"groups\":");
    out.extend_from_slice(Value::Array(list).to_string().as_bytes());
}
