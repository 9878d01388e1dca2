use crate::helpers::{DOWN_TO_BEFORE_SEED, event_body, fresh_database, spawn_app};
use migration::MigratorTrait;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::Value;
use timeline::db::Db;
use timeline::migrator::{Migrator, connect_and_migrate};

async fn counts(db: &Db) -> (u64, u64, u64, u64) {
    (
        entity::event::Entity::find().count(db.conn()).await.unwrap(),
        entity::participant::Entity::find().count(db.conn()).await.unwrap(),
        entity::source::Entity::find().count(db.conn()).await.unwrap(),
        entity::event_country::Entity::find().count(db.conn()).await.unwrap(),
    )
}

#[actix_rt::test]
async fn migrating_twice_changes_nothing_and_down_removes_the_seed_cleanly() {
    let test_db = fresh_database().await;
    let db = connect_and_migrate(&test_db.url).await.unwrap();
    let seeded = counts(&db).await;
    assert_eq!(seeded.0, 7, "the seed has the article's seven events");
    assert_eq!(seeded.2, 1);
    Migrator::up(db.conn(), None).await.unwrap();
    assert_eq!(counts(&db).await, seeded);

    Migrator::down(db.conn(), Some(DOWN_TO_BEFORE_SEED)).await.unwrap();
    assert_eq!(counts(&db).await, (0, 0, 0, 0));
    Migrator::up(db.conn(), None).await.unwrap();
    assert_eq!(counts(&db).await, seeded);

    // All the way down removes the schema; up rebuilds it all.
    Migrator::down(db.conn(), None).await.unwrap();
    assert!(entity::event::Entity::find().count(db.conn()).await.is_err());
    Migrator::up(db.conn(), None).await.unwrap();
    assert_eq!(counts(&db).await, seeded);
}

#[actix_rt::test]
async fn removing_the_seed_keeps_what_users_added() {
    let app = spawn_app().await;
    assert_eq!(app.post("/api/v1/events", &event_body("mine", "2025-01-01", &["RU", "KP"])).await.status, 201);
    let db = Db::connect(&app.db_url).await.unwrap();
    Migrator::down(db.conn(), Some(DOWN_TO_BEFORE_SEED)).await.unwrap();
    assert_eq!(app.get("/api/v1/timeline").await.keys(), ["mine"]);
    let countries = app.get("/api/v1/countries").await.body;
    assert_eq!(countries.as_array().unwrap().len(), 2);
    // Russia and North Korea stay: the user's event uses them.
    let russia = app.get("/api/v1/participants?kind=country&q=russia").await;
    assert_eq!(russia.body["items"][0]["code"], "RU");
    assert_eq!(app.get("/api/v1/participants?q=kim").await.body["items"], serde_json::json!([]));
}

#[actix_rt::test]
async fn a_database_of_the_first_dates_model_migrates_forward_keeping_its_data() {
    use sea_orm::ConnectionTrait;
    let test_db = fresh_database().await;
    let db = Db::connect(&test_db.url).await.unwrap();
    // The steps that database had run: the schema, the first seed, the link tables.
    Migrator::up(db.conn(), Some(3)).await.unwrap();
    db.conn().execute_unprepared(include_str!("../fixtures/first-dates-model.sql")).await.unwrap();
    if test_db.url.starts_with("postgres") {
        for table in ["events", "participants", "sources"] {
            let sql = format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))");
            db.conn().execute_unprepared(&sql).await.unwrap();
        }
    }
    Migrator::up(db.conn(), None).await.unwrap();
    db.close().await.unwrap();
    let app = crate::helpers::spawn_app_on(test_db).await;

    let (keys, _) = app.all_pages("limit=500").await;
    assert_eq!(keys.len(), 9, "seven seeded events and the user's two: {keys:?}");
    // The user's events keep everything, their dates read from the first API's fields.
    let envoy = app.get("/api/v1/events/2025-03-user-envoy-visits").await.body;
    assert_eq!(envoy["date"], "2025-03-04/2025-03-06");
    assert_eq!((envoy["lasted"].as_bool(), envoy["display_date"].as_str()), (Some(true), Some("4–6 March 2025")));
    assert_eq!((envoy["start"].as_str(), envoy["end"].as_str()), (Some("2025-03-04"), Some("2025-03-06")));
    assert_eq!(envoy["participants"][0]["name"], "Jeanne Envoy");
    assert_eq!(envoy["location"]["name"], "Hanoi");
    let source = &envoy["sources"][0];
    assert_eq!(
        (source["url"].as_str(), source["published"].as_str()),
        (Some("https://example.org/envoy"), Some("2025-03-07T09:30:00Z"))
    );
    assert_eq!(app.get("/api/v1/events/2024-user-year-event").await.body["date"], "2024");
    // A seed event the user changed stays theirs; the others are the new seed's.
    let edited = app.get("/api/v1/events/2025-10-27-putin-receives-choe-son-hui").await.body;
    assert_eq!(edited["title"], "Putin receives Choe Son Hui (edited by a user)");
    assert_eq!(edited["date"], "2025-10-27");
    let statement = app.get("/api/v1/events/2025-10-kim-jong-un-friendship-at-peak").await.body;
    assert_eq!(statement["date"], "[2025-10-20..2025-10-26]");
    assert!(statement["sources"][0]["url"].is_null());
    // The made-up address stays only as long as the user's event cites it.
    let sources = app.get("/api/v1/sources").await.body;
    let urls: Vec<Value> = sources["items"].as_array().unwrap().iter().map(|s| s["url"].clone()).collect();
    assert_eq!(urls.len(), 3, "{urls:?}");
    assert!(urls.contains(&Value::Null));
    let countries = app.get("/api/v1/countries").await.body;
    assert!(countries.as_array().unwrap().iter().any(|c| c["code"] == "VN" && c["event_count"] == 2));
}

/// Instances started together each migrate at start; one does the work and
/// the others find it done. (SQLite: one file, one writer at a time.)
#[actix_rt::test]
async fn instances_migrating_at_once_migrate_once() {
    let test_db = fresh_database().await;
    let starts = (0..4).map(|_| connect_and_migrate(&test_db.url));
    let dbs: Vec<Db> = futures_util::future::join_all(starts)
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("every instance starts");
    assert_eq!(counts(&dbs[0]).await.0, 7, "the seed, once");
    for db in dbs {
        db.close().await.unwrap();
    }
}

#[actix_rt::test]
async fn a_large_document_reads_back_whole_and_postgresql_stores_it_with_lz4() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    let mut body = event_body("long", "2025-01-01", &["RU", "KP"]);
    // Varied words, so that the document is large after compression too.
    let summary: Vec<String> = (0..700).map(|i| format!("w{}", i * 7919 % 10007)).collect();
    body["summary"] = Value::String(summary.join(" "));
    assert_eq!(app.post("/api/v1/events", &body).await.status, 201);
    let read = app.get("/api/v1/events/long").await;
    assert_eq!(read.body["summary"], body["summary"]);

    let Some(_) = app.database().postgres() else { return };
    let db = Db::connect(&app.db_url).await.unwrap();
    let sql = "SELECT pg_column_compression(document) FROM events WHERE key = 'long'";
    let row = db.conn().query_one_raw(sea_orm::Statement::from_string(db.conn().get_database_backend(), sql));
    let compression: Option<String> = row.await.unwrap().unwrap().try_get_by_index(0).unwrap();
    assert_eq!(compression.as_deref(), Some("lz4"));
}
