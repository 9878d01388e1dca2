//! Every way an event's document comes to be (written, re-rendered after a
//! participant or source changed, seeded by `timeline migrate up`) gives
//! the same answer.

use crate::helpers::{event_body, fresh_database, spawn_app, spawn_app_on};
use serde_json::{Value, json};

/// The answer for an event, less what differs between two databases.
fn comparable(mut event: Value) -> Value {
    let e = event.as_object_mut().unwrap();
    e.remove("created_at");
    e.remove("updated_at");
    event
}

#[actix_rt::test]
async fn an_event_reads_the_same_before_and_after_its_participants_change_it_again() {
    let app = spawn_app().await;
    let mut body = event_body("rerendered", "2025-03", &["RU"]);
    body["location"] = json!({});
    body["participants"]
        .as_array_mut()
        .unwrap()
        .push(json!({"kind": "person", "name": "Anna Example", "country": "AT", "role": "speaker"}));
    assert_eq!(app.post("/api/v1/events", &body).await.status, 201);
    let before = app.get("/api/v1/events/rerendered").await.body;
    assert_eq!(before["location"], Value::Null, "an empty location is no location");

    // Writing the participant again re-renders every event it appears in.
    let anna = &before["participants"][1];
    let same = json!({"kind": "person", "name": "Anna Example", "country": "AT"});
    assert_eq!(app.put(&format!("/api/v1/participants/{}", anna["id"]), &same).await.status, 200);
    assert_eq!(app.get("/api/v1/events/rerendered").await.body, before);

    // So does a source.
    let source = &before["sources"][0];
    let same = json!({"url": source["url"], "title": source["title"], "language": source["language"]});
    assert_eq!(app.put(&format!("/api/v1/sources/{}", source["id"]), &same).await.status, 200);
    assert_eq!(app.get("/api/v1/events/rerendered").await.body, before);
}

#[actix_rt::test]
async fn a_seeded_event_reads_the_same_after_a_re_render() {
    let app = spawn_app().await;
    let key = "2024-06-russia-dprk-strategic-partnership-treaty";
    let before = app.get(&format!("/api/v1/events/{key}")).await.body;
    let russia = before["participants"].as_array().unwrap().iter().find(|p| p["code"] == "RU").unwrap().clone();
    let same = json!({"kind": "country", "code": "RU", "name": russia["name"]});
    assert_eq!(app.put(&format!("/api/v1/participants/{}", russia["id"]), &same).await.status, 200);
    assert_eq!(app.get(&format!("/api/v1/events/{key}")).await.body, before);
}

#[actix_rt::test]
async fn migrate_up_then_serve_answers_what_serve_alone_does() {
    let migrated = fresh_database().await;
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_timeline"))
        .args(["--database-url", &migrated.url, "migrate", "up"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("the timeline binary runs");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));

    let after_migrate = spawn_app_on(migrated).await;
    let served = spawn_app().await;
    let all = "/api/v1/timeline?limit=500";
    let left: Vec<Value> =
        after_migrate.get(all).await.body["items"].as_array().unwrap().iter().cloned().map(comparable).collect();
    let right: Vec<Value> =
        served.get(all).await.body["items"].as_array().unwrap().iter().cloned().map(comparable).collect();
    assert_eq!(left.len(), 7, "the article's seven events");
    assert_eq!(left, right);
}
