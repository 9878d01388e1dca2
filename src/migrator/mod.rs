//! The migrations, in order: the schema steps of the `migration` crate and
//! the service's own steps among them (those that write through the
//! service's code: the seed, and filling new columns for old rows).
//!
//! The seed writes through today's write path, which writes today's
//! columns, so it is always the last step: a schema change goes before it.
//! When the seed's content changes, it gets a new name and the step it
//! replaces stays in the list, doing nothing, because databases record it
//! as applied.

mod backfill;
mod reindex;

use crate::db::Db;
use migration::{
    MigrationName, MigrationTrait, MigratorTrait, SchemaManager, m20251101_000001_schema,
    m20261125_000001_sqlite_links_without_rowid, m20261201_000001_dates_and_evidence, m20261202_000001_data_version,
    m20261202_000002_api_tokens, m20261203_000001_search, m20261204_000001_participant_names,
    m20261204_000003_event_counts, m20261205_000001_countries_in_search_vector, m20261206_000001_more_counts,
    m20261207_000001_partner_counts, m20261208_000001_source_url_not_unique, m20261209_000001_event_country_partners,
    m20261209_000002_counts_in_their_keys, m20261210_000001_line_hashes, m20261211_000001_documents_lz4,
    m20261212_000001_search_newest_first, m20261212_000002_carried_counts_by_year, m20261213_000001_partner_totals,
    m20261214_000001_events_id_hash, m20261215_000001_search_vector_written,
};
use sea_orm::DbErr;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20251101_000001_schema::Migration),
            Box::new(FirstSeed),
            Box::new(m20261125_000001_sqlite_links_without_rowid::Migration),
            Box::new(m20261201_000001_dates_and_evidence::Migration),
            // Before the backfill, which reads and writes events with
            // today's columns: `search_text` among them. A database past
            // the backfill runs it wherever it is in the list.
            Box::new(m20261203_000001_search::Migration),
            Box::new(m20261204_000001_participant_names::Migration),
            Box::new(m20261204_000003_event_counts::Migration),
            Box::new(m20261205_000001_countries_in_search_vector::Migration),
            Box::new(m20261206_000001_more_counts::Migration),
            Box::new(m20261207_000001_partner_counts::Migration),
            Box::new(m20261208_000001_source_url_not_unique::Migration),
            Box::new(m20261209_000001_event_country_partners::Migration),
            Box::new(m20261209_000002_counts_in_their_keys::Migration),
            Box::new(m20261210_000001_line_hashes::Migration),
            Box::new(m20261211_000001_documents_lz4::Migration),
            Box::new(m20261212_000001_search_newest_first::Migration),
            Box::new(m20261212_000002_carried_counts_by_year::Migration),
            Box::new(m20261213_000001_partner_totals::Migration),
            Box::new(m20261214_000001_events_id_hash::Migration),
            Box::new(m20261215_000001_search_vector_written::Migration),
            Box::new(backfill::DatesFromFirstApi),
            Box::new(m20261202_000001_data_version::Migration),
            Box::new(m20261202_000002_api_tokens::Migration),
            Box::new(Recount("m20261204_000004_count_events")),
            Box::new(Recount("m20261206_000002_count_again")),
            Box::new(crate::seed::SeedArticle),
            Box::new(crate::seed::SeedRussianNames),
        ]
    }
}

/// The first seed, which `SeedArticle` replaced: it made up a day for "last
/// week" and an address for the article. Databases that ran it keep its
/// name; it does nothing now, since `SeedArticle` takes its events over.
pub struct FirstSeed;

impl MigrationName for FirstSeed {
    fn name(&self) -> &str {
        "m20251101_000002_seed_article"
    }
}

#[migration::async_trait::async_trait]
impl MigrationTrait for FirstSeed {
    async fn up(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

/// Counts every event anew, after a step that adds counts
/// (`m20261204_000003_event_counts`, `m20261206_000001_more_counts`; the
/// later `m20261207_000001_partner_counts` fills its own), for
/// the events written before it; after the backfill, which may change
/// their dates.
pub struct Recount(&'static str);

impl MigrationName for Recount {
    fn name(&self) -> &str {
        self.0
    }
}

#[migration::async_trait::async_trait]
impl MigrationTrait for Recount {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::store::recount(manager.get_connection()).await
    }

    /// The counts go with their tables, one step further down.
    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

/// Connects and brings the schema and seed up to date: what `timeline
/// serve` and `timeline migrate up` both do before anything else.
pub async fn connect_and_migrate(url: &str) -> Result<Db, DbErr> {
    let db = Db::connect(url).await?;
    up(&db, None).await?;
    Ok(db)
}

// Steps change data (the seed does) without the write path, so after any
// step ran, the data version is bumped: what was tagged before is stale.

/// Applies `steps` pending steps, or all of them. Instances started
/// together take turns (`Db::exclusive_section`): the first migrates, the
/// others then find nothing pending.
pub async fn up(db: &Db, steps: Option<u32>) -> Result<(), DbErr> {
    let section = db.exclusive_section().await?;
    let pending = Migrator::get_pending_migrations(db.conn()).await?.len();
    Migrator::up(db.conn(), steps).await?;
    if pending > 0 {
        db.bump_data_version().await?;
    }
    if Migrator::get_pending_migrations(db.conn()).await?.is_empty() {
        reindex::reindex_if_stale(db).await?;
    }
    section.release().await
}

/// Reverts the last `steps` applied steps.
pub async fn down(db: &Db, steps: u32) -> Result<(), DbErr> {
    let section = db.exclusive_section().await?;
    Migrator::down(db.conn(), Some(steps)).await?;
    // Unless the steps went back past the version's own table.
    if SchemaManager::new(db.conn()).has_table("data_version").await? {
        db.bump_data_version().await?;
    }
    section.release().await
}
