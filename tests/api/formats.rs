//! The widget formats: each against its own rules, on the seeded database
//! and on events made to test them.

use crate::helpers::{TestApp, event_body, spawn_app};
use serde_json::{Value, json};

const SEED_MONTH: &str = "2024-06-russia-dprk-strategic-partnership-treaty";
const SEED_WEEK: &str = "2025-10-kim-jong-un-friendship-at-peak";
const SEED_EARLY_MONTH: &str = "2025-10-united-russia-delegation-visits-dprk";
const SEED_DAY: &str = "2025-10-27-putin-receives-choe-son-hui";
const SEED_YEAR: &str = "2024-putin-eurasian-security-architecture";

/// An event whose strings hold HTML, CSV and iCalendar specials.
const HOSTILE: &str = "Talks <script>alert(1)</script> \"quoted\", with; commas\nand a new line — Переговоры";

async fn with_hostile_event(app: &TestApp) {
    let mut body = event_body("hostile-strings", "2025-09-15", &["RU", "KP"]);
    body["title"] = json!(HOSTILE);
    body["summary"] = json!(format!("{HOSTILE} <b>bold</b> & more"));
    body["sources"] = json!([{"url": "https://example.org/a?b=1&c=\"2\"", "title": "A <i>report</i>", "language": "en",
        "quote": "He said: «<img src=x onerror=alert(1)>»"}]);
    body["location"] = json!({"name": "Vladivostok, Primorye", "country": "RU", "lat": 43.1155, "lon": 131.8855});
    assert_eq!(app.put("/api/v1/events/hostile-strings", &body).await.status, 201);
}

fn by_key<'a>(list: &'a [Value], field: &str, key: &str) -> &'a Value {
    list.iter().find(|item| item[field] == key).unwrap_or_else(|| panic!("{key} is not in {list:?}"))
}

