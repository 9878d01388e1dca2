use crate::helpers::{event_body, spawn_app};
use serde_json::json;

const BILATERAL: [&str; 5] = [
    "2025-10-27-putin-receives-choe-son-hui",
    "2025-10-kim-jong-un-friendship-at-peak",
    "2025-10-kim-jong-un-meets-medvedev",
    "2025-10-united-russia-delegation-visits-dprk",
    "2024-06-russia-dprk-strategic-partnership-treaty",
];

#[actix_rt::test]
async fn the_russia_dprk_bilateral_timeline_lists_the_seeded_events_newest_first() {
    let app = spawn_app().await;
    let page = app.get("/api/v1/timeline?country=RU&country=KP&match=all").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.keys(), BILATERAL);
    assert!(page.body["next_cursor"].is_null());
    let treaty = &page.body["items"][4];
    assert_eq!(treaty["date_precision"], "month");
    assert_eq!(treaty["start"], "2024-06-01");
    let signatories: Vec<&str> = treaty["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "person")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(signatories, ["Vladimir Putin", "Kim Jong Un"]);
    assert_eq!(treaty["sources"][0]["language"], "ru");
}

#[actix_rt::test]
async fn country_codes_are_case_insensitive_and_any_is_the_union() {
    let app = spawn_app().await;
    let lower = app.get("/api/v1/timeline?country=kp&country=ru&match=all").await;
    assert_eq!(lower.keys(), BILATERAL);
    let ru = app.get("/api/v1/timeline?country=RU").await.keys();
    let kp = app.get("/api/v1/timeline?country=KP").await.keys();
    let any = app.get("/api/v1/timeline?country=RU&country=KP").await.keys();
    assert_eq!(ru.len(), 7, "Russia takes part in every seeded event");
    assert_eq!(kp.len(), 5);
    let mut union: Vec<String> = ru.clone();
    union.extend(kp.into_iter().filter(|k| !ru.contains(k)));
    union.sort();
    let mut got = any.clone();
    got.sort();
    assert_eq!(got, union);
}

/// An analyst types the names the news use, in English or Russian.
#[actix_rt::test]
async fn countries_are_named_by_code_name_or_alias_in_english_or_russian() {
    let app = spawn_app().await;
    for (russia, korea) in [
        ("Russia", "North%20Korea"),
        ("%D0%A0%D0%BE%D1%81%D1%81%D0%B8%D1%8F", "%D0%9A%D0%9D%D0%94%D0%A0"), // Россия, КНДР
        ("russian%20federation", "DPRK"),
        ("RU", "%D0%A1%D0%B5%D0%B2%D0%B5%D1%80%D0%BD%D0%B0%D1%8F%20%D0%9A%D0%BE%D1%80%D0%B5%D1%8F"), // Северная Корея
        // России, Северной Кореи: the forms a Russian text gives them.
        (
            "%D0%A0%D0%BE%D1%81%D1%81%D0%B8%D0%B8",
            "%D0%A1%D0%B5%D0%B2%D0%B5%D1%80%D0%BD%D0%BE%D0%B9%20%D0%9A%D0%BE%D1%80%D0%B5%D0%B8",
        ),
    ] {
        let page = app.get(&format!("/api/v1/timeline?country={russia}&country={korea}&match=all")).await;
        assert_eq!(page.status, 200, "{russia} {korea}: {}", page.body);
        assert_eq!(page.keys(), BILATERAL, "{russia} {korea}");
    }
    let korea = app.get("/api/v1/timeline?country=Korea").await;
    korea.assert_problem(400, "country");
    let detail = korea.body["detail"].as_str().unwrap();
    assert!(detail.contains("KP (North Korea)") && detail.contains("KR (South Korea)"), "{detail}");
    app.get("/api/v1/timeline?country=Atlantis").await.assert_problem(400, "country");
    // A calendar is named after its countries' CLDR names, not ISO's
    // "Russian Federation" and "Korea, Democratic People's Republic of".
    let ics = app.get_with("/api/v1/timeline?country=RU&country=KP&match=all&format=ics", &[]).await.text();
    assert!(ics.contains("Russia – North Korea"), "{ics}");
}

#[actix_rt::test]
async fn a_person_makes_their_country_match() {
    let app = spawn_app().await;
    let body = json!({"key": "fr-visit", "kind": "visit", "title": "A French envoy visits", "start": "2025-03-04",
        "participants": [{"kind": "person", "name": "Jeanne Envoy", "country": "fr", "role": "guest"}]});
    assert_eq!(app.post("/api/v1/events", &body).await.status, 201);
    assert_eq!(app.get("/api/v1/timeline?country=FR").await.keys(), ["fr-visit"]);
}

