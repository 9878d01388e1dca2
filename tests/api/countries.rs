use crate::helpers::{TestApp, event_body, spawn_app};
use serde_json::json;

#[actix_rt::test]
async fn countries_list_every_country_with_its_events() {
    let app = spawn_app().await;
    let list = app.get("/api/v1/countries").await;
    assert_eq!(list.status, 200);
    let items = list.body.as_array().unwrap();
    assert_eq!(items[0], json!({"code": "RU", "name": "Russia", "event_count": 7}));
    assert_eq!(items[1], json!({"code": "KP", "name": "North Korea", "event_count": 5}));
    // The ADMM-Plus members and dialogue partners, Russia among them.
    assert_eq!(items.len(), 19);

    // A country known only through a person's nationality gets its CLDR name.
    let body = json!({"key": "fr", "kind": "visit", "title": "Visit", "start": "2025",
        "participants": [{"kind": "person", "name": "Jean Dupont", "country": "FR"}]});
    assert_eq!(app.post("/api/v1/events", &body).await.status, 201);
    let list = app.get("/api/v1/countries").await;
    let france = list.body.as_array().unwrap().iter().find(|c| c["code"] == "FR").cloned();
    assert_eq!(france, Some(json!({"code": "FR", "name": "France", "event_count": 1})));
}

/// A search box asks what a name refers to: countries by code, name,
/// alias or Russian case form, and participants by how their name begins.
#[actix_rt::test]
async fn a_name_resolves_to_countries_and_participants_saying_how_it_matched() {
    let app = spawn_app().await;
    // Северной Кореи
    let kp = app
        .get("/api/v1/resolve?name=%D0%A1%D0%B5%D0%B2%D0%B5%D1%80%D0%BD%D0%BE%D0%B9%20%D0%9A%D0%BE%D1%80%D0%B5%D0%B8")
        .await;
    assert_eq!(kp.status, 200, "{}", kp.body);
    assert_eq!(kp.body["countries"], json!([{"code": "KP", "name": "North Korea", "match": "inflection"}]));
    assert_eq!(kp.body["ambiguous"], false);
    let ru = app.get("/api/v1/resolve?name=dprk&lang=ru").await;
    assert_eq!(ru.body["countries"], json!([{"code": "KP", "name": "КНДР", "match": "alias"}]));
    let korea = app.get("/api/v1/resolve?name=Korea").await;
    assert_eq!(korea.body["ambiguous"], true);
    let codes: Vec<&str> =
        korea.body["countries"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["KP", "KR"]);

    let kim = app.get("/api/v1/resolve?name=kim").await;
    assert_eq!(kim.body["countries"], json!([]));
    assert_eq!(kim.body["participants"][0]["name"], "Kim Jong Un");
    assert_eq!(kim.body["participants"][0]["match"], "prefix");
    let whole = app.get("/api/v1/resolve?name=kim%20jong%20un").await;
    assert_eq!(whole.body["participants"][0]["match"], "name");
    // Russia is a country and a country participant.
    let russia = app.get("/api/v1/resolve?name=Russia").await;
    assert_eq!(russia.body["countries"][0]["match"], "name");
    assert_eq!(russia.body["participants"][0]["kind"], "country");

    app.get("/api/v1/resolve").await.assert_problem(400, "name");
    app.get("/api/v1/resolve?name=%20").await.assert_problem(400, "name");
    app.get("/api/v1/resolve?name=x&lang=de").await.assert_problem(400, "lang");
}

/// `lang=ru` shows country names in Russian wherever the answer names
/// countries: the country list, group labels and a calendar's name.
#[actix_rt::test]
async fn lang_ru_names_countries_in_russian_in_every_answer() {
    let app = spawn_app().await;
    let list = app.get("/api/v1/countries?lang=ru").await;
    assert_eq!(list.body[0], json!({"code": "RU", "name": "Россия", "event_count": 7}));
    assert_eq!(list.body[1]["name"], "КНДР");
    assert_eq!(app.get("/api/v1/countries").await.body[1]["name"], "North Korea");

    let vis = app.get("/api/v1/timeline?country=KP&format=vis&group_by=country&lang=ru").await;
    let labels: Vec<&str> =
        vis.body["groups"].as_array().unwrap().iter().map(|g| g["content"].as_str().unwrap()).collect();
    assert!(labels.contains(&"КНДР") || labels.contains(&"Россия"), "{labels:?}");
    assert!(labels.iter().all(|l| !l.is_ascii()), "{labels:?}");

    let ics = app.get_with("/api/v1/export?format=ics&country=RU&country=KP&match=all&lang=ru", &[]).await.text();
    assert!(ics.contains("Россия – КНДР"), "{ics}");
    app.get("/api/v1/countries?lang=de").await.assert_problem(400, "lang");
    app.get("/api/v1/timeline?lang=de").await.assert_problem(400, "lang");
}

