//! Export: every event of a timeline filter as NDJSON, read in keyset pages
//! so memory stays bounded whatever the size of the database.

use crate::db::Db;
use crate::error::ApiError;
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
    let (events, next) = queries::timeline(&db.conn, filter).await?;
    let mut out = Vec::with_capacity(events.len() * 1024);
    for event in &events {
        ndjson::write_line(&mut out, event);
    }
    match next {
        Some(after) => filter.after = Some(after),
        None => *done = true,
    }
    Ok(if out.is_empty() { None } else { Some(out) })
}
