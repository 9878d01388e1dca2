//! A first load (`timeline import` into a database that holds only the
//! seed, with the database to itself) takes shortcuts: one transaction,
//! indexes and the full-text index built at its end; on SQLite under a
//! rollback journal, sources found by a digest of their identity; on
//! PostgreSQL foreign keys checked and counts made at its end. The
//! database it leaves is the one an import beside a running server leaves,
//! batch by batch.

use crate::crash::schema_objects;
use crate::helpers::fresh_database;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use std::process::{Command, Output};
use timeline::db::Db;

const BIN: &str = env!("CARGO_BIN_EXE_timeline");

/// Events with what a load has to get right: participants of every kind,
/// sources shared by many events (matched, not made twice), quotes, tags,
/// uncertain dates, a key given twice (the later line wins) and a seed
/// event rewritten.
fn lines(n: usize) -> String {
    let countries = ["RU", "KP", "CN", "US", "IN", "BR", "FR", "DE"];
    let mut out = String::new();
    for i in 0..n {
        let (a, b) = (countries[i % 8], countries[(i / 8 + 1 + i) % 8]);
        let mut participants = vec![json!({"kind": "country", "code": a, "role": "host"})];
        if a != b {
            participants.push(json!({"kind": "country", "code": b, "role": "guest"}));
        }
        participants.push(json!({"kind": "person", "name": format!("Envoy {}", i % 37), "country": a}));
        if i % 5 == 0 {
            participants.push(json!({"kind": "organization", "name": format!("Council {}", i % 7)}));
        }
        let source = json!({"url": format!("https://news.example.org/{}", i % 211), "title": format!("Report {}", i % 211),
            "published_at": "2025-11-01T00:00:00Z", "language": "ru", "quote": format!("договора {i}")});
        let (start, precision) = match i % 4 {
            0 => (format!("20{:02}-0{}-1{}", i % 25, 1 + i % 9, i % 10), "day"),
            1 => (format!("20{:02}-1{}", i % 25, i % 3), "month"),
            2 => (format!("19{:02}", 50 + i % 50), "year"),
            _ => (format!("20{:02}-0{}", i % 25, 1 + i % 9), "month"),
        };
        let kind = ["meeting", "treaty", "visit", "statement"][i % 4];
        let event = json!({
            "key": format!("load-{}", i % (n - 3)),
            "kind": kind,
            "title": format!("Переговоры {i}: partnership treaties"),
            "summary": if i % 3 == 0 { json!(format!("Visit number {i} to Пхеньян")) } else { json!(null) },
            "start": start,
            "date_precision": precision,
            "location": {"name": format!("City {}", i % 13), "country": a},
            "participants": participants,
            "sources": [source],
            "tags": [format!("tag-{}", i % 11), "load"]
        });
        out.push_str(&event.to_string());
        out.push('\n');
    }
    // The seed's treaty, rewritten.
    out.push_str(
        &json!({"key": "2024-06-russia-dprk-strategic-partnership-treaty", "kind": "treaty", "title": "Rewritten by the load", "start": "2024-06-19",
            "participants": [{"kind": "country", "code": "RU"}, {"kind": "country", "code": "KP"}], "tags": ["load"]})
        .to_string(),
    );
    out.push('\n');
    out
}

/// `lines(n)` again with most events changed, each in one way: its title
/// (and for half of those, a tag added at the end), its tags (replaced, or
/// the last one dropped), the order of its participants, a country more, a
/// source's quote, its year, its kind; one in eight as it was.
fn changed_lines(n: usize) -> String {
    let mut out = String::new();
    for (i, line) in lines(n).lines().enumerate() {
        let mut event: serde_json::Value = serde_json::from_str(line).unwrap();
        match i % 8 {
            1 => {
                event["title"] = json!(format!("Revised {i}: переговоры отложены"));
                if i % 16 == 1 {
                    event["tags"].as_array_mut().unwrap().push(json!("revised"));
                }
            }
            2 if i % 16 == 2 => event["tags"] = json!(["revised", format!("tag-{}", i % 5)]),
            2 => _ = event["tags"].as_array_mut().unwrap().pop(),
            3 => event["participants"].as_array_mut().unwrap().reverse(),
            4 => event["participants"].as_array_mut().unwrap().push(json!({"kind": "country", "code": "JP"})),
            5 if event["sources"].is_array() => event["sources"][0]["quote"] = json!(format!("revised quote {i}")),
            6 if event["start"].is_string() => {
                let start = event["start"].as_str().unwrap().replacen("20", "19", 1);
                event["start"] = json!(start);
            }
            7 => event["kind"] = json!("summit"),
            _ => {}
        }
        out.push_str(&event.to_string());
        out.push('\n');
    }
    out
}

