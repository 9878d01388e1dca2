//! A GeoJSON FeatureCollection (RFC 7946) of the events that have a place
//! with coordinates: a Point at `[lon, lat]`, the event's key as the
//! feature's id, and its title and date fields as properties. Each feature
//! is built by the `geojson` crate; the collection around them is written
//! here so an export can stream it.

use crate::models::Event;
use geojson::{Feature, Geometry, JsonObject, feature::Id};
use serde_json::Value;

/// The feature of an event, as JSON; `None` when it has no coordinates.
pub fn feature(e: &Event) -> Option<Vec<u8>> {
    let location = e.location.as_ref()?;
    let (lat, lon) = (location.lat?, location.lon?);
    let mut properties = JsonObject::new();
    let mut put = |name: &str, value: Value| {
        properties.insert(name.to_owned(), value);
    };
    put("key", e.key.clone().into());
    put("kind", e.kind.clone().into());
    put("title", e.title.clone().into());
    put("date", e.date.clone().into());
    put("earliest", e.earliest.to_string().into());
    put("latest", e.latest.to_string().into());
    put("lasted", e.lasted.into());
    put("precision", e.precision.as_str().into());
    put("qualifier", e.qualifier.as_str().into());
    put("display_date", e.display_date.clone().into());
    put("place", location.name.clone().into());
    put("country", location.country.clone().into());
    let feature = Feature {
        bbox: None,
        geometry: Some(Geometry::new_point([lon, lat])),
        id: Some(Id::String(e.key.clone())),
        properties: Some(properties),
        foreign_members: None,
    };
    serde_json::to_vec(&feature).ok()
}
