//! Facets: counts of a timeline's events by field, with the timeline each
//! value narrows to.

use crate::helpers::spawn_app;
use serde_json::Value;

fn values(answer: &Value, facet: &str) -> Vec<Value> {
    let found = answer["facets"].as_array().unwrap().iter().find(|f| f["facet"] == facet);
    found.unwrap_or_else(|| panic!("no {facet} in {answer}"))["values"].as_array().unwrap().clone()
}

/// Each count is what its timeline holds: following a value's link lists
/// exactly that many events (a year's, which counts by beginning, at least).
#[actix_rt::test]
async fn each_value_counts_the_events_its_timeline_lists() {
    let app = spawn_app().await;
    let facets = "facet=country&facet=kind&facet=participant&facet=tag&facet=year&facet=month&facet=precision";
    let all = app.get(&format!("/api/v1/facets?{facets}")).await;
    assert_eq!(all.status, 200, "{}", all.body);
    for facet in ["country", "kind", "participant", "tag", "year", "month", "precision"] {
        let listed = values(&all.body, facet);
        assert!(!listed.is_empty(), "{facet}");
        let counts: Vec<i64> = listed.iter().map(|v| v["count"].as_i64().unwrap()).collect();
        if facet == "precision" {
            // Known at least this finely: each coarser precision holds the finer ones.
            assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{facet}: finest first: {counts:?}");
        } else {
            assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{facet}: most frequent first: {counts:?}");
        }
        for value in listed {
            let link = value["timeline"].as_str().unwrap();
            let query = link.strip_prefix("/api/v1/timeline?").unwrap();
            let (keys, _) = app.all_pages(&format!("{query}&limit=500")).await;
            let count = value["count"].as_u64().unwrap() as usize;
            match facet {
                "year" | "month" => assert!(keys.len() >= count, "{facet} {value}: {} listed", keys.len()),
                _ => assert_eq!(keys.len(), count, "{facet} {value}"),
            }
        }
    }
    let country = values(&all.body, "country");
    assert_eq!((country[0]["value"].as_str(), country[0]["label"].as_str()), (Some("RU"), Some("Russia")));
    assert_eq!(country[0]["count"], 7, "Russia takes part in every seeded event");
    let precision = values(&all.body, "precision");
    assert_eq!(precision[0]["value"], "day");
    assert_eq!(precision.last().unwrap()["count"], 7, "every event is known at least to the century");
    // Within a precision filter, no coarser precision is offered.
    let narrowed = app.get("/api/v1/facets?facet=precision&precision=month").await;
    let offered = values(&narrowed.body, "precision");
    assert_eq!(offered.last().unwrap()["value"], "month", "{offered:?}");
}

#[actix_rt::test]
async fn facets_take_the_timeline_filters_and_say_when_they_are_cut() {
    let app = spawn_app().await;
    let kp = app.get("/api/v1/facets?facet=country&country=KP&lang=ru&facet_size=1").await;
    let listed = values(&kp.body, "country");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["value"], "KP");
    assert_eq!(listed[0]["label"], "КНДР");
    assert_eq!(listed[0]["count"], 5);
    assert_eq!(kp.body["facets"][0]["truncated"], true);
    let whole = app.get("/api/v1/facets?facet=country&country=KP&facet_size=100").await;
    assert_eq!(whole.body["facets"][0]["truncated"], false);
    // Narrowing a country filter by another country means both.
    let russia = values(&whole.body, "country").into_iter().find(|v| v["value"] == "RU").unwrap();
    assert_eq!(russia["timeline"], "/api/v1/timeline?country=KP&country=RU&match=all");
    // Beside two countries matched with `any`, a third cannot be said.
    let any = app.get("/api/v1/facets?facet=country&country=KP&country=CN&match=any&facet_size=100").await;
    for value in values(&any.body, "country") {
        let listed = value["value"] == "KP" || value["value"] == "CN";
        assert_eq!(value.get("timeline").is_some(), listed, "{value}");
    }
    // Participants are named in `lang` too: a person by the name the seed
    // gives in Russian, a country by CLDR's; as given without `lang`.
    let labels = |answer: &Value| -> Vec<String> {
        values(answer, "participant").iter().map(|v| v["label"].as_str().unwrap().to_owned()).collect()
    };
    let russian = labels(&app.get("/api/v1/facets?facet=participant&lang=ru&facet_size=100").await.body);
    assert!(russian.iter().any(|l| l == "Ким Чен Ын") && russian.iter().any(|l| l == "Россия"), "{russian:?}");
    let given = labels(&app.get("/api/v1/facets?facet=participant&facet_size=100").await.body);
    assert!(given.iter().any(|l| l == "Kim Jong Un") && !given.iter().any(|l| l == "Ким Чен Ын"), "{given:?}");
    // A year inside a narrower window keeps the window.
    let window = app.get("/api/v1/facets?facet=year&from=2025-10").await;
    let y2025 = values(&window.body, "year").into_iter().find(|v| v["value"] == "2025").unwrap();
    assert_eq!(y2025["timeline"], "/api/v1/timeline?from=2025-10-01&to=2025");
}

