use sea_orm::entity::prelude::*;

/// A bearer token that may call the API's writes. Only a hash of the
/// secret is kept; the secret itself is shown once, when it is made.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Who or what holds it; unique among tokens not revoked.
    pub name: String,
    /// SHA-256 of the secret, in hex.
    #[sea_orm(unique)]
    pub secret_hash: String,
    /// May read but not write: tells a misconfigured client from a stranger.
    pub read_only: bool,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
