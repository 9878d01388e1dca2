use crate::helpers::{event_body, spawn_app};
use serde_json::json;

#[actix_rt::test]
async fn post_creates_an_event_that_get_returns() {
    let app = spawn_app().await;
    let mut body = event_body("created-1", "2025-11-05", &["KP", "RU"]);
    body["location"] = json!({"name": "Pyongyang", "country": "kp", "lat": 39.04, "lon": 125.76});
    let reply = app.post("/api/v1/events", &body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.header("location").as_deref(), Some("/api/v1/events/created-1"));
    let got = app.get("/api/v1/events/created-1").await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, reply.body);
    assert_eq!(got.body["location"]["country"], "KP");
    assert_eq!(got.body["date_precision"], "day");
    // Existing participants and sources are reused, not duplicated.
    let russia = got.body["participants"][1].clone();
    let seeded = app.get("/api/v1/participants?kind=country&q=russia").await;
    assert_eq!(seeded.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(seeded.body["items"][0]["id"], russia["id"]);
}

#[actix_rt::test]
async fn posting_an_existing_key_is_a_conflict() {
    let app = spawn_app().await;
    let body = event_body("dup", "2025-01-01", &["RU"]);
    assert_eq!(app.post("/api/v1/events", &body).await.status, 201);
    app.post("/api/v1/events", &body).await.assert_problem(409, "key");
}

#[actix_rt::test]
async fn the_same_person_is_one_participant_across_events() {
    let app = spawn_app().await;
    for key in ["a", "b"] {
        let body = json!({"key": key, "kind": "visit", "title": "Visit", "start": "2025-01",
            "participants": [{"kind": "person", "name": "Ana  Silva", "country": "BR"}]});
        assert_eq!(app.post("/api/v1/events", &body).await.status, 201);
    }
    let spaced = json!({"key": "c", "kind": "visit", "title": "Visit", "start": "2025-01",
        "participants": [{"kind": "person", "name": "ana silva", "country": "br"}]});
    let c = app.post("/api/v1/events", &spaced).await;
    let a = app.get("/api/v1/events/a").await;
    assert_eq!(a.body["participants"][0]["id"], c.body["participants"][0]["id"]);
    let id = a.body["participants"][0]["id"].as_i64().unwrap();
    assert_eq!(app.get(&format!("/api/v1/participants/{id}")).await.body["event_count"], 3);
}

#[actix_rt::test]
async fn put_creates_then_replaces_and_the_timeline_follows() {
    let app = spawn_app().await;
    let body = event_body("moving", "2025-02-02", &["NO"]);
    let created = app.put("/api/v1/events/moving", &body).await;
    assert_eq!(created.status, 201);
    assert_eq!(app.get("/api/v1/timeline?country=NO").await.keys(), ["moving"]);

    let mut replaced = event_body("moving", "2025-03-03", &["SE"]);
    replaced.as_object_mut().unwrap().remove("key");
    replaced["tags"] = json!(["Nordic", "nordic", "moved"]);
    let reply = app.put("/api/v1/events/moving", &replaced).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["start"], "2025-03-03");
    assert_eq!(reply.body["tags"], json!(["nordic", "moved"]));
    assert_eq!(reply.body["created_at"], created.body["created_at"]);
    assert!(app.get("/api/v1/timeline?country=NO").await.keys().is_empty());
    assert_eq!(app.get("/api/v1/timeline?country=SE").await.keys(), ["moving"]);
    assert!(app.get("/api/v1/timeline?tag=test").await.keys().is_empty());

    // A body key that differs from the path is refused.
    let other = event_body("elsewhere", "2025-03-03", &["SE"]);
    app.put("/api/v1/events/moving", &other).await.assert_problem(400, "key");
    // A fetched event can be sent back as it is.
    let fetched = app.get("/api/v1/events/moving").await.body;
    let again = app.put("/api/v1/events/moving", &fetched).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["participants"], fetched["participants"]);
}

#[actix_rt::test]
async fn delete_removes_the_event_but_not_its_participants() {
    let app = spawn_app().await;
    assert_eq!(app.post("/api/v1/events", &event_body("gone", "2025-01-01", &["FI"])).await.status, 201);
    assert_eq!(app.delete("/api/v1/events/gone").await.status, 204);
    assert_eq!(app.get("/api/v1/events/gone").await.status, 404);
    app.delete("/api/v1/events/gone").await.assert_problem_status(404);
    assert!(app.get("/api/v1/timeline?country=FI").await.keys().is_empty());
    let finland = app.get("/api/v1/participants?kind=country&q=fin").await;
    assert_eq!(finland.body["items"][0]["code"], "FI");
}

/// The spec's JSON Schema counts `3.0` as an integer, so the server does too;
/// and what the schema's patterns allow around a value (spaces, case), the
/// server reads as the value.
#[actix_rt::test]
async fn what_the_spec_allows_is_accepted_as_the_value_it_names() {
    let app = spawn_app().await;
    let kim = app.get("/api/v1/participants?q=Kim").await.body["items"][0].clone();
    let id = kim["id"].as_i64().unwrap() as f64;
    let body = json!({"key": "whole", "kind": "visit", "title": "Visit", "date": "2025-01",
        "participants": [{"id": id}],
        "sources": [{"url": "  https://example.org/whole  ", "language": " EN "}]});
    let reply = app.post("/api/v1/events", &body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["participants"][0]["name"], kim["name"]);
    assert_eq!(reply.body["sources"][0]["url"], "https://example.org/whole");
    assert_eq!(reply.body["sources"][0]["language"], "en");

    let fraction = json!({"key": "half", "kind": "visit", "title": "Visit", "date": "2025-01",
        "participants": [{"id": 1.5}]});
    app.post("/api/v1/events", &fraction).await.assert_problem(400, "participants[0].id");
    // A url is at most 2,048 characters as given, spaces included.
    let padded = format!("{}https://example.org/{}", " ".repeat(100), "a".repeat(1_940));
    let long = json!({"url": padded, "title": "Long"});
    app.post("/api/v1/sources", &long).await.assert_problem(400, "url");
}