fn timeline(url: &str, args: &[&str]) -> Output {
    let output = Command::new(BIN).args(["--database-url", url]).args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// The rows of the tables a load derives, and what the full-text index
/// finds, in an order that does not depend on ids. A count of zero, which
/// an event written again leaves where a recount (PostgreSQL's first load)
/// leaves none, is no count: readers skip it.
async fn derived(url: &str) -> Vec<String> {
    let db = Db::connect(url).await.unwrap();
    let backend = db.conn().get_database_backend();
    let mut out = Vec::new();
    let queries = [
        "SELECT country || ' ' || kind || ' ' || year || ' ' || n AS r FROM event_counts WHERE n <> 0",
        "SELECT country || ' ' || partner || ' ' || kind || ' ' || year || ' ' || n AS r FROM country_pairs WHERE n <> 0",
        "SELECT country || ' ' || kind || ' ' || year || ' ' || began || ' ' || n AS r FROM carried_counts WHERE n <> 0",
        "SELECT facet || ' ' || (CASE WHEN facet = 'participant' THEN (SELECT identity FROM participants p \
         WHERE CAST(p.id AS TEXT) = value) ELSE value END) || ' ' || n AS r FROM value_counts WHERE n <> 0",
        "SELECT country || ' ' || partner || ' ' || kind || ' ' || n AS r FROM partner_counts WHERE n <> 0",
        "SELECT country || ' ' || partner || ' ' || n AS r FROM partner_totals WHERE n <> 0",
        "SELECT e.key || ' ' || t.search_text || ' ' || t.countries AS r FROM event_texts t JOIN events e ON e.id = t.event_id",
        "SELECT identity AS r FROM sources",
        "SELECT e.key || ' ' || c.country || ' ' || c.partners AS r FROM event_countries c JOIN events e ON e.id = c.event_id",
        "SELECT e.key || ' ' || l.position || ' ' || p.identity || ' ' || COALESCE(l.role, '-') AS r \
         FROM event_participants l JOIN events e ON e.id = l.event_id JOIN participants p ON p.id = l.participant_id",
        "SELECT e.key || ' ' || l.position || ' ' || s.identity || ' ' || COALESCE(l.quote, '-') || ' ' || COALESCE(l.note, '-') AS r \
         FROM event_sources l JOIN events e ON e.id = l.event_id JOIN sources s ON s.id = l.source_id",
        "SELECT e.key || ' ' || l.position || ' ' || l.tag AS r FROM event_tags l JOIN events e ON e.id = l.event_id",
        "SELECT key || ' ' || kind || ' ' || CAST(start_date AS TEXT) || ' ' || CAST(last_day AS TEXT) || ' ' || \
         span_days || ' ' || known_precision || ' ' || title AS r FROM events",
    ];
    for sql in queries {
        let rows = db.conn().query_all_raw(Statement::from_string(backend, sql.to_owned())).await.unwrap();
        let mut rows: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "r").unwrap()).collect();
        rows.sort();
        out.push(format!("{sql}: {rows:?}"));
    }
    db.close().await.unwrap();
    out
}

/// What the search finds, through the server.
async fn searches(port: u16) -> Vec<String> {
    let client = awc::Client::default();
    let mut out = Vec::new();
    for q in ["договор", "treaty", "пхеньяне", "envoy", "tag-3", "city"] {
        let mut reply = client
            .get(format!(
                "http://127.0.0.1:{port}/api/v1/timeline?{}&limit=500",
                serde_urlencoded::to_string([("q", q)]).unwrap()
            ))
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = reply.json().limit(64 << 20).await.unwrap();
        let keys: Vec<&str> = body["items"].as_array().unwrap().iter().map(|e| e["key"].as_str().unwrap()).collect();
        assert!(!keys.is_empty(), "{q} finds something");
        out.push(format!("{q}: {keys:?}"));
    }
    out
}

