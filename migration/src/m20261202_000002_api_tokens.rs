//! Bearer tokens for the writes: a name, the hash of the secret, whether it
//! is read-only, and when it was revoked (a revoked token is kept, so its
//! holder is told it was revoked rather than that it never existed).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("api_tokens")
                    .col(big_pk_auto("id"))
                    .col(string_len("name", 64))
                    .col(string_len_uniq("secret_hash", 64))
                    .col(boolean("read_only"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .to_owned(),
            )
            .await?;
        // A name may be used again once its token is revoked (rotation).
        manager
            .get_connection()
            .execute_unprepared(
                r#"CREATE UNIQUE INDEX "idx_api_tokens_live_name" ON "api_tokens" ("name") WHERE "revoked_at" IS NULL"#,
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("api_tokens").to_owned()).await
    }
}
