//! Who may write: reads are public, every write needs a token that may
//! write, and a token's secret is never kept or shown again.

use crate::helpers::{event_body, fresh_database, spawn_app, spawn_app_on};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use std::process::Command;
use timeline::db::Db;

#[actix_rt::test]
async fn every_write_the_spec_lists_needs_a_token_and_says_so() {
    let app = spawn_app().await;
    let spec = app.get("/api-docs/openapi.json").await.body;
    assert_eq!(spec["components"]["securitySchemes"]["bearer_token"]["scheme"], "bearer");
    let mut writes = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if method == "get" {
                assert!(operation.get("security").is_none(), "GET {path} is public");
                continue;
            }
            writes += 1;
            assert_eq!(operation["security"][0]["bearer_token"], Value::Array(vec![]), "{method} {path}");
            for status in ["401", "403"] {
                assert!(operation["responses"].get(status).is_some(), "{method} {path} declares {status}");
            }
            let concrete = path.replace("{key}", "some-key").replace("{id}", "1");
            let reply = app.request(&method.to_uppercase(), &concrete, &[("Content-Type", "application/json")]).await;
            assert_eq!(reply.status, 401, "{method} {path} without a token: {}", reply.text());
            assert_eq!(reply.header("www-authenticate").as_deref(), Some(r#"Bearer realm="timeline""#));
            assert_eq!(reply.header("content-type").as_deref(), Some("application/problem+json"));
        }
    }
    assert_eq!(writes, 10, "create, replace and delete of events, participants and sources, and import");
    // Reads need none.
    assert_eq!(app.request("GET", "/api/v1/timeline?limit=1", &[]).await.status, 200);
}

#[actix_rt::test]
async fn a_token_that_is_unknown_read_only_or_revoked_cannot_write() {
    let test_db = fresh_database().await;
    let url = test_db.url.clone();
    let app = spawn_app_on(test_db).await;
    let db = Db::connect(&url).await.unwrap();
    let reader = timeline::store::create_token(&db, "reader", true).await.unwrap();
    let editor = timeline::store::create_token(&db, "editor", false).await.unwrap();
    let put = |secret: String| {
        let body = serde_json::to_string(&event_body("auth-check", "2025-10-01", &["RU"])).unwrap();
        let app = &app;
        async move {
            let auth = format!("Bearer {secret}");
            let headers = [("Content-Type", "application/json"), ("Authorization", auth.as_str())];
            app.request_with_body("PUT", "/api/v1/events/auth-check", &headers, body.into_bytes()).await
        }
    };

    let stranger = put("tl_not-a-token-of-ours".into()).await;
    assert_eq!(stranger.status, 401);
    assert_eq!(
        stranger.header("www-authenticate").as_deref(),
        Some(r#"Bearer realm="timeline", error="invalid_token""#)
    );
    let huge = put("x".repeat(100_000)).await;
    assert_eq!(huge.status, 401);
    assert!(huge.bytes.len() < 1_000, "the error does not echo the header");

    let read_only = put(reader.expose().to_owned()).await;
    assert_eq!(read_only.status, 403, "{}", read_only.text());
    assert!(read_only.text().contains("'reader' is read-only"));

    assert_eq!(put(editor.expose().to_owned()).await.status, 201);
    assert!(timeline::store::revoke_token(&db, "editor").await.unwrap());
    let revoked = put(editor.expose().to_owned()).await;
    assert_eq!(revoked.status, 403);
    assert!(revoked.text().contains("'editor' was revoked"), "{}", revoked.text());
    // The name is free again, for the token that replaces it.
    let replacement = timeline::store::create_token(&db, "editor", false).await.unwrap();
    assert_eq!(put(replacement.expose().to_owned()).await.status, 200);
    let twice = timeline::store::create_token(&db, "editor", false).await;
    assert!(twice.is_err(), "two live tokens may not share a name");

    // Only hashes are kept.
    let rows = db
        .conn()
        .query_all_raw(Statement::from_string(db.conn().get_database_backend(), "SELECT * FROM api_tokens"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 4, "tests, reader, the revoked editor and its replacement");
    let dump = format!("{rows:?}");
    for secret in [&reader, &editor, &replacement] {
        assert!(!dump.contains(secret.expose()));
    }
    db.close().await.unwrap();
}

#[actix_rt::test]
async fn the_command_line_makes_lists_and_revokes_tokens() {
    let test_db = fresh_database().await;
    let timeline = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_timeline"))
            .args(["--database-url", &test_db.url, "token"])
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .expect("the binary runs");
        (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (ok, secret, told) = timeline(&["create", "--name", "newsroom"]);
    assert!(ok, "{told}");
    let secret = secret.trim().to_owned();
    assert!(secret.starts_with("tl_") && told.contains("only time"), "{told}");
    let (ok, listed, _) = timeline(&["list"]);
    assert!(ok && listed.contains("newsroom") && listed.contains("writes"), "{listed}");
    assert!(!listed.contains(&secret));

    let url = test_db.url.clone();
    let app = spawn_app_on(test_db).await;
    let auth = format!("Bearer {secret}");
    let body = serde_json::to_vec(&event_body("cli-token", "2025-10-01", &["RU"])).unwrap();
    let headers = [("Content-Type", "application/json"), ("Authorization", auth.as_str())];
    assert_eq!(app.request_with_body("POST", "/api/v1/events", &headers, body.clone()).await.status, 201);

    let revoke = Command::new(env!("CARGO_BIN_EXE_timeline"))
        .args(["--database-url", &url, "token", "revoke", "newsroom"])
        .output()
        .unwrap();
    assert!(revoke.status.success());
    assert_eq!(app.request_with_body("PUT", "/api/v1/events/cli-token", &headers, body).await.status, 403);
}
