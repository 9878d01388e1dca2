use crate::helpers::spawn_app;
use serde_json::json;

#[actix_rt::test]
async fn countries_list_every_country_with_its_events() {
    let app = spawn_app().await;
    let list = app.get("/api/v1/countries").await;
    assert_eq!(list.status, 200);
    let items = list.body.as_array().unwrap();
    assert_eq!(items[0], json!({"code": "RU", "name": "Russia", "event_count": 7}));
    assert_eq!(items[1], json!({"code": "KP", "name": "North Korea", "event_count": 5}));
    // The ADMM-Plus members and dialogue partners, Russia among them.
    assert_eq!(items.len(), 19);

    // A country known only through a person's nationality gets its ISO name.
    let body = json!({"key": "fr", "kind": "visit", "title": "Visit", "start": "2025",
        "participants": [{"kind": "person", "name": "Jean Dupont", "country": "FR"}]});
    assert_eq!(app.post("/api/v1/events", &body).await.status, 201);
    let list = app.get("/api/v1/countries").await;
    let france = list.body.as_array().unwrap().iter().find(|c| c["code"] == "FR").cloned();
    assert_eq!(france, Some(json!({"code": "FR", "name": "France", "event_count": 1})));
}
