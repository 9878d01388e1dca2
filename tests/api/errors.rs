//! Every kind of bad input gets a 4xx problem naming what is wrong, and
//! never a 500 or half a write.

use crate::helpers::{event_body, spawn_app};
use serde_json::json;

#[actix_rt::test]
async fn bad_timeline_parameters_are_400s_naming_the_parameter() {
    let app = spawn_app().await;
    let cases = [
        ("country=XX", "country"),
        ("country=RUS", "country"),
        ("match=some", "match"),
        ("from=2025-02-30", "from"),
        ("from=2025-13", "from"),
        ("from=25-01-01", "from"),
        ("to=yesterday", "to"),
        ("from=2025-06&to=2025-05", "from"),
        ("kind=party", "kind"),
        ("participant=abc", "participant"),
        ("order=up", "order"),
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("limit=", "limit"),
        ("country=RU&participant=", "participant"),
        ("limit=5&limit=6", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=WyJ4Il0", "cursor"),
        ("colour=red", "colour"),
    ];
    for (query, field) in cases {
        let reply = app.get(&format!("/api/v1/timeline?{query}")).await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        reply.assert_problem(400, field);
    }
    let nobody = app.get("/api/v1/timeline?participant=999999").await;
    nobody.assert_problem_status(404);
    assert!(nobody.body["detail"].as_str().unwrap().contains("no participant with id 999999"));
}

#[actix_rt::test]
async fn a_method_a_path_does_not_take_is_a_405_listing_those_it_does() {
    let app = spawn_app().await;
    let reply = app.request("TRACE", "/api/v1/events/some-key", &[]).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow").as_deref(), Some("GET, HEAD, PUT, DELETE"));
    assert_eq!(reply.header("content-type").as_deref(), Some("application/problem+json"));
    assert_eq!(app.request("PATCH", "/healthz", &[]).await.status, 405);
    assert_eq!(app.request("TRACE", "/no/such/path", &[]).await.status, 404);
}

#[actix_rt::test]
async fn a_cursor_from_the_other_order_is_refused() {
    let app = spawn_app().await;
    let page = app.get("/api/v1/timeline?limit=2").await;
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/timeline?limit=2&order=asc&cursor={cursor}")).await.assert_problem(400, "cursor");
}

#[actix_rt::test]
async fn bad_event_bodies_are_4xx_naming_the_field() {
    let app = spawn_app().await;
    let base = event_body("bad-1", "2025-01-01", &["RU"]);
    let with = |path: &[&str], value: serde_json::Value| {
        let mut body = base.clone();
        let mut at = &mut body;
        for (i, step) in path.iter().enumerate() {
            if i + 1 == path.len() {
                at[*step] = value.clone();
            } else {
                at = if let Ok(n) = step.parse::<usize>() { &mut at[n] } else { &mut at[*step] };
            }
        }
        body
    };
    let cases = [
        (with(&["kind"], json!("party")), "kind"),
        (with(&["start"], json!("2025-02-30")), "start"),
        (with(&["start"], json!("1.1.2025")), "start"),
        (with(&["end"], json!("2024-12-31")), "end"),
        (with(&["date_precision"], json!("week")), "date_precision"),
        (with(&["title"], json!("   ")), "title"),
        (with(&["title"], json!(5)), "title"),
        (with(&["key"], json!("has space")), "key"),
        (with(&["location"], json!({"name": "Nowhere", "lat": 95.0, "lon": 0.0})), "location.lat"),
        (with(&["location"], json!({"lat": 10.0, "lon": 181.0})), "location.lon"),
        (with(&["location"], json!({"country": "XX"})), "location.country"),
        (
            with(&["participants"], json!([{"kind": "country", "code": "RU"}, {"kind": "country", "code": "XX"}])),
            "participants[1].code",
        ),
        (with(&["participants"], json!([{"kind": "alien", "name": "Zorg"}])), "participants[0].kind"),
        (with(&["participants"], json!([{"kind": "person"}])), "participants[0].name"),
        (
            with(&["participants"], json!([{"kind": "person", "name": "A", "nationality": "RU"}])),
            "participants[0].nationality",
        ),
        (with(&["sources"], json!([{"url": "ftp://x"}])), "sources[0].url"),
        (with(&["sources"], json!([{"url": "http://["}])), "sources[0].url"),
        (with(&["sources"], json!([{"url": "https://"}])), "sources[0].url"),
        (with(&["sources"], json!([{"url": "https://a b.org/"}])), "sources[0].url"),
        (
            with(&["sources"], json!([{"url": "https://x.org/a", "published_at": "yesterday"}])),
            "sources[0].published_at",
        ),
        (with(&["sources"], json!([{"url": "https://x.org/a", "language": "russian"}])), "sources[0].language"),
        (with(&["tags"], json!("one")), "tags"),
        (with(&["tags"], json!(["one", "   "])), "tags[1]"),
        (
            with(&["participants"], json!([{"kind": "person", "name": "A", "role": "r".repeat(65)}])),
            "participants[0].role",
        ),
        (
            with(&["sources"], json!([{"url": "https://x.org/a"}, {"title": "T", "quote": "q".repeat(5_001)}])),
            "sources[1].quote",
        ),
        (with(&["colour"], json!("red")), "colour"),
    ];
    for (body, field) in cases {
        let reply = app.post("/api/v1/events", &body).await;
        assert_eq!(reply.status, 400, "{field}: {}", reply.body);
        reply.assert_problem(400, field);
    }
    // Nothing of any of them was written.
    assert_eq!(app.get("/api/v1/events/bad-1").await.status, 404);
}

#[actix_rt::test]
async fn a_whole_number_written_as_a_float_is_read_exactly_as_an_id() {
    // JSON Schema counts 7.0 as an integer, so the spec does; near 2^52 a
    // float parser that is off by one ulp would turn such an id fractional.
    let app = spawn_app().await;
    let mut body = event_body("float-id", "2025-01-01", &["RU"]);
    body["sources"] = json!([{"id": -3604824759294602.0}]);
    let reply = app.post("/api/v1/events", &body).await;
    reply.assert_problem(400, "sources[0].id");
    assert_eq!(reply.body["detail"], "no source with id -3604824759294602", "{}", reply.body);
}

#[actix_rt::test]
async fn a_day_is_never_invented_for_a_coarser_precision() {
    let app = spawn_app().await;
    let mut body = event_body("p-1", "2025-10-15", &["RU"]);
    body["date_precision"] = json!("month");
    app.post("/api/v1/events", &body).await.assert_problem(400, "start");
    body["start"] = json!("2025-10");
    body["date_precision"] = json!("day");
    app.post("/api/v1/events", &body).await.assert_problem(400, "start");
    // The first day of the period, or its short form, is fine.
    body["date_precision"] = json!("month");
    body["start"] = json!("2025-10-01");
    assert_eq!(app.post("/api/v1/events", &body).await.status, 201);
    let mut short = event_body("p-2", "2025", &["RU"]);
    short["end"] = json!("2026");
    let reply = app.post("/api/v1/events", &short).await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["date_precision"], "year");
    assert_eq!(reply.body["start"], "2025-01-01");
    assert_eq!(reply.body["end"], "2026-01-01");
}

