use crate::helpers::spawn_app;

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
