//! Counts kept by the write path, so that facets and relations over a
//! whole database, or over one country's timeline, read a few hundred rows
//! instead of scanning every event:
//!
//! - `event_counts`: events by country (`''` for every event), kind and
//!   year of beginning;
//! - `country_pairs`: events two countries share, by kind and year (each
//!   pair both ways).
//!
//! A count may fall to zero and stay; readers skip those. The service
//! fills them for events written before (`migrator::counts`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 2] = [
    "CREATE TABLE event_counts (country TEXT NOT NULL, kind TEXT NOT NULL, year TEXT NOT NULL, \
     n BIGINT NOT NULL, PRIMARY KEY (country, kind, year))",
    "CREATE TABLE country_pairs (country TEXT NOT NULL, partner TEXT NOT NULL, kind TEXT NOT NULL, \
     year TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (country, partner, kind, year))",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create_clustered_tables(manager, &TABLES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        conn.execute_unprepared("DROP TABLE country_pairs").await?;
        conn.execute_unprepared("DROP TABLE event_counts").await?;
        Ok(())
    }
}
