//! Bulk import and export, over HTTP and through the `timeline` binary.

use crate::helpers::{
    DOWN_TO_BEFORE_SEED, TestApp, event_body, fresh_database, memory_database, spawn_app, spawn_app_on, spawn_app_with,
};
use migration::MigratorTrait;
use serde_json::{Value, json};
use timeline::db::Db;
use timeline::import::ImportLimit;
use timeline::migrator::Migrator;
use timeline::startup::HttpOptions;

fn line(key: &str, start: &str, precision: &str, people: &[(&str, &str)]) -> String {
    let participants: Vec<Value> = people
        .iter()
        .map(|(name, country)| json!({"kind": "person", "name": name, "country": country, "role": "guest"}))
        .chain([json!({"kind": "organization", "name": "Test Union", "role": "host"})])
        .collect();
    json!({"key": key, "kind": "summit", "title": format!("Summit {key}"), "summary": "Про саммит",
        "start": start, "end": null, "date_precision": precision,
        "location": {"name": "Somewhere", "country": "AT", "lat": 48.2, "lon": 16.37},
        "participants": participants,
        "sources": [{"url": "https://example.org/shared-report", "title": "One report for many",
            "publisher": "Example", "published_at": "2024-01-02T03:04:05Z", "language": "de"},
            {"url": format!("https://example.org/{key}"), "title": null, "publisher": null,
            "published_at": null, "language": null}],
        "tags": ["bulk", key]})
    .to_string()
}

/// Fifty events of varied precision, sharing participants and a source.
fn sample(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let (start, precision) = match i % 3 {
            0 => (format!("20{:02}-0{}-1{}", i % 25, 1 + i % 9, i % 10), "day"),
            1 => (format!("20{:02}-1{}", i % 25, i % 3), "month"),
            _ => (format!("19{:02}", 50 + i % 50), "year"),
        };
        let people = [
            ("Anna Berg", "AT"),
            (if i % 2 == 0 { "Ivan Petrov" } else { "Li Wei" }, if i % 2 == 0 { "RU" } else { "CN" }),
        ];
        out.push_str(&line(&format!("bulk-{i:03}"), &start, precision, &people));
        out.push('\n');
    }
    out
}

async fn import(app: &TestApp, query: &str, body: &str) -> crate::helpers::Reply {
    app.post_raw(&format!("/api/v1/import{query}"), "application/x-ndjson", body.as_bytes().to_vec()).await
}

#[actix_rt::test]
async fn bad_lines_are_reported_by_number_and_the_rest_is_imported() {
    let app = spawn_app().await;
    let body = [
        line("ok-1", "2024-05-06", "day", &[("Anna Berg", "AT")]),
        "{\"key\": \"broken\",".to_owned(),
        String::new(),
        line("bad-date", "2025-02-30", "day", &[]),
        line("ok-2", "2024-05", "month", &[("Anna Berg", "AT")]),
        line("bad-country", "2024", "year", &[("Nobody", "XX")]),
    ]
    .join("\n");
    let reply = import(&app, "", &body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let summary = &reply.body;
    assert_eq!(summary["lines"], 6);
    assert_eq!(summary["events"]["created"], 2);
    assert_eq!(summary["bad_lines"], 3);
    let errors: Vec<(u64, Value)> = summary["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].clone()))
        .collect();
    assert_eq!(errors, [(2, Value::Null), (4, json!("start")), (6, json!("participants[0].country"))]);
    assert_eq!(app.get("/api/v1/timeline?tag=bulk").await.keys(), ["ok-1", "ok-2"]);
    // One person across both events.
    let anna = app.get("/api/v1/participants?q=anna").await;
    assert_eq!(anna.body["items"].as_array().unwrap().len(), 1);
}

/// Lines are parsed a batch at a time, half on a second thread; what is
/// reported is still in the order of the file, whichever half a line fell in.
#[actix_rt::test]
async fn bad_lines_of_a_long_file_are_listed_in_the_order_of_the_file() {
    let app = spawn_app().await;
    let mut lines: Vec<String> = sample(200).lines().map(str::to_owned).collect();
    lines[2] = "{\"key\": \"broken\",".to_owned();
    lines[99] = line("bad-date", "2025-02-30", "day", &[]);
    lines[149] = format!("{{\"key\": \"{}\"}}", "x".repeat(timeline::formats::ndjson::MAX_LINE));
    lines[150] = line("bad-tag", "2024", "year", &[]).replace("\"tags\":[\"bulk\"", "\"tags\":[\" \"");
    lines[198] = line("bad-country", "2024", "year", &[("Nobody", "XX")]);
    let reply = import(&app, "", &lines.join("\n")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let errors: Vec<(u64, Value)> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].clone()))
        .collect();
    let expected = [
        (3, Value::Null),
        (100, json!("start")),
        (150, Value::Null),
        (151, json!("tags[0]")),
        (199, json!("participants[0].country")),
    ];
    assert_eq!(errors, expected, "{}", reply.body);
    assert_eq!(reply.body["events"]["created"], 195);
}