/// Each partner's count is what its bilateral timeline lists, its kinds add
/// up to it, and its latest event is that timeline's first.
#[actix_rt::test]
async fn a_countrys_partners_share_what_their_bilateral_timelines_list() {
    let app = spawn_app().await;
    for (path, filter) in [
        ("/api/v1/countries/RU/relations", ""),
        ("/api/v1/countries/%D0%A0%D0%BE%D1%81%D1%81%D0%B8%D1%8F/relations?kind=meeting", "&kind=meeting"),
        ("/api/v1/countries/RU/relations?q=treaty", "&q=treaty"),
    ] {
        let partners = assert_partners_are_their_bilateral_timelines(&app, path, filter).await;
        assert!(partners.iter().any(|p| p == "KP"), "{path}: {partners:?}");
    }
    let in_russian = app.get("/api/v1/countries/RU/relations?lang=ru&size=1").await;
    assert_eq!(in_russian.body["name"], "Россия");
    assert_eq!(in_russian.body["partners"].as_array().unwrap().len(), 1);
    assert_eq!(in_russian.body["truncated"], true);
    app.get("/api/v1/countries/XX/relations").await.assert_problem(400, "code");
    app.get("/api/v1/countries/RU/relations?country=KP").await.assert_problem(400, "country");
    app.get("/api/v1/countries/RU/relations?size=0").await.assert_problem(400, "size");
    app.get("/api/v1/countries/RU/relations?limit=5").await.assert_problem(400, "limit");
}

/// A partner whose latest shared event lies deep in the country's timeline,
/// behind hundreds of newer events shared with another, is still given it,
/// and so is the other.
#[actix_rt::test]
async fn a_partner_met_only_deep_in_the_timeline_still_has_its_latest_event() {
    let app = spawn_app().await;
    let lines: String = (0..600)
        .map(|i| {
            let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(i);
            format!("{}\n", event_body(&format!("ru-cn-{i}"), &day.to_string(), &["RU", "CN"]))
        })
        .collect();
    let imported = app.post_raw("/api/v1/import", "application/x-ndjson", lines.into_bytes()).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    for (path, filter) in [
        ("/api/v1/countries/RU/relations", ""),
        ("/api/v1/countries/RU/relations?from=2024&kind=meeting", "&from=2024&kind=meeting"),
    ] {
        let partners = assert_partners_are_their_bilateral_timelines(&app, path, filter).await;
        assert!(partners.iter().any(|p| p == "CN") && partners.iter().any(|p| p == "KP"), "{path}: {partners:?}");
    }
}

/// A country's newest event changes partners twice: once when it is
/// rewritten with another country, once when a person in it takes another
/// nationality. Each time the partner it left keeps its own latest event
/// (an older one), and the partner it joined gets this one.
#[actix_rt::test]
async fn partners_latest_events_follow_an_event_and_a_person_changing_countries() {
    let app = spawn_app().await;
    for (key, start, countries) in [("old-cn", "2026-10-10", ["RU", "CN"]), ("old-kr", "2026-10-20", ["RU", "KR"])] {
        assert_eq!(app.post("/api/v1/events", &event_body(key, start, &countries)).await.status, 201);
    }
    let latest = |answer: &serde_json::Value, code: &str| {
        let partners = answer["partners"].as_array().unwrap();
        partners.iter().find(|p| p["code"] == code).map(|p| p["latest"]["key"].as_str().unwrap().to_owned())
    };
    let newest = event_body("newest", "2026-11-30", &["RU", "CN"]);
    assert_eq!(app.post("/api/v1/events", &newest).await.status, 201);
    assert_partners_are_their_bilateral_timelines(&app, "/api/v1/countries/RU/relations?size=100", "").await;
    let answer = app.get("/api/v1/countries/RU/relations?size=100").await;
    assert_eq!(latest(&answer.body, "CN").as_deref(), Some("newest"));

    let with_japan = event_body("newest", "2026-11-30", &["RU", "JP"]);
    assert_eq!(app.put("/api/v1/events/newest", &with_japan).await.status, 200);
    assert_partners_are_their_bilateral_timelines(&app, "/api/v1/countries/RU/relations?size=100", "").await;
    let answer = app.get("/api/v1/countries/RU/relations?size=100").await;
    assert_eq!(latest(&answer.body, "CN").as_deref(), Some("old-cn"));
    assert_eq!(latest(&answer.body, "JP").as_deref(), Some("newest"));

    let person = app.post("/api/v1/participants", &json!({"kind": "person", "name": "Lee Min", "country": "KR"})).await;
    let id = person.body["id"].as_i64().unwrap();
    let mut with_lee = event_body("newest", "2026-11-30", &["RU"]);
    with_lee["participants"].as_array_mut().unwrap().push(json!({"id": id, "role": "guest"}));
    assert_eq!(app.put("/api/v1/events/newest", &with_lee).await.status, 200);
    let answer = app.get("/api/v1/countries/RU/relations?size=100").await;
    assert_eq!(latest(&answer.body, "KR").as_deref(), Some("newest"));
    let moved = json!({"kind": "person", "name": "Lee Min", "country": "GB"});
    assert_eq!(app.put(&format!("/api/v1/participants/{id}"), &moved).await.status, 200);
    assert_partners_are_their_bilateral_timelines(&app, "/api/v1/countries/RU/relations?size=100", "").await;
    let answer = app.get("/api/v1/countries/RU/relations?size=100").await;
    assert_eq!(latest(&answer.body, "KR").as_deref(), Some("old-kr"));
    assert_eq!(latest(&answer.body, "GB").as_deref(), Some("newest"));
}

