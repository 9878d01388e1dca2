//! Dates as sources give them: each precision and qualifier through create,
//! read, timeline windows, order, paging and the `precision` filter; bad
//! dates refused with the field.

use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};

fn dated(key: &str, date: Value) -> Value {
    let mut body = json!({"key": key, "kind": "statement", "title": format!("Dated {key}"),
        "participants": [{"kind": "country", "code": "FR", "role": "speaker"}], "tags": ["dated"]});
    body.as_object_mut().unwrap().extend(date.as_object().unwrap().clone());
    body
}

async fn create(app: &TestApp, key: &str, date: Value) -> Value {
    let reply = app.post("/api/v1/events", &dated(key, date)).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let read = app.get(&format!("/api/v1/events/{key}")).await;
    assert_eq!(read.status, 200);
    read.body
}

/// The date fields of an event, in one comparable line.
fn fields(e: &Value) -> Value {
    json!([
        e["date"],
        e["earliest"],
        e["latest"],
        e["lasted"],
        e["precision"],
        e["qualifier"],
        e["display_date"],
        e["start"],
        e["end"],
        e["date_precision"]
    ])
}

#[actix_rt::test]
async fn each_precision_and_qualifier_is_stored_and_read_as_given() {
    let app = spawn_app().await;
    let cases = [
        (
            "day",
            "2025-10-27",
            json!([
                "2025-10-27",
                "2025-10-27",
                "2025-10-27",
                false,
                "day",
                "exact",
                "27 October 2025",
                "2025-10-27",
                null,
                "day"
            ]),
        ),
        (
            "week",
            "[2025-10-20..2025-10-26]",
            json!([
                "[2025-10-20..2025-10-26]",
                "2025-10-20",
                "2025-10-26",
                false,
                "week",
                "exact",
                "the week of 20–26 October 2025",
                "2025-10-01",
                null,
                "month"
            ]),
        ),
        (
            "early",
            "[2025-10-01..2025-10-10]",
            json!([
                "[2025-10-01..2025-10-10]",
                "2025-10-01",
                "2025-10-10",
                false,
                "early_month",
                "exact",
                "early October 2025",
                "2025-10-01",
                null,
                "month"
            ]),
        ),
        (
            "mid",
            "[2025-10-11..2025-10-20]",
            json!([
                "[2025-10-11..2025-10-20]",
                "2025-10-11",
                "2025-10-20",
                false,
                "mid_month",
                "exact",
                "mid-October 2025",
                "2025-10-01",
                null,
                "month"
            ]),
        ),
        (
            "late",
            "[2025-10-21..2025-10-31]",
            json!([
                "[2025-10-21..2025-10-31]",
                "2025-10-21",
                "2025-10-31",
                false,
                "late_month",
                "exact",
                "late October 2025",
                "2025-10-01",
                null,
                "month"
            ]),
        ),
        (
            "month",
            "2024-06",
            json!([
                "2024-06",
                "2024-06-01",
                "2024-06-30",
                false,
                "month",
                "exact",
                "June 2024",
                "2024-06-01",
                null,
                "month"
            ]),
        ),
        (
            "season",
            "2025-22",
            json!([
                "2025-22",
                "2025-06-01",
                "2025-08-31",
                false,
                "season",
                "exact",
                "summer 2025",
                "2025-01-01",
                null,
                "year"
            ]),
        ),
        (
            "quarter",
            "2025-35",
            json!([
                "2025-35",
                "2025-07-01",
                "2025-09-30",
                false,
                "quarter",
                "exact",
                "Q3 2025",
                "2025-01-01",
                null,
                "year"
            ]),
        ),
        (
            "year",
            "2024",
            json!(["2024", "2024-01-01", "2024-12-31", false, "year", "exact", "2024", "2024-01-01", null, "year"]),
        ),
        (
            "decade",
            "201X",
            json!([
                "201X",
                "2010-01-01",
                "2019-12-31",
                false,
                "decade",
                "exact",
                "the 2010s",
                "2010-01-01",
                "2019-01-01",
                "year"
            ]),
        ),
        (
            "century",
            "19XX",
            json!([
                "19XX",
                "1900-01-01",
                "1999-12-31",
                false,
                "century",
                "exact",
                "1900–1999",
                "1900-01-01",
                "1999-01-01",
                "year"
            ]),
        ),
        (
            "approx",
            "2025-10~",
            json!([
                "2025-10~",
                "2025-10-01",
                "2025-10-31",
                false,
                "month",
                "approximate",
                "about October 2025",
                "2025-10-01",
                null,
                "month"
            ]),
        ),
        (
            "unsure",
            "2024?",
            json!([
                "2024?",
                "2024-01-01",
                "2024-12-31",
                false,
                "year",
                "uncertain",
                "2024 (uncertain)",
                "2024-01-01",
                null,
                "year"
            ]),
        ),
        (
            "both",
            "2024-06-19%",
            json!([
                "2024-06-19%",
                "2024-06-19",
                "2024-06-19",
                false,
                "day",
                "uncertain_approximate",
                "about 19 June 2024 (uncertain)",
                "2024-06-19",
                null,
                "day"
            ]),
        ),
        (
            "lasted",
            "2025-10-01/2025-10-03",
            json!([
                "2025-10-01/2025-10-03",
                "2025-10-01",
                "2025-10-03",
                true,
                "day",
                "exact",
                "1–3 October 2025",
                "2025-10-01",
                "2025-10-03",
                "day"
            ]),
        ),
        (
            "months",
            "2024-06/2024-08",
            json!([
                "2024-06/2024-08",
                "2024-06-01",
                "2024-08-31",
                true,
                "month",
                "exact",
                "June – August 2024",
                "2024-06-01",
                "2024-08-01",
                "month"
            ]),
        ),
    ];
    for (key, edtf, expected) in cases {
        let event = create(&app, key, json!({"date": edtf})).await;
        assert_eq!(fields(&event), expected, "{key}");
        // Sent back as fetched, the event is the same event.
        let again = app.put(&format!("/api/v1/events/{key}"), &event).await;
        assert_eq!(again.status, 200, "{key}: {}", again.body);
        assert_eq!(fields(&app.get(&format!("/api/v1/events/{key}")).await.body), expected, "{key}");
    }
}

