//! The domain: checked values and the rules derived from them (dates and
//! the days they cover, participant identity, an event's countries). It
//! knows nothing of HTTP or of databases.

pub mod countries;
pub mod dates;
mod event;
pub mod participant;

pub use dates::{EventDate, LegacyPrecision, PartialDate, Precision, Qualifier};
pub use event::{EVENT_KINDS, Evidence, NewEvent, NewSource, ParticipantSpec, Published, SourceSpec};
pub use participant::{NewParticipant, PARTICIPANT_KINDS};
