//! Full-text search (`q=`): Russian and English words stemmed, the query
//! language, paging in timeline and relevance order, snippets, facets, and
//! the same answers from SQLite and PostgreSQL.

use crate::helpers::{TestApp, TestDb, event_body, fresh_database, spawn_app, spawn_app_on};
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn q(text: &str) -> String {
    serde_urlencoded::to_string([("q", text)]).unwrap()
}

async fn found(app: &TestApp, query: &str) -> Vec<String> {
    app.all_pages(&format!("{query}&limit=500")).await.0
}

/// An event of the test's own, tagged so that a query can leave the seed out.
fn tagged(key: &str, start: &str, title: &str, summary: &str, countries: &[&str]) -> Value {
    let mut event = event_body(key, start, countries);
    event["title"] = json!(title);
    event["summary"] = json!(summary);
    event["tags"] = json!(["searchtest"]);
    event
}

async fn post_all(app: &TestApp, events: &[Value]) {
    for event in events {
        let created = app.post("/api/v1/events", event).await;
        assert_eq!(created.status, 201, "{}", created.body);
    }
}

#[actix_rt::test]
async fn the_seed_is_found_by_russian_and_english_words_in_their_inflected_forms() {
    let app = spawn_app().await;
    let treaty = "2024-06-russia-dprk-strategic-partnership-treaty".to_owned();
    for words in ["договора", "договор о партнёрстве", "Пхеньяне", "Пхеньян", "treaties", "partnership treaty"]
    {
        assert!(found(&app, &q(words)).await.contains(&treaty), "{words}");
    }
    // A country is found by any of its names and aliases, in any case form.
    let korean: BTreeSet<String> = found(&app, "country=KP").await.into_iter().collect();
    assert!(!korean.is_empty());
    for name in ["КНДР", "Северной Кореи", "North Korea", "dprk"] {
        let by_words: BTreeSet<String> = found(&app, &q(name)).await.into_iter().collect();
        assert!(by_words.is_superset(&korean), "{name}: {by_words:?} misses some of {korean:?}");
    }
    assert!(found(&app, &q("Уругвай")).await.is_empty());
}

#[actix_rt::test]
async fn words_phrases_exclusions_or_and_prefixes_mean_what_they_say() {
    let app = spawn_app().await;
    post_all(
        &app,
        &[
            tagged(
                "e1",
                "2020-01-01",
                "Partnership treaty signed",
                "Договор о партнёрстве подписан в Пхеньяне.",
                &["RU"],
            ),
            tagged("e2", "2020-02-01", "Treaty talks stall", "Talks on the treaties stalled.", &["RU"]),
            tagged("e3", "2020-03-01", "Partnership forum", "A forum on partnerships.", &["KP"]),
            tagged("e4", "2020-04-01", "Визит делегации", "Делегация прибыла с визитом.", &["KP"]),
        ],
    )
    .await;
    let cases: [(&str, &[&str]); 12] = [
        ("treaty", &["e2", "e1"]),
        ("TREATIES", &["e2", "e1"]),
        ("\"partnership treaty\"", &["e1"]),
        ("\"treaty partnership\"", &[]),
        ("partnership -treaty", &["e3"]),
        ("partnership -\"partnership treaty\"", &["e3"]),
        ("forum OR stall", &["e3", "e2"]),
        ("partn*", &["e3", "e1"]),
        ("договора", &["e1"]),
        ("ПАРТНЕРСТВА", &["e1"]),
        ("визита делегации", &["e4"]),
        ("talks forum", &[]),
    ];
    for (words, expected) in cases {
        let got = found(&app, &format!("tag=searchtest&{}", q(words))).await;
        assert_eq!(got, expected, "{words}");
    }
    // The search and the other filters combine.
    assert_eq!(found(&app, &format!("tag=searchtest&country=KP&{}", q("partnership"))).await, ["e3"]);
    assert_eq!(found(&app, &format!("tag=searchtest&to=2020-01&{}", q("treaty"))).await, ["e1"]);
    assert_eq!(found(&app, &format!("tag=searchtest&kind=meeting&order=asc&{}", q("treaty"))).await, ["e1", "e2"]);
}

