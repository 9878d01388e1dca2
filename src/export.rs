//! Export: every event of a timeline filter in one format, read in keyset
//! pages so memory stays bounded whatever the size of the database.

use crate::db::Db;
use crate::error::ApiError;
use crate::formats::Writer;
use crate::read;
use crate::timeline::TimelineFilter;

/// Events read per page while exporting.
const PAGE: u64 = 1_000;

/// An export under way: `next_chunk` reads it a page at a time.
pub struct Export {
    filter: TimelineFilter,
    writer: Writer,
    started: bool,
    done: bool,
}

impl Export {
    pub fn new(mut filter: TimelineFilter, writer: Writer) -> Export {
        filter.limit = PAGE;
        Export { filter, writer, started: false, done: false }
    }

    /// The next page's bytes (the format's head before the first, its tail
    /// after the last), or `None` when everything was written.
    pub async fn next_chunk(&mut self, db: &Db) -> Result<Option<Vec<u8>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        let mut page = read::page(db, &self.filter).await?;
        if let Some(lang) = self.writer.names_in() {
            page.documents = read::in_language(db, page.documents, lang).await?;
        }
        let mut out = Vec::with_capacity(page.documents.len() * 1024);
        if !self.started {
            self.writer.head(&mut out);
            self.started = true;
        }
        for document in &page.documents {
            self.writer.event(&mut out, document)?;
        }
        match page.next {
            Some(after) => self.filter.after = Some(after),
            None => {
                self.writer.tail(&mut out, None);
                self.done = true;
            }
        }
        Ok(if out.is_empty() { None } else { Some(out) })
    }
}
