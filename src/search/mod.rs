//! Full-text search: the text pipeline both databases index
//! (`text`), the query language of `q=` (`query`), the snippets shown with
//! results (`snippet`), and keeping the index at the pipeline's version.

mod query;
mod snippet;
mod text;

pub use query::{MAX_CHARS, SearchQuery, Term};
pub use snippet::snippet;
pub use text::{PIPELINE_VERSION, indexed_text, stem, stems, words};
