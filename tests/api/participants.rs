use crate::helpers::spawn_app;
use serde_json::json;

#[actix_rt::test]
async fn participants_are_listed_by_name_with_kind_and_prefix_filters() {
    let app = spawn_app().await;
    let kim = app.get("/api/v1/participants?q=KIM").await;
    assert_eq!(kim.body["items"][0]["name"], "Kim Jong Un");
    assert_eq!(kim.body["items"][0]["country"], "KP");
    let orgs = app.get("/api/v1/participants?kind=organization").await;
    let names: Vec<&str> = orgs.body["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["ASEAN", "United Russia"]);
    let asean = &orgs.body["items"][0];
    assert_eq!(asean["members"], json!(["BN", "VN", "ID", "KH", "LA", "MY", "MM", "SG", "TH", "PH"]));
    // A prefix is not a substring search, and wildcards are literal.
    assert_eq!(app.get("/api/v1/participants?q=jong").await.body["items"], json!([]));
    assert_eq!(app.get("/api/v1/participants?q=%25").await.body["items"], json!([]));
}

#[actix_rt::test]
async fn participants_page_without_gaps() {
    let app = spawn_app().await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/participants?limit=4".to_owned();
    loop {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200);
        seen.extend(page.body["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()));
        match page.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/participants?limit=4&cursor={c}"),
            None => break,
        }
    }
    let all = app.get("/api/v1/participants?limit=500").await;
    let ids: Vec<i64> = all.body["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(seen, ids);
    assert!(ids.len() > 20);
}

#[actix_rt::test]
async fn a_participant_shows_its_event_count() {
    let app = spawn_app().await;
    let kim = app.get("/api/v1/participants?q=kim").await.body["items"][0].clone();
    let id = kim["id"].as_i64().unwrap();
    let detail = app.get(&format!("/api/v1/participants/{id}")).await;
    let timeline = app.get(&format!("/api/v1/timeline?participant={id}")).await;
    assert_eq!(detail.body["event_count"], timeline.keys().len());
    assert_eq!(detail.body["event_count"], 3);
    app.get("/api/v1/participants/999999").await.assert_problem_status(404);
}

#[actix_rt::test]
async fn participants_are_created_updated_and_deleted() {
    let app = spawn_app().await;
    let body = json!({"kind": "person", "name": "Lee Min", "country": "kr"});
    let created = app.post("/api/v1/participants", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.header("location"), Some(format!("/api/v1/participants/{id}")));
    assert_eq!(created.body["country"], "KR");
    app.post("/api/v1/participants", &body).await.assert_problem_status(409);

    // Use them in an event, then change their nationality: the event moves
    // from one country's timeline to the other's.
    let event = json!({"key": "lee", "kind": "visit", "title": "Lee visits", "start": "2025-05",
        "participants": [{"id": id, "role": "guest"}]});
    assert_eq!(app.post("/api/v1/events", &event).await.status, 201);
    assert!(app.get("/api/v1/timeline?country=KR").await.keys().contains(&"lee".to_owned()));
    let moved = app
        .put(&format!("/api/v1/participants/{id}"), &json!({"kind": "person", "name": "Lee Min", "country": "JP"}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert!(!app.get("/api/v1/timeline?country=KR").await.keys().contains(&"lee".to_owned()));
    assert!(app.get("/api/v1/timeline?country=JP").await.keys().contains(&"lee".to_owned()));
    let lee = app.get("/api/v1/events/lee").await;
    assert_eq!(lee.body["participants"][0]["country"], "JP", "the event shows the participant as it is now");

    app.delete(&format!("/api/v1/participants/{id}")).await.assert_problem_status(409);
    assert_eq!(app.delete("/api/v1/events/lee").await.status, 204);
    assert_eq!(app.delete(&format!("/api/v1/participants/{id}")).await.status, 204);
    app.delete(&format!("/api/v1/participants/{id}")).await.assert_problem_status(404);
    app.put("/api/v1/participants/999999", &body).await.assert_problem_status(404);
}

#[actix_rt::test]
async fn organizations_keep_their_member_countries() {
    let app = spawn_app().await;
    let body = json!({"kind": "organization", "name": "Nordic Council", "members": ["no", "SE", "FI", "DK", "IS"]});
    let created = app.post("/api/v1/participants", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["members"], json!(["NO", "SE", "FI", "DK", "IS"]));
    let bad = json!({"kind": "organization", "name": "Bad", "members": ["NO", "XX"]});
    app.post("/api/v1/participants", &bad).await.assert_problem(400, "members[1]");
}

#[actix_rt::test]
async fn bad_participants_are_refused_with_the_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({"kind": "robot", "name": "R2"}), "kind"),
        (json!({"kind": "country", "code": "XX"}), "code"),
        (json!({"kind": "country"}), "code"),
        (json!({"kind": "person", "country": "RU"}), "name"),
        (json!({"kind": "person", "name": "A", "country": "ZZ"}), "country"),
        (json!({"kind": "person", "name": "A", "code": "RU"}), "code"),
        (json!({"kind": "person", "name": ""}), "name"),
    ];
    for (body, field) in cases {
        app.post("/api/v1/participants", &body).await.assert_problem(400, field);
    }
    app.get("/api/v1/participants?kind=robot").await.assert_problem(400, "kind");
    app.get("/api/v1/participants?limit=501").await.assert_problem(400, "limit");
}
