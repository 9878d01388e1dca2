//! More counts kept by the write path, for the facets that still scanned
//! (`m20261204_000003_event_counts` has the first ones):
//!
//! - `carried_counts`: events (by country, `''` for every event) and kind
//!   that began in year `began` and may still be going on in a later
//!   `year`, one row per such year: with `event_counts`, a window of whole
//!   years holds the events that began in it and those carried into its
//!   first year, exactly what its timeline lists;
//! - `value_counts`: every event by country, month of beginning,
//!   precision, tag and participant (`facet`, `value`), for those facets
//!   over every event;
//! - an index of `event_counts` by year, with all its columns, so that a
//!   year's counts are read without a look at the table.
//!
//! The service fills them for events written before (`migrator`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "CREATE INDEX event_counts_by_year ON event_counts (year, country, kind, n)";

const TABLES: [&str; 2] = [
    "CREATE TABLE carried_counts (country TEXT NOT NULL, kind TEXT NOT NULL, year TEXT NOT NULL, \
     began TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (country, kind, year, began))",
    "CREATE TABLE value_counts (facet TEXT NOT NULL, value TEXT NOT NULL, n BIGINT NOT NULL, \
     PRIMARY KEY (facet, value))",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create_clustered_tables(manager, &TABLES).await?;
        manager.get_connection().execute_unprepared(INDEX).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        conn.execute_unprepared("DROP INDEX event_counts_by_year").await?;
        conn.execute_unprepared("DROP TABLE value_counts").await?;
        conn.execute_unprepared("DROP TABLE carried_counts").await?;
        Ok(())
    }
}
