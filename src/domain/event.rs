//! An event ready to be written, and its content digest.

use super::dates::EventDate;
use super::participant::NewParticipant;
use crate::models::Location;
use crate::search::OwnStems;
use serde::Serialize;

pub const EVENT_KINDS: [&str; 11] = [
    "meeting",
    "summit",
    "treaty",
    "agreement",
    "visit",
    "statement",
    "exercise",
    "conference",
    "election",
    "sanction",
    "other",
];

/// An event that passed every check, ready for the write path.
#[derive(Debug, Serialize)]
pub struct NewEvent {
    pub key: String,
    pub kind: String,
    pub title: String,
    pub summary: Option<String>,
    #[serde(serialize_with = "edtf")]
    pub date: EventDate,
    /// The words the source dates it with (`на прошлой неделе`).
    pub date_text: Option<String>,
    /// How the date was worked out from them.
    pub date_basis: Option<String>,
    pub location: Option<Location>,
    pub participants: Vec<(ParticipantSpec, Option<String>)>,
    pub sources: Vec<(SourceSpec, Evidence)>,
    pub tags: Vec<String>,
    /// A digest of all of the above: a write of the same content changes
    /// nothing. Computed when the event is checked, so bulk import digests
    /// lines on its reading thread rather than its writing one.
    #[serde(skip)]
    pub content_hash: String,
    /// The digest of the import line it was read from (`import::LineMark`),
    /// stored with it so that the same line imported again is not parsed.
    #[serde(skip)]
    pub line_hash: Option<i64>,
    /// Its own words stemmed for its search text (`stem`): by an import
    /// as it parses the line, on both cores, or by the write itself.
    #[serde(skip)]
    pub stems: OwnStems,
}

impl NewEvent {
    /// Sets `content_hash` from the rest.
    pub fn seal(mut self) -> NewEvent {
        use sha2::Digest;
        // Streamed into the digest: the same bytes as `to_vec`, unbuffered.
        let mut digest = sha2::Sha256::new();
        let _ = serde_json::to_writer(&mut digest, &self);
        self.content_hash = format!("{:x}", digest.finalize());
        self
    }

    /// Sets `stems` from its words, unless they are set. Words that stem to
    /// nothing are stemmed again, to the same nothing.
    pub fn stem(&mut self) {
        if !self.stems.head.is_empty() {
            return;
        }
        let quotes = self.sources.iter().filter_map(|(_, evidence)| evidence.quote.as_deref());
        let place = self.location.as_ref().and_then(|l| l.name.as_deref());
        self.stems = OwnStems::of(&self.title, self.summary.as_deref(), place, quotes, &self.tags);
    }
}

/// A participant of an event being written: an existing one, or one to
/// match by identity or create.
#[derive(Debug, Clone, Serialize)]
pub enum ParticipantSpec {
    Existing(i64),
    Described(NewParticipant),
}

/// A source of an event being written: an existing one, or one to match by
/// url or create.
#[derive(Debug, Clone, Serialize)]
pub enum SourceSpec {
    Existing(i64),
    Described(NewSource),
}

/// What an event rests on in one of its sources.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The passage, in the source's language.
    pub quote: Option<String>,
    /// Such as `quoting Interfax`.
    pub note: Option<String>,
}

/// A source as described: by its url, or, when it has none (print,
/// broadcast), by its title, publisher and date.
#[derive(Debug, Clone, Serialize)]
pub struct NewSource {
    pub url: Option<String>,
    pub title: Option<String>,
    pub publisher: Option<String>,
    /// A date or a date-time, at the precision known (`2025-11-01`,
    /// `2025-11-01T09:30:00Z`).
    pub published: Option<Published>,
    pub language: Option<String>,
}

impl NewSource {
    /// What tells one source from another: its url, or its title,
    /// publisher and date together.
    pub fn identity(&self) -> String {
        match &self.url {
            Some(url) => url.clone(),
            None => serde_json::json!([self.title, self.publisher, self.published.as_ref().map(Published::text)])
                .to_string(),
        }
    }
}

/// When a source was published, as finely as known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Published {
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, as given.
    Date(String),
    At(chrono::DateTime<chrono::Utc>),
}

impl Published {
    /// The stored and served form.
    pub fn text(&self) -> String {
        match self {
            Published::Date(d) => d.clone(),
            Published::At(t) => t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        }
    }

    /// Reads the stored form back.
    pub fn from_text(raw: &str) -> Option<Published> {
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
            return Some(Published::At(t.with_timezone(&chrono::Utc)));
        }
        super::dates::PartialDate::parse(raw).ok().map(|_| Published::Date(raw.to_owned()))
    }

    /// The time, when one is known: the first API's `published_at`.
    pub fn at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        match self {
            Published::At(t) => Some(*t),
            Published::Date(_) => None,
        }
    }
}

fn edtf<S: serde::Serializer>(date: &EventDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&date.to_edtf())
}