#[actix_rt::test]
async fn the_other_ways_to_give_a_date_mean_the_same() {
    let app = spawn_app().await;
    let week = create(&app, "bounds", json!({"earliest": "2025-10-20", "latest": "2025-10-26"})).await;
    assert_eq!((week["date"].as_str(), week["lasted"].as_bool()), (Some("[2025-10-20..2025-10-26]"), Some(false)));
    let lasted =
        create(&app, "lasted", json!({"earliest": "2025-10-01", "latest": "2025-10-03", "lasted": true})).await;
    assert_eq!(lasted["date"], "2025-10-01/2025-10-03");
    // The first API's fields: `end` always meant "lasted until".
    let first_api = create(&app, "first-api", json!({"start": "2025-10-20", "end": "2025-10-26"})).await;
    assert_eq!(
        (first_api["date"].as_str(), first_api["lasted"].as_bool()),
        (Some("2025-10-20/2025-10-26"), Some(true))
    );
    let month = create(
        &app,
        "first-month",
        json!({"start": "2024-06-01", "date_precision": "month", "qualifier": "approximate"}),
    )
    .await;
    assert_eq!(month["date"], "2024-06~");
    let words = create(
        &app,
        "words",
        json!({"date": "2025-10-27", "date_text": "27 октября", "date_basis": "the year of the report"}),
    )
    .await;
    assert_eq!(
        (words["date_text"].as_str(), words["date_basis"].as_str()),
        (Some("27 октября"), Some("the year of the report"))
    );
    // Agreeing fields beside the date are fine.
    create(
        &app,
        "agrees",
        json!({"date": "[2025-10-20..2025-10-26]", "start": "2025-10", "date_precision": "month",
        "earliest": "2025-10-20", "latest": "2025-10-26", "precision": "week", "qualifier": "exact"}),
    )
    .await;
}