#[actix_rt::test]
async fn importing_the_same_file_twice_changes_nothing() {
    let app = spawn_app().await;
    let body = sample(50);
    let first = import(&app, "", &body).await;
    assert_eq!(first.body["events"]["created"], 50, "{}", first.body);
    let before = app.get("/api/v1/events/bulk-007").await.body;
    let (timeline_before, _) = app.all_pages("limit=500").await;

    let again = import(&app, "", &body).await;
    assert_eq!(
        again.body["events"],
        json!({"created": 0, "updated": 0, "unchanged": 50,
        "participants_created": 0, "sources_created": 0})
    );
    assert_eq!(app.get("/api/v1/events/bulk-007").await.body, before, "not even updated_at moves");
    assert_eq!(app.all_pages("limit=500").await.0, timeline_before);

    // A participant renamed since is not made again by a file that names
    // it by its old name: its events are unchanged, so nothing is resolved.
    let anna = app.get("/api/v1/participants?q=anna").await.body["items"][0].clone();
    let renamed = json!({"kind": "person", "name": "Anna Berg-Huber", "country": "AT"});
    assert_eq!(app.put(&format!("/api/v1/participants/{}", anna["id"]), &renamed).await.status, 200);
    let after_rename = import(&app, "", &body).await;
    assert_eq!(after_rename.body["events"]["unchanged"], 50, "{}", after_rename.body);
    assert_eq!(after_rename.body["events"]["participants_created"], 0, "{}", after_rename.body);
    assert!(app.get("/api/v1/participants?q=anna+berg&limit=10").await.body["items"].as_array().unwrap().len() == 1);

    // A changed line replaces that event only.
    let changed = body.replace("Summit bulk-007", "Summit bulk-007, revised");
    let third = import(&app, "", &changed).await;
    assert_eq!(third.body["events"]["updated"], 1);
    assert_eq!(third.body["events"]["unchanged"], 49);
    assert_eq!(app.get("/api/v1/events/bulk-007").await.body["title"], "Summit bulk-007, revised");
}

/// A line its event was last written from is not parsed again; an event
/// written since, through the API or by an earlier line of the same file,
/// is still put back as the line says.
#[actix_rt::test]
async fn a_line_imported_again_puts_back_what_was_written_since() {
    let app = spawn_app().await;
    let body = sample(20);
    assert_eq!(import(&app, "", &body).await.body["events"]["created"], 20);
    let original = body.lines().nth(3).unwrap().to_owned();
    let mut edited: Value = serde_json::from_str(&original).unwrap();
    edited["title"] = json!("Edited by hand");
    assert_eq!(app.put("/api/v1/events/bulk-003", &edited).await.status, 200);

    let again = import(&app, "", &body).await;
    assert_eq!(again.body["events"]["updated"], 1, "{}", again.body);
    assert_eq!(again.body["events"]["unchanged"], 19, "{}", again.body);
    assert_eq!(app.get("/api/v1/events/bulk-003").await.body["title"], "Summit bulk-003");

    // The stored line comes last: the event ends as it says, not as the
    // edited line before it.
    let twice = format!("{}\n{original}\n", edited);
    let reply = import(&app, "", &twice).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(app.get("/api/v1/events/bulk-003").await.body["title"], "Summit bulk-003");
}

#[actix_rt::test]
async fn a_strict_import_with_a_bad_line_writes_nothing() {
    let app = spawn_app().await;
    let mut body = sample(12);
    body.push_str(&line("late-bad", "2024-13", "month", &[]));
    body.push('\n');
    let reply = import(&app, "?strict=true", &body).await;
    reply.assert_problem(400, "line 13: start");
    assert!(app.get("/api/v1/timeline?tag=bulk").await.keys().is_empty());
    assert_eq!(app.get("/api/v1/participants?q=anna").await.body["items"], json!([]));
    import(&app, "?strict=maybe", "").await.assert_problem(400, "strict");
}