#[actix_rt::test]
async fn malformed_oversized_and_non_json_bodies_are_refused() {
    let app = spawn_app().await;
    let reply = app.post_raw("/api/v1/events", "application/json", b"{\"key\": \"x\",".to_vec()).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["title"], "Bad Request");
    assert!(reply.body["detail"].as_str().unwrap().contains("malformed JSON"));

    let reply = app.post_raw("/api/v1/events", "text/plain", b"{}".to_vec()).await;
    assert_eq!(reply.status, 415);

    let mut huge = event_body("huge", "2025-01-01", &["RU"]);
    huge["summary"] = json!("x".repeat(2 * 1024 * 1024));
    let reply = app.post_raw("/api/v1/events", "application/json", serde_json::to_vec(&huge).unwrap()).await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.header("content-type").as_deref(), Some("application/problem+json"));
    assert_eq!(app.get("/api/v1/events/huge").await.status, 404);
}

#[actix_rt::test]
async fn a_failed_write_leaves_nothing_behind() {
    let app = spawn_app().await;
    let body = json!({"key": "half", "kind": "meeting", "title": "Half a write", "start": "2025-01-01",
        "participants": [{"kind": "person", "name": "Brand New Person", "country": "DE"}],
        "sources": [{"url": "https://example.org/brand-new"}, {"id": 999999}]});
    app.post("/api/v1/events", &body).await.assert_problem(400, "sources[1].id");
    assert_eq!(app.get("/api/v1/events/half").await.status, 404);
    let people = app.get("/api/v1/participants?q=brand").await;
    assert_eq!(people.body["items"], json!([]), "the new participant was rolled back");
    let sources = app.get("/api/v1/sources?limit=500").await;
    assert!(!sources.body.to_string().contains("brand-new"), "the new source was rolled back");
}

