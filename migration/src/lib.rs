//! Schema migrations. The same migrations run on SQLite and PostgreSQL;
//! `timeline migrate` drives them. The seed is a step of the service's own
//! (it writes through the service's write path); `migrations` puts it in
//! its place.

pub use sea_orm_migration::prelude::*;

mod m20251101_000001_schema;
mod m20261125_000001_sqlite_links_without_rowid;

/// Every migration in order, with `seed` (named
/// `m20251101_000002_seed_article`) right after the first schema.
pub fn migrations(seed: Box<dyn MigrationTrait>) -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20251101_000001_schema::Migration),
        seed,
        Box::new(m20261125_000001_sqlite_links_without_rowid::Migration),
    ]
}
