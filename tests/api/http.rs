//! What a browser on another site relies on: ETags and 304s, CORS, and
//! compression.

use crate::helpers::{fresh_database, spawn_app, spawn_app_with};
use serde_json::json;
use std::io::Read;
use timeline::cors::CorsPolicy;
use timeline::http_cache::CachePolicy;
use timeline::startup::HttpOptions;

const KP_PAGE: &str = "/api/v1/timeline?country=KP&limit=5";

#[actix_rt::test]
async fn an_unchanged_page_is_a_304_with_no_body_and_a_write_changes_its_tag() {
    let app = spawn_app().await;
    let first = app.get_with(KP_PAGE, &[]).await;
    let tag = first.header("etag").expect("an ETag");
    assert!(tag.starts_with('"') && !tag.starts_with("W/"), "a strong tag: {tag}");
    assert_eq!(first.header("cache-control").as_deref(), Some("public, max-age=60"));

    let again = app.get_with(KP_PAGE, &[("If-None-Match", &tag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.bytes.is_empty());
    assert_eq!(again.header("etag"), Some(tag.clone()));
    assert_eq!(app.get_with(KP_PAGE, &[("If-None-Match", "\"other\"")]).await.status, 200);
    let any = app.get_with(KP_PAGE, &[("If-None-Match", "*")]).await;
    assert_eq!((any.status, any.header("etag")), (304, Some(tag.clone())), "`*`: the page exists; its tag is ours");
    // Another page has another tag.
    assert_ne!(app.get_with("/api/v1/timeline?country=RU&limit=5", &[]).await.header("etag"), Some(tag.clone()));

    let key = first.json()["items"][0]["key"].as_str().unwrap().to_owned();
    let mut event = app.get(&format!("/api/v1/events/{key}")).await.body;
    event["title"] = json!("A new title");
    for derived in [
        "earliest",
        "latest",
        "lasted",
        "precision",
        "display_date",
        "start",
        "end",
        "date_precision",
        "created_at",
        "updated_at",
    ] {
        event.as_object_mut().unwrap().remove(derived);
    }
    let put = app.put(&format!("/api/v1/events/{key}"), &event).await;
    assert_eq!(put.status, 200, "{}", put.body);
    let after = app.get_with(KP_PAGE, &[("If-None-Match", &tag)]).await;
    assert_eq!(after.status, 200, "the page changed");
    assert_ne!(after.header("etag"), Some(tag));
    assert_eq!(after.json()["items"][0]["title"], "A new title");
}

#[actix_rt::test]
async fn renaming_a_participant_changes_the_tag_of_every_page_that_names_it() {
    let app = spawn_app().await;
    let kim = app.get("/api/v1/participants?q=kim").await.body["items"][0].clone();
    let id = kim["id"].as_i64().unwrap();
    let page = format!("/api/v1/timeline?participant={id}");
    let before = app.get_with(&page, &[]).await.header("etag").unwrap();
    let event_before = app.get_with("/api/v1/events/2025-10-kim-jong-un-friendship-at-peak", &[]).await;
    let renamed = app
        .put(&format!("/api/v1/participants/{id}"), &json!({"kind": "person", "name": "Kim Jong-un", "country": "KP"}))
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let after = app.get_with(&page, &[("If-None-Match", &before)]).await;
    assert_eq!(after.status, 200);
    assert!(after.text().contains("Kim Jong-un"));
    let event_tag = event_before.header("etag").unwrap();
    let event_after =
        app.get_with("/api/v1/events/2025-10-kim-jong-un-friendship-at-peak", &[("If-None-Match", &event_tag)]).await;
    assert_eq!(event_after.status, 200, "the event names the renamed participant");
    // A page that does not name him keeps its tag.
    let other = "/api/v1/timeline?country=MY";
    let tag = app.get_with(other, &[]).await.header("etag").unwrap();
    assert_eq!(app.get_with(other, &[("If-None-Match", &tag)]).await.status, 304);
}

#[actix_rt::test]
async fn every_format_and_listing_has_a_tag_and_the_cache_policy_is_configurable() {
    let options = HttpOptions { cache: CachePolicy::max_age(0), ..HttpOptions::default() };
    let app = spawn_app_with(fresh_database().await, options).await;
    for path in [
        "/api/v1/timeline?format=ics",
        "/api/v1/timeline?format=csv",
        "/api/v1/countries",
        "/api/v1/participants",
        "/api/v1/sources",
    ] {
        let reply = app.get_with(path, &[]).await;
        assert_eq!(reply.status, 200, "{path}");
        let tag = reply.header("etag").unwrap_or_else(|| panic!("{path} has no ETag"));
        assert_eq!(reply.header("cache-control").as_deref(), Some("no-cache"));
        assert_eq!(app.get_with(path, &[("If-None-Match", &tag)]).await.status, 304, "{path}");
    }
    // Errors are not cached.
    let missing = app.get_with("/api/v1/events/no-such-event", &[]).await;
    assert_eq!(missing.status, 404);
    assert!(missing.header("etag").is_none() && missing.header("cache-control").is_none());
}

#[actix_rt::test]
async fn any_origin_may_read_and_sees_link_and_etag() {
    let app = spawn_app().await;
    let origin = ("Origin", "https://news.example");
    let preflight = app
        .request(
            "OPTIONS",
            "/api/v1/timeline",
            &[
                origin,
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "if-none-match, prefer"),
            ],
        )
        .await;
    assert_eq!(preflight.status, 200, "{}", preflight.text());
    assert_eq!(preflight.header("access-control-allow-origin").as_deref(), Some("https://news.example"));
    let allowed = preflight.header("access-control-allow-headers").unwrap();
    assert!(allowed.contains("if-none-match") && allowed.contains("prefer"), "{allowed}");

    let read = app.get_with("/api/v1/timeline?limit=2", &[origin]).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("access-control-allow-origin").as_deref(), Some("https://news.example"));
    let exposed = read.header("access-control-expose-headers").unwrap().to_lowercase();
    assert!(exposed.contains("link") && exposed.contains("etag"), "{exposed}");
    assert!(exposed.contains("preference-applied"), "{exposed}");
    assert!(read.header("vary").unwrap().contains("Origin"));
    // With no replica every read is of the primary: the preference is
    // served, and nothing had to be applied (scripts/replica-test has one).
    let primary = app.get_with("/api/v1/timeline?limit=2", &[origin, ("Prefer", "read-your-writes")]).await;
    assert_eq!(primary.status, 200);
    assert_eq!(primary.bytes, read.bytes);
    assert!(primary.header("preference-applied").is_none());
}