#[actix_rt::test]
async fn unknown_routes_and_bad_ids_are_problems() {
    let app = spawn_app().await;
    let reply = app.get("/api/v2/nothing").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("content-type").as_deref(), Some("application/problem+json"));
    app.get("/api/v1/participants/abc").await.assert_problem(400, "id");
    app.get("/api/v1/sources/1.5").await.assert_problem(400, "id");
}

#[actix_rt::test]
async fn an_unknown_parameter_is_named_and_the_known_ones_listed() {
    let app = spawn_app().await;
    let reply = app.get("/api/v1/timeline?contry=RU").await;
    reply.assert_problem(400, "contry");
    let detail = reply.body["detail"].as_str().unwrap();
    for known in ["country", "match", "from", "to", "kind", "participant", "tag", "order", "limit", "cursor"] {
        assert!(detail.contains(known), "{known} is not listed in: {detail}");
    }
    app.get("/api/v1/participants?kind=person&kind=country").await.assert_problem(400, "kind");
    app.get("/api/v1/sources?limit=0").await.assert_problem(400, "limit");
}

#[actix_rt::test]
async fn every_answer_carries_a_request_id() {
    let app = spawn_app().await;
    let ok = app.get("/api/v1/countries").await.header("x-request-id");
    let bad = app.get("/api/v1/timeline?limit=0").await.header("x-request-id");
    assert!(ok.is_some() && bad.is_some());
    assert_ne!(ok, bad, "each request has its own id");
}

#[actix_rt::test]
async fn every_input_is_bounded_and_an_error_quotes_only_a_prefix_of_it() {
    let app = spawn_app().await;
    let many = vec!["country=RU"; 5_000].join("&");
    app.get(&format!("/api/v1/timeline?{many}")).await.assert_problem(400, "country");
    let kinds = vec!["kind=visit"; 21].join("&");
    app.get(&format!("/api/v1/timeline?{kinds}")).await.assert_problem(400, "kind");
    app.get(&format!("/api/v1/timeline?tag={}", "t".repeat(65))).await.assert_problem(400, "tag");
    app.get(&format!("/api/v1/timeline?cursor={}", "A".repeat(10_000))).await.assert_problem(400, "cursor");

    // PostgreSQL's text cannot hold NUL: refused alike on both backends.
    app.get("/api/v1/participants?q=Kim%00").await.assert_problem(400, "q");
    app.get("/api/v1/timeline?tag=a%00b").await.assert_problem(400, "tag");
    let mut nul = event_body("nul-title", "2025-10-01", &["RU"]);
    nul["title"] = json!("a\u{0}b");
    app.post("/api/v1/events", &nul).await.assert_problem(400, "title");

    let key = "k".repeat(100_000);
    let reply = app.post("/api/v1/events", &event_body(&key, "2025-10-01", &["RU"])).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.len() < 600, "the error echoes {} bytes", detail.len());
    assert!(detail.contains(&"k".repeat(64)) && detail.contains('…'), "{detail}");
}
