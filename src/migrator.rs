//! The migrations, in order: the schema steps of the `migration` crate with
//! the seed (`seed`) in its place among them. The seed is the service's own
//! step because it writes through the service's write path.

use crate::db::Db;
use migration::{MigrationTrait, MigratorTrait};
use sea_orm::DbErr;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        migration::migrations(Box::new(crate::seed::SeedArticle))
    }
}

/// Connects and brings the schema and seed up to date: what `timeline
/// serve` and `timeline migrate up` both do before anything else.
pub async fn connect_and_migrate(url: &str) -> Result<Db, DbErr> {
    let db = Db::connect(url).await?;
    Migrator::up(db.conn(), None).await?;
    Ok(db)
}