#[actix_rt::test]
async fn every_oddity_of_the_query_syntax_gives_results_or_a_400_on_q() {
    let app = spawn_app().await;
    let long = "договор ".repeat(1_300);
    let oddities = [
        "\"unbalanced",
        "\"",
        "-",
        "--",
        "*",
        "**",
        "OR",
        "OR OR",
        "a OR OR b",
        "-a",
        "- a",
        "a -",
        "NEAR(a b)",
        "a AND b",
        "a NOT b",
        "col:a",
        "^a",
        "a\"b",
        "'a'",
        "a' OR '1'='1",
        "(",
        ")",
        "{a}",
        "a:*",
        "a & !b",
        "a | b",
        "<->",
        "\\",
        "%",
        "_",
        "\u{0}",
        "🙂",
        "日本",
        "ё",
        &long,
        "a*b",
        "*a",
    ];
    for odd in oddities {
        let reply = app.get(&format!("/api/v1/timeline?{}", q(odd))).await;
        match reply.status {
            200 => {}
            400 => reply.assert_problem(400, "q"),
            status => panic!("{odd:?}: {status} {}", reply.body),
        }
        let facets = app.get(&format!("/api/v1/facets?facet=kind&{}", q(odd))).await;
        assert!([200, 400].contains(&facets.status), "{odd:?}: {}", facets.body);
    }
    app.get(&format!("/api/v1/timeline?{}", q(""))).await.assert_problem(400, "q");
    app.get(&format!("/api/v1/timeline?{}", q("-договор"))).await.assert_problem(400, "q");
    app.get(&format!("/api/v1/timeline?{}", q(&"a ".repeat(33)))).await.assert_problem(400, "q");
}

#[actix_rt::test]
async fn a_search_pages_in_timeline_order_and_in_relevance_order_with_cursors() {
    let app = spawn_app().await;
    let mut events = Vec::new();
    for i in 0..23 {
        // Several events a day, so that ids break ties; every third one
        // says "summit" twice, to rank above the rest.
        let day = format!("2021-{:02}-{:02}", 1 + i % 4, 1 + i / 8);
        let words = if i % 3 == 0 { "summit summit" } else { "summit" };
        events.push(tagged(&format!("s{i:02}"), &day, &format!("A {words} {i}"), "", &[["RU", "KP"][i % 2]]));
    }
    events.push(tagged("other", "2021-02-02", "Talks", "", &["RU"]));
    post_all(&app, &events).await;
    for extra in ["", "&order=asc", "&country=RU", "&country=RU&country=KP", "&from=2021-02&to=2021-03-02"] {
        let all = found(&app, &format!("tag=searchtest{extra}")).await;
        let expected: Vec<String> = all.into_iter().filter(|k| k != "other").collect();
        let (paged, pages) = app.all_pages(&format!("tag=searchtest&limit=4{extra}&{}", q("summit"))).await;
        assert_eq!(paged, expected, "{extra}");
        assert!(pages > 1, "{extra}");
    }
    let (ranked, pages) = app.all_pages(&format!("tag=searchtest&limit=4&order=relevance&{}", q("summit"))).await;
    assert!(pages > 1);
    let distinct: BTreeSet<&String> = ranked.iter().collect();
    assert_eq!(distinct.len(), 23, "every match once: {ranked:?}");
    let twice = |k: &String| k[1..].parse::<usize>().unwrap() % 3 == 0;
    let first_once = ranked.iter().position(|k| !twice(k)).unwrap();
    assert!(ranked[..first_once].iter().all(twice) && !ranked[first_once..].iter().any(twice), "{ranked:?}");
    // A cursor keeps its order.
    let page = app.get(&format!("/api/v1/timeline?limit=2&order=relevance&{}", q("summit"))).await;
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/timeline?cursor={cursor}&{}", q("summit"))).await.assert_problem(400, "cursor");
    app.get("/api/v1/timeline?order=relevance").await.assert_problem(400, "order");
}

