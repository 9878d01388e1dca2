//! Killed mid-write (SIGKILL, no chance to clean up): after a restart the
//! database passes its own integrity check, every write that was answered
//! 2xx is there, no event is half-written, and the import run again
//! finishes the job. On both backends.

use crate::helpers::{event_body, fresh_database};
use sea_orm::{ConnectionTrait, Statement};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use timeline::db::Db;

const BIN: &str = env!("CARGO_BIN_EXE_timeline");

pub(crate) fn serve(url: &str, port: u16) -> Child {
    let child = Command::new(BIN)
        .args(["--database-url", url, "--bind", &format!("127.0.0.1:{port}"), "serve"])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// One request on a connection of its own; the status, or `None` when the
/// server went away before answering.
fn send(port: u16, method: &str, path: &str, token: &str, body: &[u8]) -> Option<u16> {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).ok()?;
    conn.write_all(body).ok()?;
    let mut answer = String::new();
    conn.read_to_string(&mut answer).ok()?;
    answer.get(9..12)?.parse().ok()
}

fn lines(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        let countries: &[&str] = if i % 2 == 0 { &["RU", "KP"] } else { &["CN", "IN", "BR"] };
        serde_json::to_writer(&mut out, &event_body(&format!("bulk-{i}"), "2024-03-01", countries)).unwrap();
        out.push(b'\n');
    }
    out
}