#[actix_rt::test]
async fn timelinejs_dates_say_no_more_than_is_known() {
    let app = spawn_app().await;
    let reply = app.get_with("/api/v1/timeline?format=timelinejs&limit=100", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type").as_deref(), Some("application/json"));
    let body = reply.json();
    assert!(body.get("title").is_none(), "no title slide unless asked for");
    let events = body["events"].as_array().unwrap();
    let slide = |key| by_key(events, "unique_id", key);
    assert_eq!(
        slide(SEED_DAY)["start_date"],
        json!({"year": 2025, "month": 10, "day": 27, "display_date": "27 October 2025"})
    );
    assert_eq!(slide(SEED_MONTH)["start_date"], json!({"year": 2024, "month": 6, "display_date": "June 2024"}));
    assert_eq!(slide(SEED_YEAR)["start_date"]["year"], 2024);
    assert!(slide(SEED_YEAR)["start_date"].get("month").is_none());
    assert_eq!(slide(SEED_WEEK)["display_date"], "the week of 20–26 October 2025");
    assert_eq!(slide(SEED_WEEK)["start_date"]["day"], 20, "a week is placed on its first day");
    assert_eq!(slide(SEED_EARLY_MONTH)["display_date"], "early October 2025");
    for event in events {
        assert!(event.get("end_date").is_none(), "none of the seed's events lasted: {event}");
        assert!(event["text"]["headline"].as_str().is_some_and(|h| !h.is_empty()));
    }
}

#[actix_rt::test]
async fn timelinejs_escapes_data_and_links_sources_and_groups() {
    let app = spawn_app().await;
    with_hostile_event(&app).await;
    let mut lasted = event_body("three-day-forum", "2025-09-01", &["RU"]);
    lasted["date"] = json!("2025-09-03/2025-09-05");
    lasted.as_object_mut().unwrap().remove("start");
    assert_eq!(app.put("/api/v1/events/three-day-forum", &lasted).await.status, 201);

    let reply =
        app.get_with("/api/v1/timeline?format=timelinejs&group_by=kind&title=Russia%E2%80%93DPRK%20%3Cb%3E", &[]).await;
    let body = reply.json();
    assert_eq!(body["title"]["text"]["headline"], "Russia–DPRK &lt;b&gt;");
    let events = body["events"].as_array().unwrap();
    let hostile = by_key(events, "unique_id", "hostile-strings");
    let text = hostile["text"]["text"].as_str().unwrap();
    let headline = hostile["text"]["headline"].as_str().unwrap();
    for html in [text, headline] {
        assert!(
            !html.contains("<script") && !html.contains("<img") && !html.contains("<b>bold") && !html.contains("<i>"),
            "{html}"
        );
    }
    assert!(headline.contains("&lt;script&gt;"), "{headline}");
    assert!(text.contains("<a href=\"https://example.org/a?b=1&amp;c=&quot;2&quot;\""), "{text}");
    assert!(text.contains("A &lt;i&gt;report&lt;/i&gt;</a>"), "{text}");
    assert!(text.contains("<blockquote>He said: «&lt;img"), "{text}");
    assert_eq!(hostile["group"], "meeting");
    let forum = by_key(events, "unique_id", "three-day-forum");
    assert_eq!(forum["start_date"]["day"], 3);
    assert_eq!(forum["end_date"], json!({"year": 2025, "month": 9, "day": 5}));
}

#[actix_rt::test]
async fn vis_items_are_points_on_known_days_and_ranges_over_periods() {
    let app = spawn_app().await;
    let mut lasted = event_body("three-day-forum", "2025-09-01", &["RU"]);
    lasted["date"] = json!("2025-09-03/2025-09-05");
    lasted.as_object_mut().unwrap().remove("start");
    assert_eq!(app.put("/api/v1/events/three-day-forum", &lasted).await.status, 201);
    let body = app.get_with("/api/v1/timeline?format=vis&group_by=country&limit=100", &[]).await.json();
    let items = body["items"].as_array().unwrap();
    let item = |key| by_key(items, "id", key);

    let day = item(SEED_DAY);
    assert_eq!((day["type"].as_str(), day["start"].as_str()), (Some("point"), Some("2025-10-27")));
    assert!(day.get("end").is_none());
    let week = item(SEED_WEEK);
    assert_eq!(week["type"], "range");
    assert_eq!(
        (week["start"].as_str(), week["end"].as_str()),
        (Some("2025-10-20"), Some("2025-10-27")),
        "end is exclusive"
    );
    assert!(week["className"].as_str().unwrap().split(' ').any(|c| c == "uncertain"), "{week}");
    assert!(week["className"].as_str().unwrap().contains("precision-week"));
    let month = item(SEED_MONTH);
    assert_eq!((month["start"].as_str(), month["end"].as_str()), (Some("2024-06-01"), Some("2024-07-01")));
    let forum = item("three-day-forum");
    assert_eq!((forum["start"].as_str(), forum["end"].as_str()), (Some("2025-09-03"), Some("2025-09-06")));
    assert!(forum["className"].as_str().unwrap().starts_with("lasted "), "{forum}");

    let groups = body["groups"].as_array().unwrap();
    for item in items {
        assert!(groups.iter().any(|g| g["id"] == item["group"]), "{item} has a group that is not listed");
    }
    // The treaty was signed in Pyongyang: it is in North Korea's lane, named as its participant is.
    assert_eq!(month["group"], "KP");
    assert_eq!(by_key(groups, "id", "KP")["content"], "North Korea");
    let ungrouped = app.get_with("/api/v1/timeline?format=vis", &[]).await.json();
    assert!(ungrouped.get("groups").is_none() && ungrouped["items"][0].get("group").is_none());
}

#[actix_rt::test]
async fn a_widget_scrolling_to_a_window_gets_what_overlaps_it_page_by_page() {
    let app = spawn_app().await;
    // vis-timeline's `rangechanged` gave 2025-10-22..2025-10-25; the widget asks with a day's margin.
    let path = "/api/v1/timeline?format=vis&country=RU&country=KP&match=all&from=2025-10-21&to=2025-10-26&limit=1";
    let first = app.get_with(path, &[]).await;
    let body = first.json();
    let ids: Vec<&str> = body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [SEED_WEEK], "the week overlaps the window; nothing else does");
    assert!(body["next_cursor"].is_null() && first.header("link").is_none());

    let wider = app
        .get_with("/api/v1/timeline?format=vis&country=RU&country=KP&match=all&from=2025-10&to=2025-10&limit=1", &[])
        .await;
    let cursor = wider.json()["next_cursor"].as_str().expect("more than one event in October").to_owned();
    let link = wider.header("link").unwrap();
    assert!(link.contains("format=vis") && link.contains(&cursor), "{link}");
}

