//! Making and revoking write tokens. They are not timeline data, so they
//! do not go through the write gate or change the data version.

use crate::auth::Secret;
use crate::db::{Db, is_unique_violation};
use crate::error::ApiError;
use entity::api_token;
use sea_orm::ActiveValue::NotSet;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

/// The longest token name.
pub const MAX_TOKEN_NAME: usize = 64;

/// Makes a token named `name` and returns its secret, which is not kept.
pub async fn create_token(db: &Db, name: &str, read_only: bool) -> Result<Secret, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME || name.chars().any(char::is_control) {
        return Err(ApiError::invalid("name", format!("a token name is 1 to {MAX_TOKEN_NAME} printable characters")));
    }
    let secret = Secret::generate();
    let row = api_token::ActiveModel {
        id: NotSet,
        name: Set(name.to_owned()),
        secret_hash: Set(secret.hash()),
        read_only: Set(read_only),
        created_at: Set(chrono::Utc::now()),
        revoked_at: Set(None),
    };
    match row.insert(db.conn()).await {
        Ok(_) => Ok(secret),
        Err(e) if is_unique_violation(&e) => {
            Err(ApiError::conflict(Some("name"), format!("a token named '{name}' exists; revoke it first")))
        }
        Err(e) => Err(e.into()),
    }
}

/// Revokes the live token named `name`; false when there is none.
pub async fn revoke_token(db: &Db, name: &str) -> Result<bool, ApiError> {
    let revoked = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(chrono::Utc::now()))
        .filter(api_token::Column::Name.eq(name))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db.conn())
        .await?;
    Ok(revoked.rows_affected > 0)
}