#[actix_rt::test]
async fn writes_are_open_only_to_the_origins_named_for_them() {
    let app = spawn_app().await;
    let asks_to_put = |origin| {
        [
            ("Origin", origin),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type"),
        ]
    };
    let refused = app.request("OPTIONS", "/api/v1/events/a-key", &asks_to_put("https://news.example")).await;
    assert!(refused.header("access-control-allow-origin").is_none(), "a browser will not send the PUT");
    assert_eq!(refused.status, 403);
    assert_eq!(refused.header("content-type").as_deref(), Some("application/problem+json"));
    assert!(refused.text().contains("origin 'https://news.example' may not"), "{}", refused.text());

    let options = HttpOptions {
        cors: CorsPolicy::new("https://reader.example", "https://editor.example").unwrap(),
        ..HttpOptions::default()
    };
    let app = spawn_app_with(fresh_database().await, options).await;
    let editor = app.request("OPTIONS", "/api/v1/events/a-key", &asks_to_put("https://editor.example")).await;
    assert_eq!(editor.header("access-control-allow-origin").as_deref(), Some("https://editor.example"));
    assert!(editor.header("access-control-allow-methods").unwrap().contains("PUT"));
    let reader = app.request("OPTIONS", "/api/v1/events/a-key", &asks_to_put("https://reader.example")).await;
    assert!(reader.header("access-control-allow-origin").is_none());
    let read = app.get_with("/api/v1/timeline", &[("Origin", "https://reader.example")]).await;
    assert_eq!(read.header("access-control-allow-origin").as_deref(), Some("https://reader.example"));
    let stranger = app.get_with("/api/v1/timeline", &[("Origin", "https://stranger.example")]).await;
    assert!(stranger.header("access-control-allow-origin").is_none(), "only the listed origins read");
}