#[actix_rt::test]
async fn the_ics_feed_reads_back_with_exclusive_ends_and_stable_uids() {
    let app = spawn_app().await;
    with_hostile_event(&app).await;
    let path = "/api/v1/export?format=ics&country=RU&country=KP&match=all&title=Russia%E2%80%93DPRK";
    let reply = app.get_with(path, &[]).await;
    assert_eq!(reply.header("content-type").as_deref(), Some("text/calendar; charset=utf-8"));
    let text = reply.text();
    assert!(text.split("\r\n").all(|line| line.len() <= 75), "lines are folded at 75 octets");
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    let unfolded = icalendar::parser::unfold(&text);
    let calendar: icalendar::Calendar = icalendar::parser::read_calendar(&unfolded).expect("parses").into();
    assert_eq!(calendar.get_name(), Some("Russia–DPRK"));
    use icalendar::{Component, DatePerhapsTime, EventLike};
    let events: Vec<&icalendar::Event> = calendar.events().collect();
    let event = |key: &str| {
        let uid = format!("{key}@timeline");
        *events.iter().find(|e| e.get_uid() == Some(uid.as_str())).unwrap_or_else(|| panic!("no {uid}"))
    };
    let date = |d: &str| DatePerhapsTime::Date(chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
    let day = event(SEED_DAY);
    assert_eq!((day.get_start(), day.get_end()), (Some(date("2025-10-27")), Some(date("2025-10-28"))));
    assert!(!day.get_summary().unwrap().contains("not known"));
    let week = event(SEED_WEEK);
    assert_eq!((week.get_start(), week.get_end()), (Some(date("2025-10-20")), Some(date("2025-10-27"))));
    assert!(week.get_summary().unwrap().ends_with("(day not known: the week of 20–26 October 2025)"));
    assert!(week.get_timestamp().is_some(), "DTSTAMP");
    let hostile = event("hostile-strings");
    assert_eq!(hostile.get_summary(), Some(HOSTILE.replace('\n', " ").as_str()));
    assert_eq!(hostile.get_url(), Some("https://example.org/a?b=1&c=\"2\""));
    assert_eq!(hostile.get_location(), Some("Vladivostok, Primorye"));
    assert!(hostile.get_description().unwrap().contains("«<img src=x onerror=alert(1)>»"));
    // The same events give the same feed, byte for byte.
    assert_eq!(app.get_with(path, &[]).await.text(), text);
}

#[actix_rt::test]
async fn csv_rows_read_back_with_quotes_commas_new_lines_and_cyrillic() {
    let app = spawn_app().await;
    with_hostile_event(&app).await;
    let reply = app.get_with("/api/v1/export", &[("Accept", "text/csv")]).await;
    assert_eq!(reply.header("content-type").as_deref(), Some("text/csv; charset=utf-8; header=present"));
    let mut reader = csv::Reader::from_reader(reply.bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let total = app.get("/api/v1/timeline?limit=500").await.keys().len();
    assert_eq!(rows.len(), total, "one row per event");
    let hostile = rows.iter().find(|r| &r[column("key")] == "hostile-strings").unwrap();
    assert_eq!(&hostile[column("title")], HOSTILE);
    assert_eq!(&hostile[column("countries")], "KP; RU");
    assert_eq!(&hostile[column("location")], "Vladivostok, Primorye");
    assert_eq!(&hostile[column("lon")], "131.8855");
    let week = rows.iter().find(|r| &r[column("key")] == SEED_WEEK).unwrap();
    assert_eq!((&week[column("earliest")], &week[column("latest")]), ("2025-10-20", "2025-10-26"));
    assert_eq!(&week[column("date_text")], "на прошлой неделе");
}

#[actix_rt::test]
async fn geojson_holds_the_located_events_at_lon_lat() {
    let app = spawn_app().await;
    with_hostile_event(&app).await;
    let reply = app.get_with("/api/v1/timeline?format=geojson&limit=500", &[]).await;
    assert_eq!(reply.header("content-type").as_deref(), Some("application/geo+json"));
    let text = reply.text();
    let parsed: geojson::GeoJson = text.parse().expect("valid GeoJSON");
    let geojson::GeoJson::FeatureCollection(collection) = parsed else { panic!("not a FeatureCollection") };
    let located = app.get("/api/v1/timeline?limit=500").await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["location"]["lat"].is_number())
        .count();
    assert_eq!(collection.features.len(), located);
    let hostile = collection.features.iter().find(|f| f.property("key") == Some(&json!("hostile-strings"))).unwrap();
    let geometry = hostile.geometry.as_ref().unwrap();
    assert_eq!(serde_json::to_value(geometry).unwrap()["coordinates"], json!([131.8855, 43.1155]), "[lon, lat]");
    assert_eq!(hostile.property("title"), Some(&json!(HOSTILE)));
    assert_eq!(hostile.property("earliest"), Some(&json!("2025-09-15")));
    assert!(serde_json::from_str::<Value>(&text).unwrap()["next_cursor"].is_null());
}

#[actix_rt::test]
async fn accept_chooses_a_format_and_format_overrides_it() {
    let app = spawn_app().await;
    let ics = app.get_with("/api/v1/timeline", &[("Accept", "text/calendar, application/json;q=0.5")]).await;
    assert!(ics.text().starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(ics.header("vary").unwrap().contains("Accept"));
    let json = app.get_with("/api/v1/timeline?format=json", &[("Accept", "text/calendar")]).await;
    assert!(json.json()["items"].is_array());
    let default = app.get_with("/api/v1/timeline", &[("Accept", "text/html,*/*")]).await;
    assert!(default.json()["items"].is_array());
    let ndjson = app.get_with("/api/v1/export", &[("Accept", "*/*")]).await;
    assert_eq!(ndjson.header("content-type").as_deref(), Some("application/x-ndjson"));
    app.get("/api/v1/timeline?format=xml").await.assert_problem(400, "format");
    app.get("/api/v1/timeline?group_by=year").await.assert_problem(400, "group_by");
}

#[actix_rt::test]
async fn an_export_streams_every_event_in_a_format_past_one_page() {
    let app = spawn_app().await;
    let lines: Vec<String> = (0..1_205)
        .map(|i| {
            let mut body = event_body(&format!("bulk-{i:04}"), "2020-01-01", &["FR"]);
            body["start"] = json!(format!("2020-{:02}-{:02}", i % 12 + 1, i % 28 + 1));
            body.to_string()
        })
        .collect();
    let imported = app.post_raw("/api/v1/import", "application/x-ndjson", lines.join("\n").into_bytes()).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let vis = app.get_with("/api/v1/export?format=vis&country=FR", &[]).await.json();
    let items = vis["items"].as_array().unwrap();
    assert_eq!(items.len(), 1_205);
    let starts: Vec<&str> = items.iter().map(|i| i["start"].as_str().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    let csv = app.get_with("/api/v1/export?format=csv&country=FR", &[]).await;
    assert_eq!(csv::Reader::from_reader(csv.bytes.as_slice()).records().count(), 1_205);
}

/// Strings that break naive code — SQL wildcards, backslashes, right-to-left
/// marks, emoji (flags are two code points each), long Cyrillic — come back
/// byte for byte from JSON, the NDJSON export, CSV and iCalendar; a lone
/// surrogate, which no UTF-8 text can hold, is refused.
#[actix_rt::test]
async fn hostile_strings_come_back_byte_exact_from_every_text_format() {
    let app = spawn_app().await;
    let title =
        format!("100% _under_ back\\slash \\n \u{200F}שלום\u{200F} 🇷🇺🤝🇰🇵 {}", "Переговоры ".repeat(40).trim_end());
    let mut body = event_body("hostile-unicode", "2025-09-16", &["RU", "KP"]);
    body["title"] = json!(title);
    assert_eq!(app.put("/api/v1/events/hostile-unicode", &body).await.status, 201);

    assert_eq!(app.get("/api/v1/events/hostile-unicode").await.body["title"], json!(title));
    let ndjson = app.get_with("/api/v1/export?from=2025-09-16&to=2025-09-16", &[]).await.text();
    let line: Value = serde_json::from_str(ndjson.lines().next().unwrap()).unwrap();
    assert_eq!(line["title"], json!(title));

    let csv = app.get_with("/api/v1/export?format=csv&from=2025-09-16&to=2025-09-16", &[]).await;
    let mut reader = csv::Reader::from_reader(csv.bytes.as_slice());
    let column = reader.headers().unwrap().iter().position(|h| h == "title").unwrap();
    assert_eq!(&reader.records().next().unwrap().unwrap()[column], title);

    let ics = app.get_with("/api/v1/export?format=ics&from=2025-09-16&to=2025-09-16", &[]).await.text();
    let unfolded = icalendar::parser::unfold(&ics);
    let calendar: icalendar::Calendar = icalendar::parser::read_calendar(&unfolded).expect("parses").into();
    use icalendar::Component;
    assert_eq!(calendar.events().next().unwrap().get_summary(), Some(title.as_str()));

    let lone = br#"{"key": "lone", "kind": "visit", "title": "\ud800", "date": "2025"}"#.to_vec();
    app.post_raw("/api/v1/events", "application/json", lone).await.assert_problem_status(400);
}
