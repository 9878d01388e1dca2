//! Export: every event of a timeline filter as NDJSON, read in keyset pages
//! so memory stays bounded whatever the size of the database.

use crate::db::Db;
use crate::error::ApiError;
use crate::formats::ndjson;
use crate::models::Event;
use crate::read;
use crate::timeline::TimelineFilter;

/// Events read per page while exporting.
const PAGE: u64 = 1_000;

/// An export under way: `next_chunk` reads it a page at a time.
pub struct Export {
    filter: TimelineFilter,
    done: bool,
}

impl Export {
    pub fn new(mut filter: TimelineFilter) -> Export {
        filter.limit = PAGE;
        Export { filter, done: false }
    }

    /// The next page as NDJSON bytes, or `None` when every event was written.
    pub async fn next_chunk(&mut self, db: &Db) -> Result<Option<Vec<u8>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        let page = read::page(db, &self.filter).await?;
        let mut out = Vec::with_capacity(page.documents.len() * 1024);
        for document in &page.documents {
            let event: Event = serde_json::from_str(document).map_err(|e| {
                ApiError::Database(sea_orm::DbErr::Custom(format!("a stored event document is not valid: {e}")))
            })?;
            ndjson::write_line(&mut out, &event);
        }
        match page.next {
            Some(after) => self.filter.after = Some(after),
            None => self.done = true,
        }
        Ok(if out.is_empty() { None } else { Some(out) })
    }
}