#[actix_rt::test]
async fn bad_dates_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let refused = |date: Value, field: &'static str| {
        let app = &app;
        async move {
            let reply = app.post("/api/v1/events", &dated("bad", date.clone())).await;
            reply.assert_problem(400, field);
            assert!(reply.body["detail"].as_str().unwrap().len() < 400, "{date}: {}", reply.body);
        }
    };
    refused(json!({"date": "sometime in autumn"}), "date").await;
    refused(json!({"date": "2025-13"}), "date").await;
    refused(json!({"date": "2025-02-30"}), "date").await;
    refused(json!({"date": "2025-10-05/2025-10-01"}), "date").await;
    refused(json!({"date": "[2025-10-20..2025-10-26]~"}), "date").await;
    refused(json!({"date": "2025/.."}), "date").await;
    refused(json!({"date": "2025~/2026?"}), "date").await;
    refused(json!({"earliest": "2025-10-26", "latest": "2025-10-20"}), "latest").await;
    refused(json!({"earliest": "2025-10-26"}), "latest").await;
    refused(json!({"earliest": "2025-10", "latest": "2025-11-02"}), "earliest").await;
    refused(json!({"start": "2025-10-05", "end": "2025-10-01"}), "end").await;
    refused(json!({"earliest": "2025-10-20", "latest": "2025-10-26", "qualifier": "approximate"}), "qualifier").await;
    refused(json!({"date": "2025-10~", "qualifier": "uncertain"}), "qualifier").await;
    refused(json!({"date": "2025-10-27", "start": "2025-10-20"}), "start").await;
    refused(json!({"date": "2025-10", "date_precision": "day"}), "date_precision").await;
    refused(json!({"date": "2025-10", "precision": "day"}), "precision").await;
    refused(json!({"date": "2025-10", "earliest": "2025-10-02", "latest": "2025-10-31"}), "earliest").await;
    refused(json!({"start": "2025-10", "date_precision": "week"}), "date_precision").await;
    refused(json!({}), "date").await;
    refused(json!({"date": "2025", "qualifier": "maybe"}), "qualifier").await;
}

#[actix_rt::test]
async fn a_window_keeps_an_event_whose_possible_days_overlap_it() {
    let app = spawn_app().await;
    create(&app, "week", json!({"date": "[2025-10-20..2025-10-26]"})).await;
    let keys = |q: &'static str| {
        let app = &app;
        async move { app.get(&format!("/api/v1/timeline?tag=dated&{q}")).await.keys() }
    };
    assert_eq!(keys("from=2025-10-25&to=2025-10-31").await, ["week"]);
    assert!(keys("from=2025-10-27").await.is_empty());
    assert_eq!(keys("to=2025-10-20").await, ["week"]);
    assert!(keys("to=2025-10-19").await.is_empty());
    // The seeded statement of "last week" likewise.
    let seeded = app.get("/api/v1/timeline?country=KP&from=2025-10-25&to=2025-10-31").await.keys();
    assert!(seeded.contains(&"2025-10-kim-jong-un-friendship-at-peak".to_owned()), "{seeded:?}");
    let later = app.get("/api/v1/timeline?country=KP&from=2025-10-27&to=2025-10-31").await.keys();
    assert!(!later.contains(&"2025-10-kim-jong-un-friendship-at-peak".to_owned()), "{later:?}");
}