#[actix_rt::test]
async fn windows_overlap_periods_with_their_precision() {
    let app = spawn_app().await;
    let keys = |q: &'static str| {
        let app = &app;
        async move { app.get(&format!("/api/v1/timeline?{q}")).await.keys() }
    };
    let treaty = "2024-06-russia-dprk-strategic-partnership-treaty".to_owned();
    let eurasia = "2024-putin-eurasian-security-architecture".to_owned();
    let friendship = "2025-10-kim-jong-un-friendship-at-peak".to_owned();
    // "June 2024" overlaps any day of June, and no day of July.
    assert!(keys("from=2024-06-30&to=2024-06-30").await.contains(&treaty));
    assert!(keys("from=2024-06-01&to=2024-06-01").await.contains(&treaty));
    assert!(!keys("from=2024-07&to=2024-12").await.contains(&treaty));
    // "in 2024" overlaps its last day and any month of it.
    assert!(keys("from=2024-12-31&to=2024-12-31").await.contains(&eurasia));
    assert!(keys("from=2024-03&to=2024-03").await.contains(&eurasia));
    assert!(!keys("from=2025").await.contains(&eurasia));
    // A span overlaps a window that touches its last day only.
    assert!(keys("from=2025-10-26&to=2025-10-26").await.contains(&friendship));
    assert!(!keys("from=2025-10-27&to=2025-10-31").await.contains(&friendship));
    // `to` alone and `from` alone are inclusive bounds.
    assert_eq!(keys("to=2024").await, [treaty.clone(), eurasia.clone()]);
    assert_eq!(keys("from=2025-11-01").await, ["2025-11-01-admm-plus-kuala-lumpur"]);
}

#[actix_rt::test]
async fn kind_tag_and_participant_filters_combine() {
    let app = spawn_app().await;
    let statements = app.get("/api/v1/timeline?kind=statement").await.keys();
    assert_eq!(statements, ["2025-10-kim-jong-un-friendship-at-peak", "2024-putin-eurasian-security-architecture"]);
    let both = app.get("/api/v1/timeline?kind=statement&kind=treaty&country=KP").await.keys();
    assert_eq!(both, ["2025-10-kim-jong-un-friendship-at-peak", "2024-06-russia-dprk-strategic-partnership-treaty"]);
    let tagged = app.get("/api/v1/timeline?tag=foreign-ministers").await.keys();
    assert_eq!(tagged, ["2025-10-27-putin-receives-choe-son-hui"]);
    let medvedev = app.get("/api/v1/participants?q=dmitry").await;
    let id = medvedev.body["items"][0]["id"].as_i64().unwrap();
    let his = app.get(&format!("/api/v1/timeline?participant={id}&kind=meeting")).await.keys();
    assert_eq!(his, ["2025-10-kim-jong-un-meets-medvedev"]);
}

#[actix_rt::test]
async fn order_asc_gives_oldest_first() {
    let app = spawn_app().await;
    let asc = app.get("/api/v1/timeline?country=RU&country=KP&match=all&order=asc").await.keys();
    let mut expected = BILATERAL.map(String::from).to_vec();
    expected.reverse();
    // The two October 2025 month events share a start; ties break by id, so
    // they swap places with the direction too.
    assert_eq!(asc, expected);
}

#[actix_rt::test]
async fn paging_through_a_long_timeline_has_no_gaps_or_repeats_in_either_order() {
    let app = spawn_app().await;
    let mut created = Vec::new();
    for i in 0..23 {
        // Several events share a start date, so the cursor must break ties.
        let start = format!("2020-0{}-1{}", 1 + i % 3, i % 2);
        let key = format!("is-{i:02}");
        let reply = app.post("/api/v1/events", &event_body(&key, &start, &["IS"])).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        created.push((start, key));
    }
    let (desc, pages) = app.all_pages("country=IS&limit=5").await;
    assert_eq!(pages, 5);
    let mut expected = created.clone();
    // Newest first; equal starts newest-created first.
    expected.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    assert_eq!(desc, expected.iter().map(|e| e.1.clone()).collect::<Vec<_>>());

    let (asc, _) = app.all_pages("country=IS&limit=4&order=asc").await;
    let mut reversed = desc.clone();
    reversed.reverse();
    assert_eq!(asc, reversed);

    // The unfiltered timeline pages the same way, seed included.
    let (everything, _) = app.all_pages("limit=7").await;
    assert_eq!(everything.len(), 23 + 7);
    let mut unique = everything.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), everything.len());
}

#[actix_rt::test]
async fn limit_bounds_the_page() {
    let app = spawn_app().await;
    let page = app.get("/api/v1/timeline?limit=3").await;
    assert_eq!(page.keys().len(), 3);
    assert!(page.body["next_cursor"].is_string());
    let max = app.get("/api/v1/timeline?limit=500").await;
    assert_eq!(max.keys().len(), 7);
}