#[actix_rt::test]
async fn snippets_mark_the_words_found_in_the_events_own_text() {
    let app = spawn_app().await;
    post_all(
        &app,
        &[tagged("snip", "2020-01-01", "<b>Treaty</b> & co", "Long text about the treaties signed.", &["RU"])],
    )
    .await;
    let page = app.get(&format!("/api/v1/timeline?tag=searchtest&snippet=true&{}", q("treaty"))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.body["items"][0]["snippet"], "Long text about the <mark>treaties</mark> signed.");
    let page = app.get(&format!("/api/v1/timeline?tag=searchtest&snippet=true&{}", q("co"))).await;
    assert_eq!(page.body["items"][0]["snippet"], "&lt;b&gt;Treaty&lt;/b&gt; &amp; <mark>co</mark>");
    let page = app.get(&format!("/api/v1/timeline?tag=searchtest&snippet=true&{}", q("Russia"))).await;
    assert_eq!(page.body["items"][0]["snippet"], Value::Null, "found by its participant, not its text");
    let plain = app.get(&format!("/api/v1/timeline?tag=searchtest&{}", q("treaty"))).await;
    assert!(plain.body["items"][0].get("snippet").is_none());
    app.get("/api/v1/timeline?snippet=true").await.assert_problem(400, "snippet");
    app.get(&format!("/api/v1/timeline?snippet=true&format=csv&{}", q("treaty"))).await.assert_problem(400, "snippet");
    app.get(&format!("/api/v1/export?snippet=true&{}", q("treaty"))).await.assert_problem(400, "snippet");
}

#[actix_rt::test]
async fn what_a_write_changes_the_search_finds_at_once() {
    let app = spawn_app().await;
    post_all(&app, &[tagged("w1", "2020-01-01", "Old words", "", &["RU"])]).await;
    let search = |words: &str| format!("tag=searchtest&{}", q(words));
    assert_eq!(found(&app, &search("old")).await, ["w1"]);
    let mut changed = tagged("w1", "1999-05-05", "New words", "", &["RU"]);
    changed["participants"] = json!([{"kind": "person", "name": "Zorro Quux", "country": "RU"}]);
    assert_eq!(app.put("/api/v1/events/w1", &changed).await.status, 200);
    assert!(found(&app, &search("old")).await.is_empty());
    assert_eq!(found(&app, &search("new")).await, ["w1"]);
    assert_eq!(found(&app, &format!("{}&to=1999", search("new"))).await, ["w1"], "moved in time, found there");
    // A participant renamed is found by the new name.
    let zorro = app.get("/api/v1/events/w1").await.body["participants"][0]["id"].as_i64().unwrap();
    let renamed = app
        .put(
            &format!("/api/v1/participants/{zorro}"),
            &json!({"kind": "person", "name": "Xavier Quux", "country": "RU"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert!(found(&app, &search("zorro")).await.is_empty());
    assert_eq!(found(&app, &search("xavier")).await, ["w1"]);
    assert_eq!(app.delete("/api/v1/events/w1").await.status, 204);
    assert!(found(&app, &search("new")).await.is_empty());
}

#[actix_rt::test]
async fn facets_count_what_the_search_finds() {
    let app = spawn_app().await;
    let words = q("КНДР OR treaty");
    let answer = app.get(&format!("/api/v1/facets?facet=kind&facet=country&{words}")).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    for facet in answer.body["facets"].as_array().unwrap() {
        for value in facet["values"].as_array().unwrap() {
            let link = value["timeline"].as_str().unwrap().strip_prefix("/api/v1/timeline?").unwrap();
            assert!(link.contains("q="), "{link}");
            assert_eq!(found(&app, link).await.len() as i64, value["count"].as_i64().unwrap(), "{link}");
        }
    }
}

/// A database indexed by another version of the text pipeline (or whose
/// index was lost) is indexed again when the service starts.
#[actix_rt::test]
async fn a_stale_index_is_written_again_at_start() {
    use sea_orm::ConnectionTrait;
    let test_db = fresh_database().await;
    let db = timeline::migrator::connect_and_migrate(&test_db.url).await.unwrap();
    db.conn().execute_unprepared("DELETE FROM event_texts").await.unwrap();
    db.conn().execute_unprepared("UPDATE search_index SET pipeline = 0").await.unwrap();
    db.close().await.unwrap();
    let app = spawn_app_on(test_db).await;
    assert!(!found(&app, &q("Пхеньяне")).await.is_empty());
}

/// A deterministic mix of words in both languages, inflected, for events
/// that the two databases must answer alike.
fn generated(n: usize) -> Vec<Value> {
    const WORDS: [&str; 24] = [
        "договор",
        "договора",
        "договору",
        "визит",
        "визита",
        "саммит",
        "саммите",
        "переговоры",
        "переговоров",
        "Пхеньян",
        "Пхеньяне",
        "Москве",
        "treaty",
        "treaties",
        "summit",
        "summits",
        "talks",
        "meeting",
        "visit",
        "visited",
        "partnership",
        "partners",
        "ёлка",
        "Brasília",
    ];
    let mut seed: u64 = 42;
    let mut next = move |below: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) % below as u64) as usize
    };
    (0..n)
        .map(|i| {
            let title: Vec<&str> = (0..3 + next(4)).map(|_| WORDS[next(WORDS.len())]).collect();
            let summary: Vec<&str> = (0..next(8)).map(|_| WORDS[next(WORDS.len())]).collect();
            let day = format!("{}-{:02}-{:02}", 2015 + next(10), 1 + next(12), 1 + next(28));
            let countries = [["RU"], ["KP"], ["CN"], ["US"]][next(4)];
            tagged(&format!("g{i:04}"), &day, &title.join(" "), &summary.join(" "), &countries)
        })
        .collect()
}

