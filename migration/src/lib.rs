//! Schema and seed migrations. The same migrations run on SQLite and
//! PostgreSQL; `timeline migrate` drives them.

pub use sea_orm_migration::prelude::*;

mod m20251101_000001_schema;
mod m20251101_000002_seed_article;
mod m20261125_000001_sqlite_links_without_rowid;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20251101_000001_schema::Migration),
            Box::new(m20251101_000002_seed_article::Migration),
            Box::new(m20261125_000001_sqlite_links_without_rowid::Migration),
        ]
    }
}
