//! Full-text search: the text pipeline both databases index
//! (`text`), PostgreSQL's vector of it (`vector`), the query language of
//! `q=` (`query`), the snippets shown with results (`snippet`), and keeping
//! the index at the pipeline's version.

mod query;
mod snippet;
mod text;
mod vector;

pub use query::{MAX_CHARS, SearchQuery, Term};
pub use snippet::snippet;
pub use text::{OwnStems, PIPELINE_VERSION, indexed_text, stem, stems, words};
pub use vector::{country_lexeme, tsvector};

use chrono::{Datelike, NaiveDate};

/// An event's place in timeline order as one integer (its earliest day,
/// then its id). Negated, it is the rowid of SQLite's search index, so
/// that walking the index is walking the timeline, newest first. Years
/// 1–9999 and ids below 2^40 fit.
pub fn position(start: NaiveDate, id: i64) -> i64 {
    (i64::from(start.num_days_from_ce()) << 40) + id
}

/// The id in a `position`.
pub const POSITION_ID_BITS: i64 = (1 << 40) - 1;
