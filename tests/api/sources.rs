use crate::helpers::{event_body, spawn_app};
use serde_json::json;

#[actix_rt::test]
async fn the_article_backs_every_seeded_event() {
    let app = spawn_app().await;
    let list = app.get("/api/v1/sources").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let article = &list.body["items"][0];
    assert_eq!(article["title"], "Замминистра исключил принцип «против кого мы за» в союзе с КНДР");
    assert_eq!(article["published"], "2025-11-01", "the article gives its date, not a time");
    assert!(article["published_at"].is_null());
    assert!(article["url"].is_null(), "the article has no address, and none is made up");
    assert_eq!(article["language"], "ru");
    assert!(article["publisher"].is_null());
    let id = article["id"].as_i64().unwrap();
    let detail = app.get(&format!("/api/v1/sources/{id}")).await;
    assert_eq!(detail.body["event_count"], 7);
    assert_eq!(detail.body["events"].as_array().unwrap().len(), 7);
    assert_eq!(detail.body["events"][0]["key"], "2025-11-01-admm-plus-kuala-lumpur");
}

#[actix_rt::test]
async fn sources_are_created_updated_and_deleted() {
    let app = spawn_app().await;
    let body = json!({"url": "https://example.org/report", "title": "Report", "publisher": "Example",
        "published_at": "2025-11-02T10:00:00+03:00", "language": "EN"});
    let created = app.post("/api/v1/sources", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["published_at"], "2025-11-02T07:00:00Z");
    assert_eq!(created.body["language"], "en");
    let id = created.body["id"].as_i64().unwrap();
    app.post("/api/v1/sources", &body).await.assert_problem(409, "url");

    let mut event = event_body("cited", "2025-11-02", &["RU"]);
    event["sources"] = json!([{"id": id}]);
    assert_eq!(app.post("/api/v1/events", &event).await.status, 201);
    app.delete(&format!("/api/v1/sources/{id}")).await.assert_problem_status(409);

    let renamed = app
        .put(&format!("/api/v1/sources/{id}"), &json!({"url": "https://example.org/report", "title": "Renamed"}))
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(app.get("/api/v1/events/cited").await.body["sources"][0]["title"], "Renamed");

    assert_eq!(app.delete("/api/v1/events/cited").await.status, 204);
    assert_eq!(app.delete(&format!("/api/v1/sources/{id}")).await.status, 204);
    app.get(&format!("/api/v1/sources/{id}")).await.assert_problem_status(404);
}

#[actix_rt::test]
async fn bad_sources_are_refused_with_the_field() {
    let app = spawn_app().await;
    app.post("/api/v1/sources", &json!({"url": "not a url"})).await.assert_problem(400, "url");
    // Over the spec's `maxLength`, even when it is blank once trimmed.
    let blank = "\u{a0}".repeat(2_049);
    app.post("/api/v1/sources", &json!({"url": blank, "title": "T"})).await.assert_problem(400, "url");
    app.post("/api/v1/sources", &json!({"url": "https://a.org", "published_at": "2025-13-01"}))
        .await
        .assert_problem(400, "published_at");
    app.post("/api/v1/sources", &json!({"publisher": "no url, no title"})).await.assert_problem(400, "title");
    app.post("/api/v1/sources", &json!({"title": "T", "published": "2025-02-30"}))
        .await
        .assert_problem(400, "published");
    app.post(
        "/api/v1/sources",
        &json!({"title": "T", "published": "2025-11-01", "published_at": "2025-11-02T10:00:00Z"}),
    )
    .await
    .assert_problem(400, "published_at");
    app.get("/api/v1/sources?cursor=abc").await.assert_problem(400, "cursor");
}

#[actix_rt::test]
async fn a_source_without_a_url_is_known_by_its_title_publisher_and_date() {
    let app = spawn_app().await;
    let paper = json!({"title": "Pravda, front page", "publisher": "Pravda", "published": "2025-10", "language": "ru"});
    let created = app.post("/api/v1/sources", &paper).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.body["url"].is_null());
    assert_eq!(created.body["published"], "2025-10");
    app.post("/api/v1/sources", &paper).await.assert_problem(409, "title");
    // Another date is another source.
    let next = json!({"title": "Pravda, front page", "publisher": "Pravda", "published": "2025-11"});
    assert_eq!(app.post("/api/v1/sources", &next).await.status, 201);

    // An event naming it the same way cites that source, with its own quote.
    let mut event = event_body("from-print", "2025-10", &["RU"]);
    event["sources"] = json!([{"title": "Pravda, front page", "publisher": "Pravda", "published": "2025-10",
        "quote": "Цитата из газеты.", "note": "page 1"}]);
    assert_eq!(app.post("/api/v1/events", &event).await.status, 201);
    let cited = &app.get("/api/v1/events/from-print").await.body["sources"][0];
    assert_eq!(cited["id"], created.body["id"]);
    assert_eq!((cited["quote"].as_str(), cited["note"].as_str()), (Some("Цитата из газеты."), Some("page 1")));
    assert_eq!(app.get("/api/v1/sources").await.body["items"].as_array().unwrap().len(), 3);
}

#[actix_rt::test]
async fn a_time_of_publication_is_kept_as_given_and_as_published_at() {
    let app = spawn_app().await;
    let body = json!({"url": "https://example.org/timed", "published": "2025-11-02T10:00:00+03:00"});
    let created = app.post("/api/v1/sources", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["published"], "2025-11-02T07:00:00Z");
    assert_eq!(created.body["published_at"], "2025-11-02T07:00:00Z");
}
