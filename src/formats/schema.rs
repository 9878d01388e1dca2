//! The widget formats' shapes, for the spec only: the writers build them as
//! JSON directly (so that an export can stream them), and these types say
//! what they build, so that Swagger UI shows it and a client or a fuzzer
//! can check an answer against it.

use crate::models::TimelinePage;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{AnyOfBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};

/// `format=json` (the default), `timelinejs` or `vis`: all
/// `application/json`. `anyOf`, not `oneOf`: an empty page of our JSON and
/// an empty vis page look alike.
pub struct JsonPage;

impl utoipa::PartialSchema for JsonPage {
    fn schema() -> RefOr<Schema> {
        let any = ["TimelinePage", "TimelineJs", "VisPage"]
            .into_iter()
            .fold(AnyOfBuilder::new(), |any, name| any.item(Ref::from_schema_name(name)))
            .description(Some("A page in the API's JSON, TimelineJS's or vis-timeline's, as `format` asks"));
        RefOr::T(Schema::AnyOf(any.build()))
    }
}

impl ToSchema for JsonPage {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        for (name, schema) in [
            ("TimelinePage", <TimelinePage as utoipa::PartialSchema>::schema()),
            ("TimelineJs", <TimelineJs as utoipa::PartialSchema>::schema()),
            ("VisPage", <VisPage as utoipa::PartialSchema>::schema()),
        ] {
            schemas.push((name.to_owned(), schema));
        }
        <TimelinePage as ToSchema>::schemas(schemas);
        <TimelineJs as ToSchema>::schemas(schemas);
        <VisPage as ToSchema>::schemas(schemas);
    }
}

/// Knight Lab TimelineJS3's JSON (`format=timelinejs`).
#[derive(Serialize, ToSchema)]
pub struct TimelineJs {
    /// The title slide, when `title` was given.
    title: Option<Slide>,
    events: Vec<Slide>,
    next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Slide {
    /// Absent on the title slide.
    start_date: Option<SlideDate>,
    end_date: Option<SlideDate>,
    /// The date as the sources know it ("the week of 20–26 October 2025").
    display_date: Option<String>,
    text: SlideText,
    /// The `group_by` group.
    group: Option<String>,
    /// The event's key.
    unique_id: Option<String>,
}

/// As finely as known: a month has no `day`, a year only `year`.
#[derive(Serialize, ToSchema)]
pub struct SlideDate {
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
    display_date: Option<String>,
}

/// HTML, with everything from the data escaped.
#[derive(Serialize, ToSchema)]
pub struct SlideText {
    headline: String,
    text: String,
}

/// vis-timeline items (`format=vis`), and its groups when `group_by` is given.
#[derive(Serialize, ToSchema)]
pub struct VisPage {
    items: Vec<VisItem>,
    groups: Option<Vec<VisGroup>>,
    next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VisItem {
    /// The event's key.
    id: String,
    /// The title, HTML-escaped.
    content: String,
    /// The earliest day, `YYYY-MM-DD`.
    start: String,
    /// For a range: the day after the latest (exclusive).
    end: Option<String>,
    /// `point` for a known day, `range` for a period or a duration.
    #[serde(rename = "type")]
    kind: String,
    group: Option<String>,
    /// The date in words and the summary.
    title: String,
    /// `uncertain` or `lasted`, `precision-…` and `qualifier-…`.
    #[serde(rename = "className")]
    class_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct VisGroup {
    id: String,
    content: String,
}

/// A GeoJSON FeatureCollection (RFC 7946) of the events with coordinates
/// (`format=geojson`).
#[derive(Serialize, ToSchema)]
pub struct FeatureCollection {
    /// `FeatureCollection`.
    #[serde(rename = "type")]
    kind: String,
    features: Vec<Feature>,
    next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Feature {
    /// `Feature`.
    #[serde(rename = "type")]
    kind: String,
    geometry: Point,
    /// The event's key.
    id: String,
    /// `key`, `kind`, `title`, `date`, `earliest`, `latest`, `lasted`,
    /// `precision`, `qualifier`, `display_date`, `place`, `country`.
    properties: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct Point {
    /// `Point`.
    #[serde(rename = "type")]
    kind: String,
    /// `[lon, lat]`.
    coordinates: Vec<f64>,
}