/// Asserts that each partner in the answer at `path` shares what its
/// bilateral timeline (under `filter`) lists: its count, its kinds' sum,
/// its link and its latest event. The partners' codes.
async fn assert_partners_are_their_bilateral_timelines(app: &TestApp, path: &str, filter: &str) -> Vec<String> {
    let answer = app.get(path).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["country"], "RU");
    let partners = answer.body["partners"].as_array().unwrap();
    let shared: Vec<i64> = partners.iter().map(|p| p["shared_events"].as_i64().unwrap()).collect();
    assert!(shared.windows(2).all(|w| w[0] >= w[1]), "{shared:?}");
    for partner in partners {
        assert_ne!(partner["code"], "RU");
        let query = format!("country=RU&country={}&match=all{filter}&limit=500", partner["code"].as_str().unwrap());
        let (keys, _) = app.all_pages(&query).await;
        assert_eq!(keys.len() as i64, partner["shared_events"].as_i64().unwrap(), "{partner}");
        let link = partner["timeline"].as_str().unwrap().strip_prefix("/api/v1/timeline?").unwrap();
        assert_eq!(app.all_pages(&format!("{link}&limit=500")).await.0, keys, "{link}");
        let by_kind: i64 = partner["kinds"].as_array().unwrap().iter().map(|k| k["count"].as_i64().unwrap()).sum();
        assert_eq!(by_kind, keys.len() as i64);
        assert_eq!(partner["latest"]["key"], keys[0].as_str(), "{path}: {}", partner["code"]);
    }
    partners.iter().map(|p| p["code"].as_str().unwrap().to_owned()).collect()
}

/// Shared events by year (or month) add up to the shared timeline, in
/// order, each period linking to its part of it.
#[actix_rt::test]
async fn shared_events_by_period_add_up_to_the_shared_timeline() {
    let app = spawn_app().await;
    let (keys, _) = app.all_pages("country=RU&country=KP&match=all&limit=500").await;
    assert!(!keys.is_empty());
    for by in ["year", "month"] {
        let answer = app.get(&format!("/api/v1/relations?country=RU&country=%D0%9A%D0%9D%D0%94%D0%A0&by={by}")).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body["countries"], json!(["RU", "KP"]));
        assert_eq!(answer.body["total"].as_i64().unwrap(), keys.len() as i64, "{by}");
        let periods = answer.body["periods"].as_array().unwrap();
        let names: Vec<&str> = periods.iter().map(|p| p["period"].as_str().unwrap()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        assert!(names.iter().all(|p| p.len() == if by == "year" { 4 } else { 7 }), "{names:?}");
        let sum: i64 = periods.iter().map(|p| p["count"].as_i64().unwrap()).sum();
        assert_eq!(sum, keys.len() as i64);
        for period in periods {
            let link = period["timeline"].as_str().unwrap().strip_prefix("/api/v1/timeline?").unwrap();
            let listed = app.all_pages(&format!("{link}&limit=500")).await.0.len() as i64;
            // The period's timeline also shows events that began before it.
            assert!(listed >= period["count"].as_i64().unwrap(), "{link}");
        }
    }
    let none = app.get("/api/v1/relations?country=RU&country=KP&from=1990&to=1991").await;
    assert_eq!(none.body["total"], 0);
    app.get("/api/v1/relations").await.assert_problem(400, "country");
    app.get("/api/v1/relations?country=RU&match=any").await.assert_problem(400, "match");
    app.get("/api/v1/relations?country=RU&by=week").await.assert_problem(400, "by");
}
