//! SeaORM entities for the Timeline schema. Entities only: no business logic
//! lives here (validation and the write path are in the service crate).
//! The rows the write path makes serialize with their columns' names: that
//! is how PostgreSQL's batch statements receive them (`json_to_recordset`).

pub mod api_token;
pub mod event;
pub mod event_country;
pub mod event_participant;
pub mod event_source;
pub mod event_tag;
pub mod event_text;
pub mod participant;
pub mod participant_member;
pub mod participant_name;
pub mod source;
