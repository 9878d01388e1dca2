//! `partner_counts`: the events two countries share, by kind, over every
//! year: what `country_pairs` holds summed over its years. A country's
//! partners were read from `country_pairs`, a row per partner, kind and
//! year (58,000 for the US at 1M, 15 ms to sum); here they are a row per
//! partner and kind.
//!
//! Filled from `country_pairs`, which is counted by then on a database
//! that has events; a database from before the counts gets both from the
//! service's recount (`migrator`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "CREATE TABLE partner_counts (country TEXT NOT NULL, partner TEXT NOT NULL, \
     kind TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (country, partner, kind))";

const FILL: &str = "INSERT INTO partner_counts (country, partner, kind, n) \
     SELECT country, partner, kind, CAST(SUM(n) AS BIGINT) FROM country_pairs \
     GROUP BY country, partner, kind HAVING SUM(n) <> 0";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create_clustered_tables(manager, &[TABLE]).await?;
        manager.get_connection().execute_unprepared(FILL).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP TABLE partner_counts").await?;
        Ok(())
    }
}
