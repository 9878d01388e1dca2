//! The normalised schema: events, participants, sources, their links, tags,
//! and the derived `event_countries` index that serves country timelines.
//!
//! Country codes are VARCHAR(2), not CHAR(2): PostgreSQL compares a CHAR
//! column with a text parameter by casting the column, which forbids its
//! index.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("events")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("key", 64))
                    .col(string_len("kind", 32))
                    .col(text("title"))
                    .col(text_null("summary"))
                    .col(date("start_date"))
                    .col(date_null("end_date"))
                    .col(date("last_day"))
                    // last_day - start_date in days; its maximum bounds how far
                    // before a window a timeline scan must look.
                    .col(integer("span_days"))
                    .col(string_len("date_precision", 8))
                    .col(text_null("location_name"))
                    .col(string_len_null("location_country", 2))
                    .col(double_null("lat"))
                    .col(double_null("lon"))
                    // A digest of the event's content: re-importing an unchanged
                    // event is recognised and leaves the row alone.
                    .col(string_len("content_hash", 64))
                    // The event as the API returns it, participants and sources
                    // included, kept current by the write path: a page of a
                    // timeline is one index scan reading these, with no joins.
                    .col(text("document"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        // The unfiltered timeline walks this index in either direction.
        index(manager, "events", "idx_events_start_id", &["start_date", "id"]).await?;
        index(manager, "events", "idx_events_kind_start", &["kind", "start_date", "id"]).await?;
        index(manager, "events", "idx_events_span", &["span_days"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("participants")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(string_len("kind", 16))
                    .col(text("name"))
                    .col(string_len_null("country", 2))
                    .col(text_uniq("identity"))
                    .to_owned(),
            )
            .await?;
        index(manager, "participants", "idx_participants_name", &["name", "id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("participant_members")
                    .if_not_exists()
                    .col(big_integer("organization_id"))
                    .col(big_integer("member_id"))
                    .primary_key(Index::create().col("organization_id").col("member_id"))
                    .foreign_key(&mut cascade_fk("participant_members", "organization_id", "participants"))
                    .foreign_key(&mut cascade_fk("participant_members", "member_id", "participants"))
                    .to_owned(),
            )
            .await?;
        index(manager, "participant_members", "idx_participant_members_member", &["member_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("sources")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(text_uniq("url"))
                    .col(text_null("title"))
                    .col(text_null("publisher"))
                    .col(timestamp_with_time_zone_null("published_at"))
                    .col(string_len_null("language", 8))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("event_participants")
                    .if_not_exists()
                    .col(big_integer("event_id"))
                    .col(integer("position"))
                    .col(big_integer("participant_id"))
                    .col(text_null("role"))
                    .primary_key(Index::create().col("event_id").col("position"))
                    .foreign_key(&mut cascade_fk("event_participants", "event_id", "events"))
                    .foreign_key(&mut restrict_fk("event_participants", "participant_id", "participants"))
                    .to_owned(),
            )
            .await?;
        index(manager, "event_participants", "idx_event_participants_participant", &["participant_id", "event_id"])
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("event_sources")
                    .if_not_exists()
                    .col(big_integer("event_id"))
                    .col(integer("position"))
                    .col(big_integer("source_id"))
                    .primary_key(Index::create().col("event_id").col("position"))
                    .foreign_key(&mut cascade_fk("event_sources", "event_id", "events"))
                    .foreign_key(&mut restrict_fk("event_sources", "source_id", "sources"))
                    .to_owned(),
            )
            .await?;
        index(manager, "event_sources", "idx_event_sources_source", &["source_id", "event_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("event_tags")
                    .if_not_exists()
                    .col(big_integer("event_id"))
                    .col(integer("position"))
                    .col(string_len("tag", 64))
                    .primary_key(Index::create().col("event_id").col("position"))
                    .foreign_key(&mut cascade_fk("event_tags", "event_id", "events"))
                    .to_owned(),
            )
            .await?;
        index(manager, "event_tags", "idx_event_tags_tag", &["tag", "event_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("event_countries")
                    .if_not_exists()
                    .col(string_len("country", 2))
                    .col(date("start_date"))
                    .col(big_integer("event_id"))
                    .col(date("last_day"))
                    .primary_key(Index::create().col("country").col("start_date").col("event_id"))
                    .foreign_key(&mut cascade_fk("event_countries", "event_id", "events"))
                    .to_owned(),
            )
            .await?;
        index(manager, "event_countries", "idx_event_countries_event", &["event_id"]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "event_countries",
            "event_tags",
            "event_sources",
            "event_participants",
            "sources",
            "participant_members",
            "participants",
            "events",
        ] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}

async fn index(
    manager: &SchemaManager<'_>,
    table: &'static str,
    name: &str,
    cols: &[&'static str],
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table).if_not_exists();
    for col in cols {
        stmt.col(*col);
    }
    manager.create_index(stmt).await
}

fn cascade_fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    fk(from, col, to, ForeignKeyAction::Cascade)
}

/// Deleting a participant or source that events still use must fail.
fn restrict_fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    fk(from, col, to, ForeignKeyAction::Restrict)
}

fn fk(
    from: &'static str,
    col: &'static str,
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(format!("fk_{from}_{col}")).from(from, col).to(to, "id").on_delete(on_delete).to_owned()
}
