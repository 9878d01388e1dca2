//! Single events and the checks a filter makes before it reads a page.

use crate::db::{Backend, Db, fetch_optional};
use crate::error::ApiError;
use entity::{event, participant};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr, Statement};
use std::collections::HashMap;

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

/// The import-line digests stored for the events with these keys, as
/// committed (see `import`). None on an in-memory database, whose one
/// connection an import's transaction holds.
pub async fn line_hashes(db: &Db, keys: &[&str]) -> Result<HashMap<String, i64>, ApiError> {
    // The keys go as one JSON array, so that every batch runs one statement:
    // with a bind for each key, each length of batch was a statement of its
    // own, which each connection kept prepared (+60 MiB of RSS at 300k
    // events). Through SeaORM, whose SQLite connections do not map the
    // file: pages a reader maps count in the import's RSS (540 MB at 1M).
    // As text, not as `jsonb` (see `store::pg_batch::statement`).
    let sql = match db.backend() {
        Backend::SqliteMemory => return Ok(HashMap::new()),
        Backend::SqliteFile(_) => {
            "SELECT key, line_hash FROM events WHERE key IN (SELECT value FROM json_each($1)) \
             AND line_hash IS NOT NULL"
        }
        Backend::PostgreSql(_) => {
            "SELECT key, line_hash FROM events WHERE key IN (SELECT json_array_elements_text($1::json)) \
             AND line_hash IS NOT NULL"
        }
    };
    let keys_json = serde_json::to_string(keys).map_err(|e| DbErr::Custom(e.to_string()))?;
    let statement = Statement::from_sql_and_values(db.conn().get_database_backend(), sql, [keys_json.into()]);
    let mut hashes = HashMap::with_capacity(keys.len());
    for row in db.conn().query_all_raw(statement).await? {
        hashes.insert(row.try_get_by_index(0)?, row.try_get_by_index(1)?);
    }
    Ok(hashes)
}
