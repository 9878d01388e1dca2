//! SeaORM entities for the Timeline schema. Entities only: no business logic
//! lives here (validation and the write path are in the service crate).

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
