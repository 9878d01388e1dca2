//! What the API reads and writes: request bodies and response documents,
//! with the schemas and examples that the OpenAPI spec shows.

mod catalog;
mod event;
mod input;

pub use catalog::{
    Country, FacetValue, FacetValues, Facets, KindCount, Participant, ParticipantPage, Partner, PeriodCount, Relations,
    Resolution, ResolvedCountry, ResolvedParticipant, SharedEvents, SourceDetail, SourcePage,
};
pub use event::{
    DateFields, Event, EventParticipant, EventSource, EventSummary, Location, Source, TimelinePage, stored_date,
    stored_edtf,
};
pub use input::{
    EventInput, ParticipantInput, ParticipantNames, ParticipantRef, SourceInput, SourceRef, event_kind,
    participant_kind,
};