const PARITY_QUERIES: [&str; 16] = [
    "договор",
    "Пхеньяне",
    "treaties",
    "\"partnership treaty\"",
    "\"визит в Пхеньян\"",
    "summit -talks",
    "talks OR visit",
    "сам*",
    "treat*",
    "елка",
    "brasilia",
    "переговоры саммит",
    "meeting -\"treaty summit\"",
    "visited OR visits",
    "Москва OR Пхеньян",
    "партнер",
];

/// On each backend, paging through the matches by relevance lists each of
/// them once: the set the timeline order lists.
#[actix_rt::test]
async fn relevance_pages_list_every_match_once() {
    let app = spawn_app().await;
    let ndjson: String = generated(600).iter().map(|e| format!("{e}\n")).collect();
    let imported = app.post_raw("/api/v1/import", "application/x-ndjson", ndjson.into_bytes()).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    for words in PARITY_QUERIES {
        let timeline: BTreeSet<String> =
            found(&app, &format!("tag=searchtest&{}", q(words))).await.into_iter().collect();
        let (ranked, _) = app.all_pages(&format!("tag=searchtest&limit=50&order=relevance&{}", q(words))).await;
        let distinct: BTreeSet<String> = ranked.iter().cloned().collect();
        assert_eq!(distinct.len(), ranked.len(), "{words}: listed twice");
        assert_eq!(distinct, timeline, "{words}");
    }
}

