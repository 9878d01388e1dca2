//! One row that every write transaction bumps: a streamed export's `ETag`
//! is made from it, since an export is never held whole to be hashed. The
//! epoch, drawn when the table is made, tells two databases apart that
//! happen to be at the same version.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DataVersion {
    Table,
    Id,
    Epoch,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DataVersion::Table)
                    .col(ColumnDef::new(DataVersion::Id).integer().not_null().primary_key())
                    .col(ColumnDef::new(DataVersion::Epoch).big_integer().not_null())
                    .col(ColumnDef::new(DataVersion::Version).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        let epoch =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64);
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(DataVersion::Table)
                    .columns([DataVersion::Id, DataVersion::Epoch, DataVersion::Version])
                    .values_panic([1.into(), epoch.into(), 0.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DataVersion::Table).to_owned()).await
    }
}