#[actix_rt::test]
async fn events_are_ordered_by_earliest_day_and_paged_and_filtered_by_precision() {
    let app = spawn_app().await;
    for (key, date) in [
        ("a-month", "2025-10"),
        ("b-early", "[2025-10-01..2025-10-10]"),
        ("c-day", "2025-10-01"),
        ("d-week", "[2025-10-06..2025-10-12]"),
        ("e-year", "2025?"),
        ("f-late", "[2025-10-21..2025-10-31]"),
    ] {
        create(&app, key, json!({"date": date})).await;
    }
    let (asc, pages) = app.all_pages("tag=dated&order=asc&limit=2").await;
    assert_eq!(pages, 3);
    // Earliest day first; the same earliest day in the order written.
    assert_eq!(asc, ["e-year", "a-month", "b-early", "c-day", "d-week", "f-late"]);
    let (desc, _) = app.all_pages("tag=dated&limit=4").await;
    assert_eq!(desc, asc.iter().rev().cloned().collect::<Vec<_>>());

    let precision = |p: &'static str| {
        let app = &app;
        async move { app.get(&format!("/api/v1/timeline?tag=dated&order=asc&precision={p}")).await.keys() }
    };
    assert_eq!(precision("day").await, ["c-day"]);
    assert_eq!(precision("week").await, ["c-day", "d-week"]);
    assert_eq!(precision("late_month").await, ["b-early", "c-day", "d-week", "f-late"]);
    assert_eq!(precision("month").await, ["a-month", "b-early", "c-day", "d-week", "f-late"]);
    assert_eq!(precision("century").await.len(), 6);
    app.get("/api/v1/timeline?precision=hour").await.assert_problem(400, "precision");
    // With a country, the same filter.
    let fr: Vec<String> = app.get("/api/v1/timeline?country=FR&precision=day").await.keys();
    assert_eq!(fr, ["c-day"]);
}

#[actix_rt::test]
async fn ndjson_carries_the_dates_and_evidence_and_old_lines_still_import() {
    let app = spawn_app().await;
    let lines = [
        // The first API's form, as shared/data/FORMAT.md had it.
        json!({"key": "old-form", "kind": "visit", "title": "Old form", "start": "2024-06-19", "end": "2024-06-21",
            "date_precision": "day", "participants": [{"kind": "country", "code": "FR"}],
            "sources": [{"url": "https://example.org/old", "published_at": "2024-06-22T08:00:00Z"}], "tags": ["dated"]}),
        json!({"key": "new-form", "kind": "statement", "title": "New form", "date": "[2025-10-20..2025-10-26]",
            "date_text": "на прошлой неделе", "date_basis": "the week before the report",
            "participants": [{"kind": "country", "code": "FR"}],
            "sources": [{"title": "A broadcast", "publisher": "Radio", "published": "2025-11-01",
                "quote": "На прошлой неделе…", "note": "quoting a ministry"}], "tags": ["dated"]}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let reply = app.post_raw("/api/v1/import?strict=true", "application/x-ndjson", body.into_bytes()).await;
    assert_eq!(reply.body["events"]["created"], 2, "{}", reply.body);

    let exported = app.get_text("/api/v1/export?tag=dated").await;
    let read: Vec<Value> = exported.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(read[0]["date"], "2024-06-19/2024-06-21");
    assert_eq!((read[0]["start"].as_str(), read[0]["end"].as_str()), (Some("2024-06-19"), Some("2024-06-21")));
    assert_eq!(read[0]["sources"][0]["published"], "2024-06-22T08:00:00Z");
    assert_eq!(read[1]["date"], "[2025-10-20..2025-10-26]");
    assert_eq!(read[1]["display_date"], "the week of 20–26 October 2025");
    assert_eq!(
        (read[1]["date_text"].as_str(), read[1]["date_basis"].as_str()),
        (Some("на прошлой неделе"), Some("the week before the report"))
    );
    let cited = &read[1]["sources"][0];
    assert!(cited["url"].is_null());
    assert_eq!(
        (cited["quote"].as_str(), cited["note"].as_str()),
        (Some("На прошлой неделе…"), Some("quoting a ministry"))
    );

    // The export imports again as the same events.
    let again = app.post_raw("/api/v1/import", "application/x-ndjson", exported.clone().into_bytes()).await;
    assert_eq!(again.body["events"]["unchanged"], 2, "{}", again.body);
    assert_eq!(app.get_text("/api/v1/export?tag=dated").await, exported);
}
