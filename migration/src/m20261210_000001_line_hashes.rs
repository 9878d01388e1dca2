//! `events.line_hash`: a digest of the import line an event was last
//! written from, so that importing the same line again is a lookup by key
//! rather than a parse (`timeline::import`). Empty for events written any
//! other way, and for events imported before it existed.
//!
//! On SQLite an index on `(key, line_hash)` answers that lookup by itself:
//! through the table, a lookup of every key of a 1M file read a page for
//! each (a re-import took 11.2–11.8 s that way, 4.9–6.3 s through the
//! index; bench/README.md). PostgreSQL reads a batch's rows in one
//! statement and goes without.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Key,
    LineHash,
}

const INDEX: &str = "idx_events_key_line";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    .add_column(ColumnDef::new(Events::LineHash).big_integer().null())
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            let index =
                Index::create().name(INDEX).table(Events::Table).col(Events::Key).col(Events::LineHash).to_owned();
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            manager.drop_index(Index::drop().name(INDEX).table(Events::Table).to_owned()).await?;
        }
        manager.alter_table(Table::alter().table(Events::Table).drop_column(Events::LineHash).to_owned()).await
    }
}
