use crate::helpers::{event_body, spawn_app};
use serde_json::json;

#[actix_rt::test]
async fn the_committed_spec_is_what_the_server_serves() {
    let app = spawn_app().await;
    let served = app.get("/api-docs/openapi.json").await;
    assert_eq!(served.status, 200);
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).expect("openapi/openapi.json is JSON");
    assert!(
        served.body == committed,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[actix_rt::test]
async fn the_spec_documents_every_endpoint_and_swagger_ui_is_served() {
    let app = spawn_app().await;
    let spec = app.get("/api-docs/openapi.json").await.body;
    for (path, methods) in [
        ("/api/v1/timeline", &["get"][..]),
        ("/api/v1/events", &["post"]),
        ("/api/v1/events/{key}", &["get", "put", "delete"]),
        ("/api/v1/participants", &["get", "post"]),
        ("/api/v1/participants/{id}", &["get", "put", "delete"]),
        ("/api/v1/sources", &["get", "post"]),
        ("/api/v1/sources/{id}", &["get", "put", "delete"]),
        ("/api/v1/countries", &["get"]),
        ("/api/v1/import", &["post"]),
        ("/api/v1/export", &["get"]),
    ] {
        for method in methods {
            let op = &spec["paths"][path][method];
            assert!(op.is_object(), "{method} {path} is not documented");
            assert!(op["responses"].as_object().unwrap().keys().any(|s| s.starts_with('2')));
        }
    }
    let ui = app.get("/swagger-ui/").await;
    assert_eq!(ui.status, 200);
}

#[actix_rt::test]
async fn every_reference_in_the_spec_resolves() {
    let app = spawn_app().await;
    let spec = app.get("/api-docs/openapi.json").await.body;
    let mut refs = Vec::new();
    collect_refs(&spec, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        let pointer = reference.strip_prefix('#').expect("a local reference");
        assert!(spec.pointer(pointer).is_some(), "{reference} points at nothing");
    }
}

fn collect_refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Every bound the spec states on a text field of a body is the server's:
/// a value of exactly `maxLength` characters is taken, one more (counted
/// as sent, a leading space included) is a 400 naming the field. The
/// bounds are read from the served spec, so the two cannot drift apart.
#[actix_rt::test]
async fn every_text_bound_in_the_spec_is_the_servers() {
    let app = spawn_app().await;
    let spec = app.get("/api-docs/openapi.json").await.body;
    let bound = |schema: &str, property: &str| -> usize {
        let at = format!("/components/schemas/{schema}/properties/{property}");
        let property = &spec.pointer(&at).unwrap_or_else(|| panic!("{at} is not in the spec"));
        let max = property.get("maxLength").or_else(|| property.pointer("/items/maxLength"));
        max.and_then(serde_json::Value::as_u64).unwrap_or_else(|| panic!("{at} has no maxLength")) as usize
    };
    let event = |key: &str| {
        let mut body = event_body(key, "2025-01-01", &["RU"]);
        body["participants"] = json!([{"kind": "person", "name": "Somebody", "country": "RU", "role": "guest"}]);
        body["sources"][0]["publisher"] = json!("Example News");
        body["location"] = json!({"name": "Moscow"});
        body["summary"] = json!("A summary.");
        body["date_text"] = json!("в январе");
        body["date_basis"] = json!("the report's date");
        body["sources"][0]["quote"] = json!("A passage.");
        body["sources"][0]["note"] = json!("quoting somebody");
        body
    };
    let cases = [
        ("/api/v1/events", "EventInput", "title", "/title", "title"),
        ("/api/v1/events", "EventInput", "summary", "/summary", "summary"),
        ("/api/v1/events", "EventInput", "date_text", "/date_text", "date_text"),
        ("/api/v1/events", "EventInput", "date_basis", "/date_basis", "date_basis"),
        ("/api/v1/events", "EventInput", "tags", "/tags/0", "tags[0]"),
        ("/api/v1/events", "Location", "name", "/location/name", "location.name"),
        ("/api/v1/events", "ParticipantRef", "name", "/participants/0/name", "participants[0].name"),
        ("/api/v1/events", "ParticipantRef", "role", "/participants/0/role", "participants[0].role"),
        ("/api/v1/events", "SourceRef", "title", "/sources/0/title", "sources[0].title"),
        ("/api/v1/events", "SourceRef", "publisher", "/sources/0/publisher", "sources[0].publisher"),
        ("/api/v1/events", "SourceRef", "quote", "/sources/0/quote", "sources[0].quote"),
        ("/api/v1/events", "SourceRef", "note", "/sources/0/note", "sources[0].note"),
        ("/api/v1/sources", "SourceInput", "title", "/title", "title"),
        ("/api/v1/sources", "SourceInput", "publisher", "/publisher", "publisher"),
        ("/api/v1/participants", "ParticipantInput", "name", "/name", "name"),
        ("/api/v1/participants", "ParticipantInput", "aliases", "/aliases/0", "aliases[0]"),
        ("/api/v1/participants", "ParticipantNames", "ru", "/names/ru", "names.ru"),
    ];
    for (n, (path, schema, property, pointer, field)) in cases.into_iter().enumerate() {
        let max = bound(schema, property);
        let mut body = match path {
            "/api/v1/events" => event(&format!("bound-{n}")),
            "/api/v1/sources" => {
                json!({"url": format!("https://example.org/bound/{n}"), "title": "A report", "publisher": "Example"})
            }
            _ => json!({"kind": "person", "name": format!("Person {n}"), "aliases": ["x"], "names": {"ru": "x"}}),
        };
        // A different text for each case, so none matches an earlier row.
        let longest: String = format!("{n}").chars().chain(std::iter::repeat('я')).take(max).collect();
        *body.pointer_mut(pointer).unwrap() = json!(longest);
        let taken = app.post(path, &body).await;
        assert!(taken.status == 201 || taken.status == 200, "{schema}.{property} of {max}: {}", taken.body);

        if let Some(key) = body.get_mut("key") {
            *key = json!(format!("bound-{n}-over"));
            body["sources"][0]["url"] = json!(format!("https://example.org/bound/{n}/over"));
        }
        *body.pointer_mut(pointer).unwrap() = json!(format!(" {longest}"));
        app.post(path, &body).await.assert_problem(400, field);
    }
}

/// Each text a body may carry is bounded in the spec (a length, a pattern,
/// a list of values or a format), so a client and a fuzzer know what the
/// server takes. The dates are the exception: EDTF is no regular language
/// a pattern could state, and the server names the field it refuses.
#[actix_rt::test]
async fn every_text_of_a_body_is_bounded_in_the_spec() {
    let app = spawn_app().await;
    let spec = app.get("/api-docs/openapi.json").await.body;
    const DATES: [&str; 6] = ["date", "earliest", "latest", "start", "end", "date_precision"];
    let mut unbounded = Vec::new();
    for schema in
        ["EventInput", "Location", "ParticipantRef", "SourceRef", "ParticipantInput", "ParticipantNames", "SourceInput"]
    {
        let properties = spec["components"]["schemas"][schema]["properties"].as_object().unwrap();
        for (name, property) in properties {
            let property = if property["type"] == "array" { &property["items"] } else { property };
            let is_text = property["type"] == "string"
                || property["type"].as_array().is_some_and(|t| t.contains(&json!("string")));
            let bounded = ["maxLength", "pattern", "enum", "format"].iter().any(|k| property.get(k).is_some());
            if is_text && !bounded && !DATES.contains(&name.as_str()) {
                unbounded.push(format!("{schema}.{name}"));
            }
        }
    }
    assert!(unbounded.is_empty(), "unbounded in the spec: {unbounded:?}");
}
