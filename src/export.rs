//! Export: every event of a timeline filter as NDJSON, read in keyset pages
//! so memory stays bounded whatever the size of the database.

use crate::db::Db;
use crate::error::ApiError;
use crate::models::Event;
use crate::ndjson;
use crate::queries::{self, TimelineFilter};

/// Events read per page while exporting.
const PAGE: u64 = 1_000;

/// The next page of an export as NDJSON bytes, or `None` when done.
/// `filter.after` advances as pages are read.
pub async fn next_chunk(db: &Db, filter: &mut TimelineFilter, done: &mut bool) -> Result<Option<Vec<u8>>, ApiError> {
    if *done {
        return Ok(None);
    }
    filter.limit = PAGE;
    let (documents, next) = queries::timeline(db, filter).await?;
    let mut out = Vec::with_capacity(documents.len() * 1024);
    for document in &documents {
        let event: Event = serde_json::from_str(document).map_err(|e| {
            ApiError::Database(sea_orm::DbErr::Custom(format!("a stored event document is not valid: {e}")))
        })?;
        ndjson::write_line(&mut out, &event);
    }
    match next {
        Some(after) => filter.after = Some(after),
        None => *done = true,
    }
    Ok(if out.is_empty() { None } else { Some(out) })
}
