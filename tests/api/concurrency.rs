//! Writes racing each other: each is answered with a 2xx, a 404 or a 409,
//! never a 5xx, and what is stored afterwards is one of the outcomes.

use crate::helpers::{event_body, spawn_app};
use futures_util::future::join_all;
use serde_json::json;

fn assert_no_5xx(statuses: &[u16], allowed: &[u16]) {
    for status in statuses {
        assert!(allowed.contains(status), "{status} among {statuses:?}");
    }
}

#[actix_rt::test]
async fn creating_one_key_many_times_at_once_creates_it_once() {
    let app = spawn_app().await;
    let body = event_body("raced-key", "2025-10-01", &["RU", "KP"]);
    let statuses: Vec<u16> =
        join_all((0..16).map(|_| app.post("/api/v1/events", &body))).await.iter().map(|r| r.status).collect();
    assert_no_5xx(&statuses, &[201, 409]);
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
}

#[actix_rt::test]
async fn two_sources_racing_for_one_url_end_with_one_of_them_holding_it() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for url in ["https://a.example/1", "https://b.example/1"] {
        let created = app.post("/api/v1/sources", &json!({"url": url, "title": "T"})).await;
        assert_eq!(created.status, 201, "{}", created.body);
        ids.push(created.body["id"].as_i64().unwrap());
    }
    let wanted = json!({"url": "https://c.example/1", "title": "T"});
    let paths: Vec<String> = ids.iter().map(|id| format!("/api/v1/sources/{id}")).collect();
    let puts = (0..16).map(|i| app.put(&paths[i % 2], &wanted));
    let statuses: Vec<u16> = join_all(puts).await.iter().map(|r| r.status).collect();
    assert_no_5xx(&statuses, &[200, 409]);
    let holders = join_all(paths.iter().map(|path| app.get(path))).await;
    let holding = holders.iter().filter(|s| s.body["url"] == "https://c.example/1").count();
    assert_eq!(holding, 1);
}

#[actix_rt::test]
async fn deleting_a_participant_while_events_name_it_never_fails_the_server() {
    let app = spawn_app().await;
    let person = json!({"kind": "person", "name": "Raced Person", "country": "KP"});
    let created = app.post("/api/v1/participants", &person).await;
    let id = created.body["id"].as_i64().unwrap();
    let mut event = event_body("raced-event-0", "2025-10-01", &["RU"]);
    event["participants"]
        .as_array_mut()
        .unwrap()
        .push(json!({"kind": "person", "name": "Raced Person", "country": "KP"}));
    let writes = (0..12).map(|i| {
        let app = &app;
        let mut event = event.clone();
        event["key"] = json!(format!("raced-event-{i}"));
        async move {
            if i % 3 == 0 {
                app.delete(&format!("/api/v1/participants/{id}")).await.status
            } else {
                app.put(&format!("/api/v1/events/raced-event-{i}"), &event).await.status
            }
        }
    });
    let statuses = join_all(writes).await;
    assert_no_5xx(&statuses, &[200, 201, 204, 404, 409]);
}