#[actix_rt::test]
async fn a_server_killed_mid_import_and_mid_writes_loses_nothing_it_confirmed() {
    let test_db = fresh_database().await;
    let url = test_db.url.clone();
    let token =
        Command::new(BIN).args(["--database-url", &url, "token", "create", "--name", "crash"]).output().unwrap();
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = serve(&url, port);

    // A long import, its body sent slowly so that the kill lands inside it.
    let body = lines(20_000);
    let importing = {
        let (token, body) = (token.clone(), body.clone());
        std::thread::spawn(move || {
            let Ok(mut conn) = TcpStream::connect(("127.0.0.1", port)) else { return };
            let head = format!(
                "POST /api/v1/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(head.as_bytes());
            for chunk in body.chunks(64 * 1024) {
                if conn.write_all(chunk).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    // A burst of writes beside it; each confirmed key is remembered.
    let confirmed = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (token, confirmed) = (token.clone(), confirmed.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    let key = format!("burst-{w}-{i}");
                    let body = serde_json::to_vec(&event_body(&key, "2025-10-01", &["RU", "KP"])).unwrap();
                    match send(port, "PUT", &format!("/api/v1/events/{key}"), &token, &body) {
                        Some(201) => confirmed.lock().unwrap().push(key),
                        Some(status) => assert!(status == 503, "{key}: {status}"),
                        None => return,
                    }
                }
            })
        })
        .collect();

    std::thread::sleep(Duration::from_millis(2_500));
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for writer in writers {
        writer.join().unwrap();
    }
    importing.join().unwrap();
    let confirmed = confirmed.lock().unwrap().clone();
    assert!(!confirmed.is_empty(), "some writes were answered before the kill");

    let db = Db::connect(&url).await.unwrap();
    assert_consistent(&db, &test_db).await;
    let query = |sql: &str| Statement::from_string(db.conn().get_database_backend(), sql.to_owned());
    let imported = db.conn().query_all_raw(query("SELECT id FROM events WHERE key LIKE 'bulk-%'")).await.unwrap().len();
    eprintln!("killed with {} confirmed writes and {imported} of 20,000 imported events committed", confirmed.len());
    assert!(imported < 20_000, "the kill landed before the import ended");
    db.close().await.unwrap();

    let mut server = serve(&url, port);
    let client = awc::Client::default();
    for key in &confirmed {
        let reply = client.get(format!("http://127.0.0.1:{port}/api/v1/events/{key}")).send().await.unwrap();
        assert_eq!(reply.status().as_u16(), 200, "{key} was confirmed, so it is there");
    }
    // The import run again finishes the job.
    let status = std::thread::spawn({
        let token = token.clone();
        move || {
            let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
            let head = format!(
                "POST /api/v1/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            conn.write_all(head.as_bytes()).unwrap();
            conn.write_all(&body).unwrap();
            let mut answer = String::new();
            conn.read_to_string(&mut answer).unwrap();
            answer
        }
    })
    .join()
    .unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let mut count =
        client.get(format!("http://127.0.0.1:{port}/api/v1/export?tag=test&format=csv")).send().await.unwrap();
    let csv = count.body().limit(64 * 1024 * 1024).await.unwrap();
    let bulk = csv.split(|b| *b == b'\n').filter(|l| l.starts_with(b"bulk-")).count();
    assert_eq!(bulk, 20_000);
    server.kill().unwrap();
    server.wait().unwrap();
}

/// The database passes its own integrity check (amcheck on PostgreSQL's
/// b-trees), and no event lacks the links and derived rows its write made.
async fn assert_consistent(db: &Db, test_db: &crate::helpers::TestDb) {
    let backend = db.conn().get_database_backend();
    let query = |sql: &str| Statement::from_string(backend, sql.to_owned());
    if let Some((_, name)) = test_db.postgres() {
        db.conn().execute_unprepared("CREATE EXTENSION IF NOT EXISTS amcheck").await.unwrap();
        let indexes = db
            .conn()
            .query_all_raw(query(&format!(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam \
                 WHERE a.amname = 'btree' AND c.relnamespace = 'public'::regnamespace AND current_database() = '{name}'"
            )))
            .await
            .unwrap();
        assert!(!indexes.is_empty());
        for index in indexes {
            let index: String = index.try_get("", "relname").unwrap();
            db.conn().execute_unprepared(&format!("SELECT bt_index_check('\"{index}\"', true)")).await.unwrap();
        }
    } else {
        let check = db.conn().query_one_raw(query("PRAGMA integrity_check")).await.unwrap().unwrap();
        assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
    }
    let half = db
        .conn()
        .query_all_raw(query(
            "SELECT key FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id) \
             OR NOT EXISTS (SELECT 1 FROM event_countries c WHERE c.event_id = e.id) \
             OR NOT EXISTS (SELECT 1 FROM event_sources s WHERE s.event_id = e.id)",
        ))
        .await
        .unwrap();
    assert!(half.is_empty(), "{} events are half-written", half.len());
}

/// Every index, trigger and table (but the planner's statistics), and
/// FTS5's merge settings in effect (FTS5's defaults where none is set);
/// on PostgreSQL every index and constraint.
pub(crate) async fn schema_objects(db: &Db) -> Vec<String> {
    let backend = db.conn().get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT indexdef AS object FROM pg_indexes WHERE schemaname = 'public' \
             UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1"
                .to_owned()
        }
        _ => "SELECT type || ' ' || name || ' ' || coalesce(sql, '') AS object FROM sqlite_schema \
              WHERE name NOT LIKE 'sqlite_stat%' \
              UNION ALL SELECT 'fts5 ' || k || ' ' || coalesce((SELECT v FROM event_search_config c WHERE c.k = d.k), v) \
              FROM (SELECT 'automerge' AS k, 4 AS v UNION ALL SELECT 'crisismerge', 16 \
              UNION ALL SELECT 'hashsize', 1048576) d ORDER BY 1"
            .to_owned(),
    };
    let rows = db.conn().query_all_raw(Statement::from_string(backend, sql)).await.unwrap();
    rows.iter().map(|r| r.try_get::<String>("", "object").unwrap()).collect()
}

async fn count_bulk_events(db: &Db) -> i64 {
    let sql = "SELECT count(*) AS n FROM events WHERE key LIKE 'bulk-%'";
    let row = db.conn().query_one_raw(Statement::from_string(db.conn().get_database_backend(), sql)).await.unwrap();
    row.unwrap().try_get("", "n").unwrap()
}