/// An import reads each batch of 5,000 lines while the batch before it is
/// written. A key that comes again in a later batch ends as its last line
/// says, and a strict import whose bad line comes after two batches still
/// writes nothing.
#[actix_rt::test]
async fn a_long_import_ends_as_its_last_lines_say_and_a_late_bad_line_undoes_a_strict_one() {
    let app = spawn_app().await;
    let mut lines: Vec<String> = (0..10_100).map(|i| line(&format!("long-{i:05}"), "2024-05-06", "day", &[])).collect();
    lines[9_000] = line("long-00100", "2023", "year", &[]).replace("Summit long-00100", "Rewritten");
    let reply = import(&app, "", &lines.join("\n")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!((&reply.body["events"]["created"], &reply.body["events"]["updated"]), (&json!(10_099), &json!(1)));
    assert_eq!(app.get("/api/v1/events/long-00100").await.body["title"], "Rewritten");
    assert_eq!(app.get("/api/v1/events/long-10099").await.status, 200);

    let mut lines: Vec<String> = (0..10_100).map(|i| line(&format!("late-{i:05}"), "2024-05-06", "day", &[])).collect();
    lines[10_050] = line("late-bad", "2024-13", "month", &[]);
    import(&app, "?strict=true", &lines.join("\n")).await.assert_problem(400, "line 10051: start");
    assert_eq!(app.get("/api/v1/events/late-00000").await.status, 404);
    assert_eq!(app.get("/api/v1/events/late-09999").await.status, 404);
}

#[actix_rt::test]
async fn export_then_import_into_an_empty_database_gives_the_same_timeline() {
    let source = spawn_app().await;
    assert_eq!(import(&source, "", &sample(60)).await.status, 200);
    let exported = source.get_text("/api/v1/export").await;
    assert_eq!(exported.lines().count(), 60 + 7, "every event, the seed's included");

    let target = spawn_app().await;
    let db = Db::connect(&target.db_url).await.unwrap();
    Migrator::down(db.conn(), Some(DOWN_TO_BEFORE_SEED)).await.unwrap();
    assert!(target.get("/api/v1/timeline").await.keys().is_empty());
    let reply = import(&target, "?strict=true", &exported).await;
    assert_eq!(reply.body["events"]["created"], 67, "{}", reply.body);

    let strip = |mut events: Vec<Value>| {
        for e in &mut events {
            let e = e.as_object_mut().unwrap();
            e.remove("created_at");
            e.remove("updated_at");
            for list in ["participants", "sources"] {
                for item in e[list].as_array_mut().unwrap() {
                    item.as_object_mut().unwrap().remove("id");
                }
            }
        }
        events
    };
    for query in ["limit=500", "country=RU&limit=500", "from=2010&to=2015&limit=500", "kind=summit&order=asc&limit=500"]
    {
        let a = source.get(&format!("/api/v1/timeline?{query}")).await.body["items"].as_array().unwrap().clone();
        let b = target.get(&format!("/api/v1/timeline?{query}")).await.body["items"].as_array().unwrap().clone();
        assert!(!a.is_empty());
        assert_eq!(strip(a), strip(b), "{query}");
    }
    // Exporting the copy gives the same bytes.
    assert_eq!(target.get_text("/api/v1/export").await, exported);
}

#[actix_rt::test]
async fn export_takes_the_timeline_filters() {
    let app = spawn_app().await;
    let bilateral = app.get_text("/api/v1/export?country=RU&country=KP&match=all&order=desc").await;
    let keys: Vec<String> = bilateral
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, app.get("/api/v1/timeline?country=RU&country=KP&match=all").await.keys());
    app.get("/api/v1/export?limit=5").await.assert_problem(400, "limit");
    app.get("/api/v1/export?country=XX").await.assert_problem(400, "country");
}

