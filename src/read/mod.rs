//! Every read the API makes. Pages and events by key read the documents the
//! write path stores; the catalog reads its own tables.

mod catalog;
mod counts;
mod events;
mod facets;
mod names;
mod relations;
mod timeline;
mod tokens;

pub use catalog::{SOURCE_EVENTS_SHOWN, countries, participant_by_id, participants, source_by_id, sources};
pub use events::{event_document, line_hashes, participant_exists};
pub use facets::{Counted, facet};
pub use names::{in_language, names_in, other_names};
pub use relations::{Partner, partners, shared};
pub use timeline::{Page, page};
pub use tokens::{any_write_token, token_by_hash, tokens};
