//! What operators and load balancers rely on: health, readiness, metrics,
//! request ids, a database outage answered with 503s, and a clean stop.

use crate::helpers::{event_body, fresh_database, spawn_app};
use sea_orm::ConnectionTrait;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use timeline::db::Db;

#[actix_rt::test]
async fn health_readiness_and_metrics_by_route() {
    let app = spawn_app().await;
    let health = app.request("GET", "/healthz", &[]).await;
    assert_eq!((health.status, health.text()), (200, "ok\n".to_owned()));
    assert_eq!(app.request("GET", "/readyz", &[]).await.status, 200);

    for key in ["2025-10-kim-jong-un-friendship-at-peak", "no-such-event"] {
        app.get(&format!("/api/v1/events/{key}")).await;
    }
    app.get("/no/such/endpoint").await;
    let line = serde_json::to_vec(&event_body("metrics-check", "2025-10-01", &["RU"])).unwrap();
    assert_eq!(app.post_raw("/api/v1/import", "application/x-ndjson", line).await.status, 200);

    let scrape = app.request("GET", "/metrics", &[]).await;
    assert_eq!(scrape.status, 200);
    assert!(scrape.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
    let text = scrape.text();
    let has = |needle: &str| text.lines().any(|l| l.starts_with(needle));
    assert!(has(r#"timeline_http_requests_total{method="GET",route="/api/v1/events/{key}",status="200"} 1"#), "{text}");
    assert!(has(r#"timeline_http_requests_total{method="GET",route="/api/v1/events/{key}",status="404"} 1"#));
    assert!(has(r#"timeline_http_requests_total{method="GET",route="unmatched",status="404"} 1"#));
    assert!(!text.contains("no-such-event"), "paths never become labels");
    assert!(
        has(r#"timeline_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/v1/events/{key}"} 2"#)
            || has(
                r#"timeline_http_request_duration_seconds_bucket{method="GET",route="/api/v1/events/{key}",le="+Inf"} 2"#
            ),
        "{text}"
    );
    assert!(has(r#"timeline_imported_events_total{outcome="created"} 1"#));
    assert!(has(r#"timeline_db_pool_connections{database="primary",state="idle"}"#));
}

#[actix_rt::test]
async fn a_request_id_is_taken_from_the_client_when_sane_and_made_otherwise() {
    let app = spawn_app().await;
    let given = app.request("GET", "/healthz", &[("X-Request-Id", "lb-7f3a.91")]).await;
    assert_eq!(given.header("x-request-id").as_deref(), Some("lb-7f3a.91"));
    let forged = app.request("GET", "/healthz", &[("X-Request-Id", "a b\" injected=1")]).await;
    let made = forged.header("x-request-id").unwrap();
    assert!(made.len() == 16 && made.chars().all(|c| c.is_ascii_hexdigit()), "{made}");
    let other = app.request("GET", "/healthz", &[]).await.header("x-request-id").unwrap();
    assert_ne!(made, other);
}

/// Cuts every connection to the database `name`, as a restart does.
async fn cut_every_connection(admin: &Db, name: &str) {
    let sql = format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'");
    admin.conn().execute_unprepared(&sql).await.unwrap();
}

/// PostgreSQL going away and coming back: the database refuses connections
/// and the open ones are cut, as in a restart. SQLite is a file the process
/// holds open, so there is nothing to go away.
#[actix_rt::test]
async fn while_postgresql_refuses_connections_requests_answer_503_and_then_recover() {
    let app = spawn_app().await;
    let Some((admin, name)) = app.database().postgres() else {
        eprintln!("PostgreSQL only: SQLite has no server to lose");
        return;
    };
    let page = "/api/v1/events/2025-10-kim-jong-un-friendship-at-peak";
    assert_eq!(app.get(page).await.status, 200);
    let admin = Db::connect(&admin).await.unwrap();
    let sql = |s: String| {
        let admin = &admin;
        async move { admin.conn().execute_unprepared(&s).await.unwrap() }
    };
    sql(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).await;
    cut_every_connection(&admin, &name).await;

    for path in [page, "/api/v1/timeline?country=KP", "/readyz"] {
        let started = Instant::now();
        let down = app.request("GET", path, &[]).await;
        assert!(started.elapsed() < Duration::from_secs(6), "{path} took {:?}", started.elapsed());
        assert_eq!(down.status, 503, "{path}: {}", down.text());
        assert_eq!(down.header("retry-after").as_deref(), Some("5"));
        assert_eq!(down.header("content-type").as_deref(), Some("application/problem+json"));
    }

    sql(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).await;
    // Connections the pools held when they were cut (the reads' and the
    // rest's, which `/readyz` checks with) fail once each, as a 503 a
    // client retries; then each pool connects afresh.
    let back = Instant::now();
    while app.get(page).await.status != 200 || app.request("GET", "/readyz", &[]).await.status != 200 {
        assert!(back.elapsed() < Duration::from_secs(10), "it recovers by itself");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    admin.close().await.unwrap();
}

/// PostgreSQL cutting every connection (a restart, a failover) while it
/// goes on accepting new ones: a read on a connection it cut runs again on
/// a new one, so it is answered at once; and a write that commits is
/// answered 201, not a 503 from reading it back on a cut connection (which
/// a client would retry into a 409).
#[actix_rt::test]
async fn after_postgresql_cuts_every_connection_reads_are_answered_and_a_committed_write_too() {
    let app = spawn_app().await;
    let Some((admin, name)) = app.database().postgres() else {
        eprintln!("PostgreSQL only: SQLite has no server to lose");
        return;
    };
    let admin = Db::connect(&admin).await.unwrap();
    let page = "/api/v1/events/2025-10-kim-jong-un-friendship-at-peak";
    assert_eq!(app.get(page).await.status, 200);
    cut_every_connection(&admin, &name).await;
    assert_eq!(app.get(page).await.status, 200);
    assert_eq!(app.get("/api/v1/timeline?country=KP").await.status, 200);

    assert_eq!(app.get(page).await.status, 200);
    cut_every_connection(&admin, &name).await;
    // The write's own connection may have been cut: a 503, nothing written.
    let body = event_body("after-the-cut", "2026-12-04", &["RU"]);
    let mut written = app.post("/api/v1/events", &body).await;
    for _ in 0..20 {
        if written.status != 503 {
            break;
        }
        written = app.post("/api/v1/events", &body).await;
    }
    assert_eq!(written.status, 201, "{}", written.body);
    admin.close().await.unwrap();
}

/// SIGTERM: the import in flight finishes and is answered, new connections
/// are refused, the process exits, and SQLite's WAL is checkpointed.
#[actix_rt::test]
async fn sigterm_lets_the_request_in_flight_finish_and_closes_the_database() {
    let test_db = fresh_database().await;
    let url = test_db.url.clone();
    let bin = env!("CARGO_BIN_EXE_timeline");
    let token = Command::new(bin).args(["--database-url", &url, "token", "create", "--name", "t"]).output().unwrap();
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(bin)
        .args(["--database-url", &url, "--bind", &format!("127.0.0.1:{port}"), "--shutdown-timeout", "20", "serve"])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let address = format!("127.0.0.1:{port}");
    let started = Instant::now();
    let mut conn = loop {
        match TcpStream::connect(&address) {
            Ok(conn) => break conn,
            Err(_) if started.elapsed() < Duration::from_secs(20) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("the server did not start: {e}"),
        }
    };
    let lines: Vec<String> = (0..3)
        .map(|i| serde_json::to_string(&event_body(&format!("drain-{i}"), "2025-10-01", &["RU"])).unwrap())
        .collect();
    let body = lines.join("\n");
    let head = format!(
        "POST /api/v1/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    conn.write_all(first.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));

    let term = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(term.success());
    std::thread::sleep(Duration::from_millis(500));
    assert!(TcpStream::connect(&address).is_err(), "no new connections while draining");
    conn.write_all(rest.as_bytes()).unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""created":3"#), "{answer}");

    let exit = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not exit");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit}");
    let mut log = String::new();
    server.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(log.contains("the database is closed"), "{log}");
    if let Some(file) = url.strip_prefix("sqlite://").map(|rest| rest.trim_end_matches("?mode=rwc")) {
        let wal = std::fs::metadata(format!("{file}-wal")).map(|m| m.len()).unwrap_or(0);
        assert_eq!(wal, 0, "the WAL was checkpointed into the database");
    }
    let db = Db::connect(&url).await.unwrap();
    let kept = db
        .conn()
        .query_all_raw(sea_orm::Statement::from_string(
            db.conn().get_database_backend(),
            "SELECT key FROM events WHERE key LIKE 'drain-%'",
        ))
        .await
        .unwrap();
    assert_eq!(kept.len(), 3);
    db.close().await.unwrap();
}
