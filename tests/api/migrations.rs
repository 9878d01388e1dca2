use crate::helpers::{DOWN_TO_BEFORE_SEED, event_body, fresh_database, spawn_app};
use migration::MigratorTrait;
use sea_orm::{EntityTrait, PaginatorTrait};
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

    // One step further down removes the schema; up rebuilds it all.
    Migrator::down(db.conn(), Some(DOWN_TO_BEFORE_SEED + 1)).await.unwrap();
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
