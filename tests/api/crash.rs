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

fn serve(url: &str, port: u16) -> Child {
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
    // No event without the links and derived rows its write made.
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