#[actix_rt::test]
async fn the_binary_imports_a_file_and_exports_it_again() {
    let db = fresh_database().await;
    let dir = std::env::temp_dir().join(format!("timeline-cli-{}-{}", std::process::id(), db.url.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("events.jsonl");
    let mut body = sample(20);
    body.push_str("not json\n");
    std::fs::write(&file, &body).unwrap();
    let timeline = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_timeline"))
            .args(["--database-url", &db.url])
            .args(args)
            .output()
            .unwrap()
    };

    let strict = timeline(&["import", "--strict", file.to_str().unwrap()]);
    assert!(!strict.status.success());
    assert!(String::from_utf8_lossy(&strict.stderr).contains("line 21"), "{}", String::from_utf8_lossy(&strict.stderr));
    let empty = timeline(&["export", "--filter", "tag=bulk"]);
    assert!(empty.status.success());
    assert!(empty.stdout.is_empty(), "strict import wrote nothing");

    let lenient = timeline(&["import", file.to_str().unwrap()]);
    assert_eq!(lenient.status.code(), Some(2), "bad lines make the exit code 2");
    let summary: Value = serde_json::from_slice(&lenient.stdout).unwrap();
    assert_eq!(summary["events"]["created"], 20);
    assert_eq!(summary["errors"][0]["line"], 21);

    let export = timeline(&["export", "--filter", "tag=bulk"]);
    assert!(export.status.success());
    assert_eq!(String::from_utf8_lossy(&export.stdout).lines().count(), 20);
    let from_stdin = std::process::Command::new(env!("CARGO_BIN_EXE_timeline"))
        .args(["--database-url", &db.url, "import", "-"])
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&from_stdin.stdout).unwrap();
    assert_eq!(summary["events"]["unchanged"], 20);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[actix_rt::test]
async fn sqlite_in_memory_is_seeded_written_and_imported_like_a_file() {
    let app = spawn_app_on(memory_database()).await;
    assert_eq!(app.get("/api/v1/timeline").await.keys().len(), 7, "the seed");
    assert_eq!(app.post("/api/v1/events", &event_body("in-memory", "2025-01-02", &["RU"])).await.status, 201);
    assert_eq!(app.post("/api/v1/events", &event_body("in-memory", "2025-01-02", &["RU"])).await.status, 409);
    let reply = import(&app, "?strict=true", &sample(20)).await;
    assert_eq!(reply.body["events"]["created"], 20, "{}", reply.body);
    let (keys, _) = app.all_pages("tag=bulk&limit=7").await;
    assert_eq!(keys.len(), 20);
    assert_eq!(app.get("/api/v1/events/in-memory").await.body["participants"][0]["code"], "RU");
}

/// An import over the server's limit is a 413: at once when the body says
/// its length, as soon as the count passes it when the body is streamed.
#[actix_rt::test]
async fn an_import_over_the_limit_is_refused_with_nothing_written() {
    let options = HttpOptions { import_limit: ImportLimit(10_000), ..HttpOptions::default() };
    let app = spawn_app_with(fresh_database().await, options).await;
    let before = app.get("/api/v1/timeline?limit=500").await.body["items"].as_array().unwrap().len();
    let body = sample(60);
    assert!(body.len() > 10_000);

    let declared = import(&app, "", &body).await;
    declared.assert_problem_status(413);
    assert!(declared.body["detail"].as_str().unwrap().contains("10000"), "{}", declared.body);
    for query in ["", "?strict=true"] {
        let chunks = body.as_bytes().chunks(1_000).map(<[u8]>::to_vec).collect();
        let streamed = app.post_stream(&format!("/api/v1/import{query}"), "application/x-ndjson", chunks).await;
        streamed.assert_problem_status(413);
    }
    let after = app.get("/api/v1/timeline?limit=500").await.body["items"].as_array().unwrap().len();
    assert_eq!(after, before);
    // Under the limit, the same server imports.
    assert_eq!(import(&app, "", &sample(5)).await.status, 200);
}

/// On a PostgreSQL server whose autovacuum is off, an import that changed
/// part of the database vacuums the tables autovacuum would have (dead rows
/// past the server's thresholds), not all of them, and analyses every one.
#[actix_rt::test]
async fn without_autovacuum_an_import_vacuums_the_tables_autovacuum_would() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let test_db = fresh_database().await;
    let Some(_) = test_db.postgres() else {
        eprintln!("PostgreSQL only: SQLite has no autovacuum");
        return;
    };
    let db = timeline::migrator::connect_and_migrate(&test_db.url).await.unwrap();
    let run = |s: String| {
        let db = &db;
        async move { db.conn().query_one_raw(Statement::from_string(DbBackend::Postgres, s)).await.unwrap() }
    };
    let stat = |column: &str, table: &str| {
        run(format!("SELECT CAST({column} AS TEXT) AS v FROM pg_stat_user_tables WHERE relname = '{table}'"))
    };
    let text = |row: Option<sea_orm::QueryResult>| row.unwrap().try_get::<Option<String>>("", "v").unwrap();
    if text(run("SELECT current_setting('autovacuum') AS v".into()).await).as_deref() == Some("on") {
        eprintln!("skipped: this PostgreSQL server runs autovacuum, so an import leaves vacuuming to it");
        return;
    }
    // 100 dead rows in `data_version`, past its threshold (50 + 20 % of its
    // one row); two in `events`, under its own.
    for _ in 0..100 {
        run("UPDATE data_version SET version = version + 1".into()).await;
    }
    run("UPDATE events SET title = title WHERE id IN (SELECT id FROM events LIMIT 2)".into()).await;
    // The server counts them once the connections that made them report
    // (within a second, or ten when idle).
    let started = std::time::Instant::now();
    while text(stat("n_dead_tup", "data_version").await).is_none_or(|n| n.parse::<u64>().unwrap() < 100) {
        assert!(started.elapsed() < std::time::Duration::from_secs(15), "the server counts the dead rows");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    db.refresh_after_import(1).await.unwrap();
    assert!(text(stat("last_vacuum", "data_version").await).is_some(), "past its threshold: vacuumed");
    assert!(text(stat("last_vacuum", "events").await).is_none(), "under its threshold: left as it is");
    assert!(text(stat("last_analyze", "events").await).is_some(), "every table analysed");
    db.close().await.unwrap();
}
