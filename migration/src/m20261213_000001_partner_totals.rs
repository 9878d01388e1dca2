//! `partner_totals`: the events two countries share, over every kind and
//! year: what `partner_counts` holds summed over its kinds. A country's
//! top partners were chosen by grouping its `partner_counts` rows (2,000
//! for the US at 1M, 0.5 ms of PostgreSQL's time per answer, most of what
//! the relations scenario's p99 queued behind); here they are a row per
//! partner, 200 for the US.
//!
//! Filled from `partner_counts`; a database from before the counts gets
//! both from the service's recount (`migrator`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "CREATE TABLE partner_totals (country TEXT NOT NULL, partner TEXT NOT NULL, \
     n BIGINT NOT NULL, PRIMARY KEY (country, partner))";

const FILL: &str = "INSERT INTO partner_totals (country, partner, n) \
     SELECT country, partner, CAST(SUM(n) AS BIGINT) FROM partner_counts \
     GROUP BY country, partner HAVING SUM(n) <> 0";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::create_clustered_tables(manager, &[TABLE]).await?;
        // As every kept count's key (`m20261209_000002_counts_in_their_keys`).
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            crate::rekey(manager, "partner_totals", "country, partner", " INCLUDE (n)").await?;
        }
        manager.get_connection().execute_unprepared(FILL).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP TABLE partner_totals").await?;
        Ok(())
    }
}
