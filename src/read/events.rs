//! Single events and the checks a filter makes before it reads a page.

use crate::db::{Db, fetch_optional};
use crate::error::ApiError;
use entity::{event, participant};
use sea_orm::sea_query::{Expr, ExprTrait, Query};

/// The stored document (JSON) of one event.
pub async fn event_document(db: &Db, key: &str) -> Result<String, ApiError> {
    let query = Query::select()
        .column(event::Column::Document)
        .from(event::Entity)
        .and_where(Expr::col(event::Column::Key).eq(key))
        .to_owned();
    let document: Option<(String,)> = fetch_optional(db, &query).await?;
    document.map(|(d,)| d).ok_or_else(|| ApiError::NotFound(format!("no event with key '{key}'")))
}

pub async fn participant_exists(db: &Db, id: i64) -> Result<bool, ApiError> {
    let query = Query::select()
        .column(participant::Column::Id)
        .from(participant::Entity)
        .and_where(Expr::col(participant::Column::Id).eq(id))
        .to_owned();
    Ok(fetch_optional::<(i64,)>(db, &query).await?.is_some())
}