#[actix_rt::test]
async fn an_export_is_tagged_by_what_it_is_made_of_and_any_write_changes_the_tag() {
    let app = spawn_app().await;
    let feed = "/api/v1/export?format=ics&country=RU&country=KP&match=all";
    let first = app.get_with(feed, &[]).await;
    assert_eq!(first.status, 200);
    let tag = first.header("etag").expect("an export has a tag");
    assert_eq!(first.header("cache-control").as_deref(), Some("public, max-age=60"));
    let unchanged = app.get_with(feed, &[("If-None-Match", &tag)]).await;
    assert_eq!((unchanged.status, unchanged.bytes.len()), (304, 0));
    assert_eq!(unchanged.header("etag"), Some(tag.clone()));
    assert!(unchanged.header("vary").unwrap().starts_with("Accept"));
    assert_eq!(app.get_with(feed, &[]).await.bytes, first.bytes, "the same tag, the same body");
    // Another format or filter is another representation.
    let csv = app.get_with("/api/v1/export?format=csv&country=RU&country=KP&match=all", &[]).await;
    assert_ne!(csv.header("etag"), Some(tag.clone()));
    let by_accept =
        app.get_with("/api/v1/export?country=RU&country=KP&match=all", &[("Accept", "text/calendar")]).await;
    assert!(by_accept.header("content-type").unwrap().starts_with("text/calendar"));
    assert_ne!(by_accept.header("etag"), Some(tag.clone()), "the query differs");

    // Any committed write changes it, even of something the export omits:
    // the tag is made before the body, from the data's version.
    let created = app.post("/api/v1/sources", &json!({"title": "Some wire", "url": "https://wire.example/1"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let after = app.get_with(feed, &[("If-None-Match", &tag)]).await;
    assert_eq!(after.status, 200);
    let new_tag = after.header("etag").unwrap();
    assert_ne!(new_tag, tag);
    assert_eq!(app.get_with(feed, &[("If-None-Match", &new_tag)]).await.status, 304);
    let imported = app
        .post_raw(
            "/api/v1/import",
            "application/x-ndjson",
            serde_json::to_vec(&crate::helpers::event_body("tag-check", "2025-10-02", &["RU", "KP"])).unwrap(),
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let after_import = app.get_with(feed, &[("If-None-Match", &new_tag)]).await;
    assert_eq!(after_import.status, 200);
    assert!(after_import.text().contains("tag-check@timeline"));
}

#[actix_rt::test]
async fn head_answers_what_get_would_without_the_body() {
    let app = spawn_app().await;
    for path in [KP_PAGE, "/api/v1/export?country=KP", "/api/v1/events/2025-10-kim-jong-un-friendship-at-peak", "/"] {
        let get = app.get_with(path, &[]).await;
        let head = app.request("HEAD", path, &[]).await;
        assert_eq!(head.status, 200, "{path}");
        assert!(head.bytes.is_empty(), "{path}");
        assert_eq!(head.header("etag"), get.header("etag"), "{path}");
        assert_eq!(head.header("content-type"), get.header("content-type"), "{path}");
        let tag = get.header("etag").unwrap();
        assert_eq!(app.request("HEAD", path, &[("If-None-Match", &tag)]).await.status, 304, "{path}");
    }
    assert_eq!(app.request("HEAD", "/api/v1/events/no-such-event", &[]).await.status, 404);
}

#[actix_rt::test]
async fn pages_are_compressed_when_asked_and_each_coding_has_its_own_tag() {
    let app = spawn_app().await;
    let path = "/api/v1/timeline?limit=100";
    let plain = app.get_with(path, &[]).await;
    assert!(plain.header("content-encoding").is_none());
    let plain_tag = plain.header("etag").unwrap();
    for (coding, decode) in [("gzip", gunzip as fn(&[u8]) -> Vec<u8>), ("br", unbrotli)] {
        let reply = app.get_with(path, &[("Accept-Encoding", coding)]).await;
        assert_eq!(reply.header("content-encoding").as_deref(), Some(coding));
        assert!(
            reply.bytes.len() * 2 < plain.bytes.len(),
            "{coding}: {} of {} bytes",
            reply.bytes.len(),
            plain.bytes.len()
        );
        assert_eq!(decode(&reply.bytes), plain.bytes);
        let tag = reply.header("etag").unwrap();
        assert_eq!(tag, format!("{}-{coding}\"", plain_tag.trim_end_matches('"')));
        let varies: Vec<String> =
            reply.headers.get_all("vary").filter_map(|v| v.to_str().ok()).map(str::to_lowercase).collect();
        assert!(varies.iter().any(|v| v.contains("accept-encoding")), "{varies:?}");
        let revalidated = app.get_with(path, &[("Accept-Encoding", coding), ("If-None-Match", &tag)]).await;
        assert_eq!((revalidated.status, revalidated.header("etag")), (304, Some(tag)));
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).unwrap();
    out
}

#[actix_rt::test]
async fn a_browser_that_accepts_everything_gets_zstd_not_the_costly_brotli() {
    let app = spawn_app().await;
    let reply = app.get_with("/api/v1/timeline?limit=100", &[("Accept-Encoding", "gzip, deflate, br, zstd")]).await;
    assert_eq!(reply.header("content-encoding").as_deref(), Some("zstd"));
    assert!(reply.header("etag").unwrap().ends_with("-zstd\""));
    let gzip_or_br = app.get_with("/api/v1/timeline?limit=100", &[("Accept-Encoding", "br, gzip")]).await;
    assert_eq!(gzip_or_br.header("content-encoding").as_deref(), Some("gzip"));
}

#[actix_rt::test]
async fn the_page_and_the_widget_are_served_from_the_binary_to_any_site() {
    let app = spawn_app().await;
    let page = app.get_with("/", &[]).await;
    assert_eq!(page.header("content-type").as_deref(), Some("text/html; charset=utf-8"));
    assert!(page.text().contains("/swagger-ui/") && page.text().contains("vis-timeline-graph2d.min.js"));
    let widget = app.get_with("/widget.js", &[("Origin", "https://news.example")]).await;
    assert_eq!(widget.header("content-type").as_deref(), Some("text/javascript; charset=utf-8"));
    assert!(widget.text().contains("customElements.define('timeline-widget'"));
    assert_eq!(widget.header("access-control-allow-origin").as_deref(), Some("https://news.example"));
    let library = app.get_with("/vendor/vis-timeline/vis-timeline-graph2d.min.js", &[]).await;
    assert_eq!(library.status, 200);
    assert!(library.header("etag").is_some());
    assert_eq!(app.get_with("/swagger-ui/", &[]).await.status, 200);
}
