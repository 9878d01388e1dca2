//! The write tokens, as the database keeps them (hashes, never secrets).

use crate::db::Db;
use crate::error::ApiError;
use entity::api_token;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

pub async fn token_by_hash(db: &Db, secret_hash: &str) -> Result<Option<api_token::Model>, ApiError> {
    Ok(api_token::Entity::find().filter(api_token::Column::SecretHash.eq(secret_hash)).one(db.conn()).await?)
}

/// Every token, revoked ones included, oldest first.
pub async fn tokens(db: &Db) -> Result<Vec<api_token::Model>, ApiError> {
    Ok(api_token::Entity::find().order_by_asc(api_token::Column::Id).all(db.conn()).await?)
}

/// Whether any token may write.
pub async fn any_write_token(db: &Db) -> Result<bool, ApiError> {
    let live = api_token::Entity::find()
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(api_token::Column::ReadOnly.eq(false))
        .one(db.conn())
        .await?;
    Ok(live.is_some())
}