#[actix_rt::test]
async fn bad_facet_requests_are_400s_naming_the_parameter() {
    let app = spawn_app().await;
    app.get("/api/v1/facets").await.assert_problem(400, "facet");
    app.get("/api/v1/facets?facet=colour").await.assert_problem(400, "facet");
    app.get("/api/v1/facets?facet=kind&facet_size=0").await.assert_problem(400, "facet_size");
    app.get("/api/v1/facets?facet=kind&facet_size=101").await.assert_problem(400, "facet_size");
    app.get("/api/v1/facets?facet=kind&limit=5").await.assert_problem(400, "limit");
    app.get("/api/v1/facets?facet=kind&country=Atlantis").await.assert_problem(400, "country");
    app.get("/api/v1/facets?facet=kind&participant=999999").await.assert_problem_status(404);
}

/// Facets and relations over every event or one country's timeline, in
/// every year or a window of whole years, come from counts the write path
/// keeps; `precision=century` holds the same events but is counted by
/// scanning them. After every kind of write, both agree.
#[actix_rt::test]
async fn the_kept_counts_follow_every_write() {
    use crate::helpers::event_body;
    use serde_json::json;
    let app = spawn_app().await;
    for (key, start, countries) in
        [("c1", "2020-03-01", &["RU", "KP"][..]), ("c2", "2021-05-01", &["RU", "CN"]), ("c3", "2021", &["CN"])]
    {
        assert_eq!(app.post("/api/v1/events", &event_body(key, start, countries)).await.status, 201);
    }
    // Replaced with another kind, year and countries; one deleted.
    let mut c1 = event_body("c1", "2019-01-01", &["RU", "US"]);
    c1["kind"] = json!("treaty");
    assert_eq!(app.put("/api/v1/events/c1", &c1).await.status, 200);
    assert_eq!(app.delete("/api/v1/events/c2").await.status, 204);
    // A person's nationality moves their event to another country.
    let lee = app.post("/api/v1/participants", &json!({"kind": "person", "name": "Lee", "country": "KR"})).await;
    let id = lee.body["id"].as_i64().unwrap();
    let c4 = json!({"key": "c4", "kind": "visit", "title": "Lee in Moscow", "start": "2022",
        "participants": [{"id": id}, {"kind": "country", "code": "RU"}]});
    assert_eq!(app.post("/api/v1/events", &c4).await.status, 201);
    let moved = json!({"kind": "person", "name": "Lee", "country": "JP"});
    assert_eq!(app.put(&format!("/api/v1/participants/{id}"), &moved).await.status, 200);
    // An import that replaces one event and adds another.
    let mut c3 = event_body("c3", "2021", &["CN", "RU"]);
    c3["kind"] = json!("summit");
    let lines = format!("{c3}\n{}\n", event_body("c5", "2018-07", &["US", "JP"]));
    let imported = app.post_raw("/api/v1/import", "application/x-ndjson", lines.into_bytes()).await;
    assert_eq!(imported.status, 200, "{}", imported.body);

    // Events that may go on from one year into the next (and the next).
    let mut lasted = event_body("c6", "2020-12-28", &["RU", "KP"]);
    lasted["date"] = json!("2020-12-28/2021-01-03");
    lasted.as_object_mut().unwrap().remove("start");
    assert_eq!(app.post("/api/v1/events", &lasted).await.status, 201);
    let mut unsure = event_body("c7", "2019-11-01", &["US"]);
    unsure["date"] = json!("[2019-11-01..2021-02-01]");
    unsure.as_object_mut().unwrap().remove("start");
    assert_eq!(app.post("/api/v1/events", &unsure).await.status, 201);
    let mut moved = event_body("c8", "2017-12-20", &["CN"]);
    moved["date"] = json!("2017-12-20/2018-01-10");
    moved.as_object_mut().unwrap().remove("start");
    assert_eq!(app.post("/api/v1/events", &moved).await.status, 201);
    moved["date"] = json!("2018-12-20/2019-01-10");
    assert_eq!(app.put("/api/v1/events/c8", &moved).await.status, 200);

    let scanned = "precision=century";
    let facets = ["kind", "year", "country", "month", "tag", "participant", "precision"];
    for filter in [
        "",
        "country=RU",
        "country=JP",
        "kind=meeting&kind=summit",
        "country=RU&country=US&match=all",
        "from=2021&to=2021",
        "from=2020-01-01&to=2021-12-31",
        "from=2021",
        "to=2020",
        "from=2021&to=2021&country=RU",
        "from=2020&country=US&kind=meeting",
        "to=2019&country=US&country=RU&match=all",
    ] {
        let all = facets.iter().map(|f| format!("facet={f}")).collect::<Vec<_>>().join("&");
        let facets_url = format!("/api/v1/facets?{all}&facet_size=100&{filter}");
        let (counted, by_scan) = (app.get(&facets_url).await, app.get(&format!("{facets_url}&{scanned}")).await);
        assert_eq!(counted.status, 200, "{}", counted.body);
        // A window's kinds add up to what its timeline lists.
        let kinds: i64 = values(&counted.body, "kind").iter().map(|v| v["count"].as_i64().unwrap()).sum();
        let (listed, _) = app.all_pages(&format!("{filter}&limit=500")).await;
        assert_eq!(kinds as usize, listed.len(), "kinds of {filter:?}");
        for facet in facets {
            let count = |answer: &Value| -> Vec<(Value, Value, Value)> {
                values(answer, facet)
                    .iter()
                    .map(|v| (v["value"].clone(), v["label"].clone(), v["count"].clone()))
                    .collect()
            };
            assert_eq!(count(&counted.body), count(&by_scan.body), "{facet} of {filter:?}");
        }
    }
    // Every partner, and the top one alone (chosen from the totals).
    for (country, size) in [("RU", 100), ("US", 100), ("JP", 100), ("RU", 1), ("US", 1)] {
        let path = format!("/api/v1/countries/{country}/relations?size={size}");
        let partners = |answer: &Value| {
            answer["partners"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p["code"].clone(), p["shared_events"].clone(), p["kinds"].clone()))
                .collect::<Vec<_>>()
        };
        let (counted, by_scan) = (app.get(&path).await, app.get(&format!("{path}&{scanned}")).await);
        assert_eq!(partners(&counted.body), partners(&by_scan.body), "{country} {size}");
        assert_eq!(counted.body["truncated"], by_scan.body["truncated"], "{country} {size}");
    }
    let path = "/api/v1/relations?country=RU&country=US&by=year";
    let (counted, by_scan) = (app.get(path).await, app.get(&format!("{path}&{scanned}")).await);
    assert_eq!(counted.status, 200, "{}", counted.body);
    let periods = |answer: &Value| -> Vec<(Value, Value)> {
        answer["periods"].as_array().unwrap().iter().map(|p| (p["period"].clone(), p["count"].clone())).collect()
    };
    assert_eq!(periods(&counted.body), periods(&by_scan.body));
}