/// `timeline import` killed midway (SIGKILL; a first load): the database
/// is consistent,
/// its indexes, triggers and FTS5's settings are as they were (what any
/// shortcut for a first load has to leave as it found), and the import run
/// again does the whole job.
#[actix_rt::test]
async fn an_import_killed_midway_leaves_a_consistent_database_and_runs_again() {
    const EVENTS: usize = 60_000;
    let test_db = fresh_database().await;
    let url = test_db.url.clone();
    let migrated = Command::new(BIN).args(["--database-url", &url, "migrate", "up"]).output().unwrap();
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
    let db = Db::connect(&url).await.unwrap();
    let schema = schema_objects(&db).await;
    db.close().await.unwrap();
    let file = std::env::temp_dir().join(format!("timeline-first-load-{}-{}.jsonl", std::process::id(), url.len()));
    std::fs::write(&file, lines(EVENTS)).unwrap();
    let import = || {
        let mut command = Command::new(BIN);
        command.args(["--database-url", &url, "import", file.to_str().unwrap()]);
        command
    };

    let mut killed = import().stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    match test_db.sqlite_path() {
        // A first load, which commits only at its end: killed once it has
        // written some batches into the file, its rollback journal beside it.
        Some(path) => {
            let size = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            let before = size();
            let journal = format!("{}-journal", path.display());
            while !(std::path::Path::new(&journal).exists() && size() > before + (8 << 20)) {
                assert!(started.elapsed() < Duration::from_secs(300), "the import wrote nothing");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // A first load too, which commits only at its end: killed once its
        // transaction has been writing rows for a second, watched from
        // another database (a session on this one would have made the
        // import go batch by batch).
        None => {
            let (admin, name) = test_db.postgres().unwrap();
            let db = Db::connect(&admin).await.unwrap();
            let writing = Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 \
                 AND (query LIKE 'INSERT INTO event%' OR query LIKE 'COPY event%') \
                 AND xact_start < now() - interval '1 second'",
                [name.into()],
            );
            loop {
                let row = db.conn().query_one_raw(writing.clone()).await.unwrap().unwrap();
                if row.try_get::<i64>("", "n").unwrap() > 0 {
                    break;
                }
                assert!(started.elapsed() < Duration::from_secs(300), "the import wrote nothing");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            db.close().await.unwrap();
        }
    }
    assert!(killed.try_wait().unwrap().is_none(), "the import was still running when killed");
    killed.kill().unwrap(); // SIGKILL
    killed.wait().unwrap();

    let db = Db::connect(&url).await.unwrap();
    assert_consistent(&db, &test_db).await;
    assert_eq!(schema_objects(&db).await, schema, "every index and setting as before the import");
    let imported = count_bulk_events(&db).await;
    eprintln!("killed with {imported} of {EVENTS} events committed");
    assert_eq!(imported, 0, "a first load is all or nothing");
    db.close().await.unwrap();

    let rerun = import().output().unwrap();
    assert!(rerun.status.success(), "{}", String::from_utf8_lossy(&rerun.stderr));
    let db = Db::connect(&url).await.unwrap();
    assert_consistent(&db, &test_db).await;
    assert_eq!(schema_objects(&db).await, schema, "every index and setting back after the import");
    assert_eq!(count_bulk_events(&db).await, EVENTS as i64);
    db.close().await.unwrap();
    // Found by the search and counted by the kept counts, as after any import.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = serve(&url, port);
    let client = awc::Client::default();
    for facets in ["/api/v1/facets?facet=tag&q=test", "/api/v1/facets?facet=tag"] {
        let mut reply = client.get(format!("http://127.0.0.1:{port}{facets}")).send().await.unwrap();
        let body: serde_json::Value = reply.json().await.unwrap();
        let test = body["facets"][0]["values"].as_array().unwrap().iter().find(|v| v["value"] == "test").cloned();
        assert_eq!(test.map(|v| v["count"].clone()), Some(serde_json::json!(EVENTS)), "{facets}: {body}");
    }
    server.kill().unwrap();
    server.wait().unwrap();
    std::fs::remove_file(&file).unwrap();
}