/// A server on a port of its own (`crash::serve`), stopped when dropped:
/// a test that fails leaves none behind holding its output open.
fn serve(url: &str) -> (Server, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    (Server(crate::crash::serve(url, port)), port)
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[actix_rt::test]
async fn a_first_load_leaves_the_database_an_import_beside_a_server_leaves() {
    // Three batches, so that keys given twice span two of them.
    const EVENTS: usize = 12_000;
    let (alone, beside) = (fresh_database().await, fresh_database().await);
    let file = std::env::temp_dir().join(format!(
        "timeline-load-and-batches-{}-{}.jsonl",
        std::process::id(),
        alone.url.len()
    ));
    std::fs::write(&file, lines(EVENTS)).unwrap();
    let file = file.to_str().unwrap();
    let sqlite = !alone.url.starts_with("postgres");

    timeline(&alone.url, &["migrate", "up"]);
    let schema = {
        let db = Db::connect(&alone.url).await.unwrap();
        let schema = schema_objects(&db).await;
        db.close().await.unwrap();
        schema
    };
    let first = timeline(&alone.url, &["import", file]);
    let said = String::from_utf8_lossy(&first.stderr);
    assert!(said.contains("a first load"), "{said}");

    let (server, port) = serve(&beside.url);
    let batched = timeline(&beside.url, &["import", file]);
    let said = String::from_utf8_lossy(&batched.stderr);
    assert!(!said.contains("a first load"), "a server has the database open: {said}");
    let summary = |out: &Output| serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["events"].clone();
    assert_eq!(summary(&first), summary(&batched));
    assert_eq!(summary(&first)["created"], EVENTS - 3);
    assert_eq!(summary(&first)["updated"], 4, "three keys given twice, and the seed's treaty");
    let found = searches(port).await;
    drop(server);

    let export = |url: &str| timeline(url, &["export"]).stdout;
    assert_eq!(export(&alone.url), export(&beside.url), "the same events, byte for byte");
    assert_eq!(derived(&alone.url).await, derived(&beside.url).await);
    let db = Db::connect(&alone.url).await.unwrap();
    assert_eq!(schema_objects(&db).await, schema, "every index, trigger and constraint made again");
    if sqlite {
        let backend = db.conn().get_database_backend();
        let check = db.conn().query_one_raw(Statement::from_string(backend, "PRAGMA integrity_check")).await.unwrap();
        assert_eq!(check.unwrap().try_get_by_index::<String>(0).unwrap(), "ok");
        let mode = db.conn().query_one_raw(Statement::from_string(backend, "PRAGMA journal_mode")).await.unwrap();
        assert_eq!(mode.unwrap().try_get_by_index::<String>(0).unwrap(), "wal", "back in WAL mode");
    }
    db.close().await.unwrap();
    let (server, port) = serve(&alone.url);
    assert_eq!(searches(port).await, found, "the full-text index finds the same events");
    drop(server);
    std::fs::remove_file(file).unwrap();
}

#[actix_rt::test]
async fn an_import_of_changed_events_leaves_the_database_a_load_of_them_leaves() {
    // A rewritten event keeps the derived rows that did not change and
    // takes out of the counts only what did: the result must be the same as
    // writing every event anew.
    const EVENTS: usize = 600;
    let (changed, loaded) = (fresh_database().await, fresh_database().await);
    let dir = std::env::temp_dir();
    let name = |what: &str| dir.join(format!("timeline-{what}-{}-{}.jsonl", std::process::id(), changed.url.len()));
    let (first, second) = (name("first"), name("changed"));
    std::fs::write(&first, lines(EVENTS)).unwrap();
    std::fs::write(&second, changed_lines(EVENTS)).unwrap();
    let (first, second) = (first.to_str().unwrap(), second.to_str().unwrap());

    // Beside a server, so that both imports go batch by batch.
    timeline(&changed.url, &["migrate", "up"]);
    let (server, port) = serve(&changed.url);
    timeline(&changed.url, &["import", first]);
    let again = timeline(&changed.url, &["import", second]);
    let summary = serde_json::from_slice::<serde_json::Value>(&again.stdout).unwrap()["events"].clone();
    assert_eq!(summary["created"], 0);
    assert!(summary["updated"].as_u64().unwrap() > EVENTS as u64 / 2, "{summary}");
    let found = searches(port).await;
    drop(server);

    timeline(&loaded.url, &["import", second]);
    let export = |url: &str| timeline(url, &["export"]).stdout;
    assert_eq!(export(&changed.url), export(&loaded.url), "the same events, byte for byte");
    assert_eq!(derived(&changed.url).await, derived(&loaded.url).await);
    let (server, port) = serve(&loaded.url);
    assert_eq!(searches(port).await, found, "the full-text index finds the same events");
    drop(server);
    std::fs::remove_file(first).unwrap();
    std::fs::remove_file(second).unwrap();
}
