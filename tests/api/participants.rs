use crate::helpers::spawn_app;
use serde_json::json;

#[actix_rt::test]
async fn participants_are_listed_by_name_with_kind_and_prefix_filters() {
    let app = spawn_app().await;
    let kim = app.get("/api/v1/participants?q=KIM").await;
    assert_eq!(kim.body["items"][0]["name"], "Kim Jong Un");
    assert_eq!(kim.body["items"][0]["country"], "KP");
    let orgs = app.get("/api/v1/participants?kind=organization").await;
    let names: Vec<&str> = orgs.body["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["ASEAN", "United Russia"]);
    let asean = &orgs.body["items"][0];
    assert_eq!(asean["members"], json!(["BN", "VN", "ID", "KH", "LA", "MY", "MM", "SG", "TH", "PH"]));
    // A prefix is not a substring search, and wildcards are literal.
    assert_eq!(app.get("/api/v1/participants?q=jong").await.body["items"], json!([]));
    assert_eq!(app.get("/api/v1/participants?q=%25").await.body["items"], json!([]));
}

#[actix_rt::test]
async fn participants_page_without_gaps() {
    let app = spawn_app().await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/participants?limit=4".to_owned();
    loop {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200);
        seen.extend(page.body["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()));
        match page.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/participants?limit=4&cursor={c}"),
            None => break,
        }
    }
    let all = app.get("/api/v1/participants?limit=500").await;
    let ids: Vec<i64> = all.body["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(seen, ids);
    assert!(ids.len() > 20);
}

#[actix_rt::test]
async fn a_participant_shows_its_event_count() {
    let app = spawn_app().await;
    let kim = app.get("/api/v1/participants?q=kim").await.body["items"][0].clone();
    let id = kim["id"].as_i64().unwrap();
    let detail = app.get(&format!("/api/v1/participants/{id}")).await;
    let timeline = app.get(&format!("/api/v1/timeline?participant={id}")).await;
    assert_eq!(detail.body["event_count"], timeline.keys().len());
    assert_eq!(detail.body["event_count"], 3);
    app.get("/api/v1/participants/999999").await.assert_problem_status(404);
}

#[actix_rt::test]
async fn participants_are_created_updated_and_deleted() {
    let app = spawn_app().await;
    let body = json!({"kind": "person", "name": "Lee Min", "country": "kr"});
    let created = app.post("/api/v1/participants", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.header("location"), Some(format!("/api/v1/participants/{id}")));
    assert_eq!(created.body["country"], "KR");
    app.post("/api/v1/participants", &body).await.assert_problem_status(409);

    // Use them in an event, then change their nationality: the event moves
    // from one country's timeline to the other's.
    let event = json!({"key": "lee", "kind": "visit", "title": "Lee visits", "start": "2025-05",
        "participants": [{"id": id, "role": "guest"}]});
    assert_eq!(app.post("/api/v1/events", &event).await.status, 201);
    assert!(app.get("/api/v1/timeline?country=KR").await.keys().contains(&"lee".to_owned()));
    let moved = app
        .put(&format!("/api/v1/participants/{id}"), &json!({"kind": "person", "name": "Lee Min", "country": "JP"}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert!(!app.get("/api/v1/timeline?country=KR").await.keys().contains(&"lee".to_owned()));
    assert!(app.get("/api/v1/timeline?country=JP").await.keys().contains(&"lee".to_owned()));
    let lee = app.get("/api/v1/events/lee").await;
    assert_eq!(lee.body["participants"][0]["country"], "JP", "the event shows the participant as it is now");

    app.delete(&format!("/api/v1/participants/{id}")).await.assert_problem_status(409);
    assert_eq!(app.delete("/api/v1/events/lee").await.status, 204);
    assert_eq!(app.delete(&format!("/api/v1/participants/{id}")).await.status, 204);
    app.delete(&format!("/api/v1/participants/{id}")).await.assert_problem_status(404);
    app.put("/api/v1/participants/999999", &body).await.assert_problem_status(404);
}

#[actix_rt::test]
async fn organizations_keep_their_member_countries() {
    let app = spawn_app().await;
    let body = json!({"kind": "organization", "name": "Nordic Council", "members": ["no", "SE", "FI", "DK", "IS"]});
    let created = app.post("/api/v1/participants", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["members"], json!(["NO", "SE", "FI", "DK", "IS"]));
    let bad = json!({"kind": "organization", "name": "Bad", "members": ["NO", "XX"]});
    app.post("/api/v1/participants", &bad).await.assert_problem(400, "members[1]");
}

#[actix_rt::test]
async fn bad_participants_are_refused_with_the_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({"kind": "robot", "name": "R2"}), "kind"),
        (json!({"kind": "country", "code": "XX"}), "code"),
        (json!({"kind": "country"}), "code"),
        (json!({"kind": "person", "country": "RU"}), "name"),
        (json!({"kind": "person", "name": "A", "country": "ZZ"}), "country"),
        (json!({"kind": "person", "name": "A", "code": "RU"}), "code"),
        (json!({"kind": "person", "name": ""}), "name"),
    ];
    for (body, field) in cases {
        app.post("/api/v1/participants", &body).await.assert_problem(400, field);
    }
    app.get("/api/v1/participants?kind=robot").await.assert_problem(400, "kind");
    app.get("/api/v1/participants?limit=501").await.assert_problem(400, "limit");
}

fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

#[actix_rt::test]
async fn a_participant_is_found_by_its_name_in_any_language_and_by_its_aliases() {
    let app = spawn_app().await;
    let body = json!({"kind": "person", "name": "Lee Min", "country": "KR",
        "names": {"ru": "Ли Мин"}, "aliases": ["Lee Min-ho", "ЛИ МИНХО", "lee  min-HO"]});
    let created = app.post("/api/v1/participants", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.body["name"], "Lee Min");
    assert_eq!(created.body["names"], json!({"ru": "Ли Мин"}));
    assert_eq!(created.body["aliases"], json!(["Lee Min-ho", "ЛИ МИНХО"]), "an alias folded alike is one");

    // Any name or alias, however it begins, in any case, ё or е.
    for prefix in ["lee", "ЛИ", "ли мин", "lee min-h", "Лі", "минхо"] {
        let found = app.get(&format!("/api/v1/participants?{}", query(&[("q", prefix)]))).await;
        let ids: Vec<i64> = found.body["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.contains(&id), !["Лі", "минхо"].contains(&prefix), "{prefix}: {}", found.body);
    }
    let in_russian = app.get(&format!("/api/v1/participants/{id}?lang=ru")).await;
    assert_eq!(in_russian.body["name"], "Ли Мин");
    assert_eq!(app.get(&format!("/api/v1/participants/{id}?lang=en")).await.body["name"], "Lee Min");

    let resolved = app.get(&format!("/api/v1/resolve?{}", query(&[("name", "ЛИ МИН")]))).await;
    assert_eq!(resolved.body["participants"][0]["id"], id);
    assert_eq!(resolved.body["participants"][0]["match"], "name");
    let resolved = app.get(&format!("/api/v1/resolve?{}", query(&[("name", "lee min-ho")]))).await;
    assert_eq!(resolved.body["participants"][0]["match"], "alias", "{}", resolved.body);

    // The text search finds its events by every name; a change of names
    // changes what finds them.
    let event = json!({"key": "lee-visit", "kind": "visit", "title": "A visit", "start": "2025-05",
        "participants": [{"id": id, "role": "guest"}, {"kind": "country", "code": "RU"}]});
    assert_eq!(app.post("/api/v1/events", &event).await.status, 201);
    let search = |words: &str| format!("/api/v1/timeline?{}", query(&[("q", words)]));
    assert_eq!(app.get(&search("Минхо")).await.keys(), ["lee-visit"]);
    assert_eq!(app.get(&search("Ли Мин")).await.keys(), ["lee-visit"]);
    let renamed = app
        .put(
            &format!("/api/v1/participants/{id}"),
            &json!({"kind": "person", "name": "Lee Min", "country": "KR", "names": {"ru": "Ли Мин"}}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert!(renamed.body.get("aliases").is_none());
    assert!(app.get(&search("Минхо")).await.keys().is_empty());
    assert_eq!(app.get(&search("Ли Мин")).await.keys(), ["lee-visit"]);
}

#[actix_rt::test]
async fn lang_names_the_participants_in_every_output() {
    let app = spawn_app().await;
    let body = json!({"kind": "person", "name": "Lee Min", "country": "KR", "names": {"ru": "Ли Мин"}});
    let id = app.post("/api/v1/participants", &body).await.body["id"].as_i64().unwrap();
    let event = json!({"key": "lee-visit", "kind": "visit", "title": "A visit", "start": "2025-05",
        "participants": [{"id": id}, {"kind": "country", "code": "RU"}]});
    assert_eq!(app.post("/api/v1/events", &event).await.status, 201);

    let names = |event: &serde_json::Value| -> Vec<String> {
        event["participants"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(names(&app.get("/api/v1/events/lee-visit").await.body), ["Lee Min", "Russia"]);
    assert_eq!(names(&app.get("/api/v1/events/lee-visit?lang=ru").await.body), ["Ли Мин", "Россия"]);
    let page = app.get(&format!("/api/v1/timeline?participant={id}&lang=ru")).await;
    assert_eq!(names(&page.body["items"][0]), ["Ли Мин", "Россия"]);
    assert_eq!(
        names(&app.get(&format!("/api/v1/timeline?participant={id}")).await.body["items"][0]),
        ["Lee Min", "Russia"]
    );
    // The formats that list participants (the others name none).
    for format in ["csv", "ndjson"] {
        for path in ["timeline", "export"] {
            let text = app.get_text(&format!("/api/v1/{path}?participant={id}&lang=ru&format={format}")).await;
            assert!(text.contains("Ли Мин") && text.contains("Россия"), "{path} {format}: {text}");
            assert!(!text.contains("Lee Min"), "{path} {format}: {text}");
        }
    }
    app.get("/api/v1/events/lee-visit?lang=de").await.assert_problem(400, "lang");
}

#[actix_rt::test]
async fn bad_names_and_aliases_are_400s_naming_the_field() {
    let app = spawn_app().await;
    let with = |extra: serde_json::Value| {
        let mut body = json!({"kind": "person", "name": "Lee Min", "country": "KR"});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        (with(json!({"names": {"ru": "  "}})), "names.ru"),
        (with(json!({"aliases": ["fine", ""]})), "aliases[1]"),
        (with(json!({"aliases": (0..33).map(|i| format!("a{i}")).collect::<Vec<_>>()})), "aliases"),
    ];
    for (body, field) in cases {
        app.post("/api/v1/participants", &body).await.assert_problem(400, field);
    }
    let unknown = app.post("/api/v1/participants", &with(json!({"names": {"de": "Li"}}))).await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert_eq!(app.get("/api/v1/participants?q=lee").await.body["items"], json!([]), "nothing was written");
}
