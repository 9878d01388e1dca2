//! The shapes a timeline is served in: the API's JSON and the NDJSON
//! interchange format (TimelineJS, vis-timeline, iCalendar, CSV and GeoJSON
//! will join them here).

pub mod json;
pub mod ndjson;
