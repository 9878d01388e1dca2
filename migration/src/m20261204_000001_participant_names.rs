//! Names in several languages and aliases for participants.
//!
//! - `participants.folded`: its name folded for matching (case, ё/е,
//!   diacritics), so a name search is a range over an index on both
//!   databases. Filled by the service, which folds in Rust; empty until
//!   then.
//! - `participants.search_names`: the stems of its other names and aliases,
//!   which the search text of each of its events takes in.
//! - `participant_names`: its names by language (`lang`) and its aliases
//!   (`lang` null), in the order given, each with its folded form.
//!
//! On PostgreSQL the folded columns compare byte-wise (`COLLATE "C"`), as
//! SQLite's do, so that a prefix is a range whatever the database's locale.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Participants {
    Table,
    Id,
    Folded,
    SearchNames,
}

#[derive(DeriveIden)]
enum ParticipantNames {
    Table,
    ParticipantId,
    Position,
    Lang,
    Name,
    Folded,
}

/// A folded-text column: byte order on PostgreSQL.
fn folded(column: impl IntoIden, backend: DatabaseBackend) -> ColumnDef {
    let mut def = ColumnDef::new(column);
    def.text();
    if backend == DatabaseBackend::Postgres {
        def.extra("COLLATE \"C\"");
    }
    def
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        manager
            .alter_table(
                Table::alter().table(Participants::Table).add_column(folded(Participants::Folded, backend)).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Participants::Table)
                    .add_column(ColumnDef::new(Participants::SearchNames).text())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_participants_folded")
                    .table(Participants::Table)
                    .col(Participants::Folded)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ParticipantNames::Table)
                    .col(ColumnDef::new(ParticipantNames::ParticipantId).big_integer().not_null())
                    .col(ColumnDef::new(ParticipantNames::Position).integer().not_null())
                    .col(ColumnDef::new(ParticipantNames::Lang).text())
                    .col(ColumnDef::new(ParticipantNames::Name).text().not_null())
                    .col(folded(ParticipantNames::Folded, backend).not_null())
                    .primary_key(Index::create().col(ParticipantNames::ParticipantId).col(ParticipantNames::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ParticipantNames::Table, ParticipantNames::ParticipantId)
                            .to(Participants::Table, Participants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_participant_names_folded")
                    .table(ParticipantNames::Table)
                    .col(ParticipantNames::Folded)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ParticipantNames::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("idx_participants_folded").table(Participants::Table).to_owned()).await?;
        for column in [Participants::SearchNames, Participants::Folded] {
            manager.alter_table(Table::alter().table(Participants::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
