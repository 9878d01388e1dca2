//! The write path: every change to events, participants and sources goes
//! through here, each as one transaction, so a failed write leaves nothing
//! behind and the derived rows (`event_countries`, documents) always match
//! the rows they derive from.

mod batch;
mod catalog;
mod counts;
mod documents;
mod event_writer;
mod events;
mod first_load;
mod pg_batch;
mod pg_copy;
mod pg_first_load;
mod resolve;
mod seaorm_batch;
mod sqlite_batch;
mod sqlite_writer;
mod tokens;

pub use batch::{Mode, WriteCounts};
pub use catalog::{
    add_members, add_other_names, create_participant, create_source, delete_events, delete_participant, delete_source,
    delete_unused_participants, delete_unused_sources, existing_keys_unless_digest, update_participant, update_source,
    write_other_names,
};
pub use counts::{CARRIED_DAYS, recount};
pub use documents::rerender;
pub use event_writer::EventWriter;
pub use events::write_events;
pub use tokens::{MAX_TOKEN_NAME, create_token, revoke_token};

use crate::db::Db;
use crate::domain::NewEvent;
use crate::error::ApiError;

/// Writes one event in a transaction of its own.
pub async fn save_event(db: &Db, new: NewEvent, mode: Mode) -> Result<WriteCounts, ApiError> {
    let mut writer = EventWriter::new(db, true, mode);
    let mut counts = writer.write(vec![new]).await?;
    counts.add(writer.commit().await?);
    Ok(counts)
}

pub async fn delete_event(db: &Db, key: &str) -> Result<(), ApiError> {
    let write = db.begin_write().await?;
    if delete_events(&write.txn, &[key.to_owned()]).await? == 0 {
        return Err(ApiError::NotFound(format!("no event with key '{key}'")));
    }
    write.commit().await?;
    Ok(())
}