/// The same events, imported into SQLite and into PostgreSQL, give the
/// same answers to every query: pages, relevance sets and facets. It needs
/// both databases, so it runs in the PostgreSQL pass of the suite.
#[actix_rt::test]
async fn sqlite_and_postgresql_find_the_same_events() {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("sqlite_and_postgresql_find_the_same_events: runs in the PostgreSQL pass (TEST_DATABASE_URL)");
        return;
    };
    if !admin.starts_with("postgres") {
        return;
    }
    let postgres = spawn_app().await;
    let path = std::env::temp_dir().join(format!("timeline_parity_{}.db", std::process::id()));
    let sqlite = spawn_app_on(TestDb::sqlite_file(&path)).await;
    let ndjson: String = generated(600).iter().map(|e| format!("{e}\n")).collect();
    for app in [&postgres, &sqlite] {
        let imported = app.post_raw("/api/v1/import", "application/x-ndjson", ndjson.clone().into_bytes()).await;
        assert_eq!(imported.status, 200, "{}", imported.body);
    }
    let mut answered = 0;
    for words in PARITY_QUERIES {
        // Short pages in one country: PostgreSQL walks the country's
        // events for some words and asks its text index for others.
        for extra in [
            "&limit=37",
            "&limit=37&country=KP",
            "&limit=37&from=2018&to=2020",
            "&limit=37&order=asc",
            "&limit=37&country=KP&from=2019&order=asc",
            "&limit=4&country=KP",
        ] {
            let query = format!("tag=searchtest{extra}&{}", q(words));
            let (on_sqlite, on_postgres) = (sqlite.all_pages(&query).await.0, postgres.all_pages(&query).await.0);
            assert_eq!(on_sqlite, on_postgres, "{words} {extra}");
            answered += usize::from(extra == "&limit=37" && !on_sqlite.is_empty());
        }
        let ranked = format!("tag=searchtest&limit=50&order=relevance&{}", q(words));
        let sets: Vec<BTreeSet<String>> = vec![
            sqlite.all_pages(&ranked).await.0.into_iter().collect(),
            postgres.all_pages(&ranked).await.0.into_iter().collect(),
        ];
        assert_eq!(sets[0], sets[1], "{words}, by relevance");
        let facets = format!("/api/v1/facets?facet=country&facet=year&tag=searchtest&{}", q(words));
        assert_eq!(sqlite.get(&facets).await.body, postgres.get(&facets).await.body, "{words}");
    }
    assert!(answered >= 14, "only {answered} queries found anything: the comparison would prove little");
}

/// PostgreSQL: the search vectors the write path makes are the ones
/// `to_tsvector('simple', …)` made of the same rows before the service
/// made them itself (`m20261215_000001_search_vector_written`), whatever
/// the script, so the vectors stored before and after agree; and a text
/// past PostgreSQL's limits (positions, positions a word) is cut where
/// `to_tsvector` cuts it.
#[actix_rt::test]
async fn postgresql_vectors_are_those_to_tsvector_made() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = spawn_app().await;
    if app.database().postgres().is_none() {
        eprintln!("postgresql_vectors_are_those_to_tsvector_made: skipped, the database is not PostgreSQL");
        return;
    }
    let titles = [
        "Саммит в Пхеньяне: подписан договор о всеобъемлющем стратегическом партнёрстве",
        "Brasília and Côte d'Ivoire sign a 2025 accord; x² ﬁle",
        "김정은 위원장 블라디보스토크 방문",
        "中华人民共和国 外交部 声明",
        "القمة العربية في الرياض ٢٠٢٤",
        "भारत और रूस के बीच शिखर सम्मेलन",
        "Σύνοδος κορυφής στην Αθήνα, Türkiye İstanbul ßtraße",
    ];
    let events: Vec<Value> = titles
        .iter()
        .enumerate()
        .map(|(i, title)| tagged(&format!("v{i}"), "2024-06-19", title, title, &["RU", "KP", "IN"]))
        .collect();
    post_all(&app, &events).await;

    let db = timeline::db::Db::connect(&app.db_url).await.unwrap();
    let generated = "to_tsvector('simple', search_text || ' ' || regexp_replace(countries, '(\\S+)', 'cc\\1', 'g'))";
    let count = |sql: String| {
        let conn = db.conn();
        async move {
            let row = conn.query_one_raw(Statement::from_string(DbBackend::Postgres, sql)).await.unwrap().unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    assert_eq!(count("SELECT count(*) FROM event_texts".into()).await, 7 + 7, "the seed's events and the test's");
    let differing = count(format!("SELECT count(*) FROM event_texts WHERE search_vector IS DISTINCT FROM {generated}"));
    assert_eq!(differing.await, 0);

    // 300 times one word, then words past position 16,383.
    let long = format!(
        "{} {}",
        vec!["w"; 300].join(" "),
        (0..17_000).map(|i| format!("n{}", i % 5)).collect::<Vec<_>>().join(" ")
    );
    let same = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT (to_tsvector('simple', $1 || ' ' || regexp_replace($2, '(\\S+)', 'cc\\1', 'g')) = CAST($3 AS tsvector))::int::int8",
        [long.clone().into(), "RU".into(), timeline::search::tsvector(&long, "RU").into()],
    );
    let row = db.conn().query_one_raw(same).await.unwrap().unwrap();
    assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 1);
    db.close().await.unwrap();
}
