//! Bulk import of NDJSON events, shared by `timeline import` and
//! `POST /api/v1/import`. Lines are checked one by one; good ones are written
//! in batches through the same write path as the API. A bad line is reported
//! with its number and reason and skipped, or, with `strict`, aborts the
//! import with nothing written.

use crate::db::Db;
use crate::domain::{NewEvent, ParticipantSpec, SourceSpec};
use crate::error::ApiError;
use crate::formats::ndjson::{LineSplitter, MAX_LINE, Piece};
use crate::models::EventInput;
use crate::store::{EventWriter, Mode, WriteCounts};
use crate::{parallel, read, validate};
use serde::Serialize;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::ops::Range;
use std::time::Instant;
use utoipa::ToSchema;

/// Events written per batch. Without `strict`, batches commit as they go
/// (see `store::EventWriter`), so other writers get a turn and an
/// interrupted import keeps what it committed (running it again finishes
/// the job: import is idempotent).
const BATCH: usize = 5_000;
/// After writing this many events, the planner's statistics are refreshed
/// (`Db::refresh_statistics`): PostgreSQL otherwise plans against the empty
/// tables it last analysed.
pub const ANALYZE_AFTER: u64 = 10_000;
/// The most bytes of lines held unparsed: lines are parsed before a batch
/// is full when they are long, so that holding them costs at most this.
const MAX_PENDING_BYTES: usize = 16 << 20;
/// Bad lines the summary lists one by one; it counts them all.
const LISTED_BAD_LINES: usize = 100;
/// Part of every line's digest (`LineMark`). Change it when reading a line
/// changes what is stored for it, so that lines imported before are read
/// again rather than taken as unchanged.
const LINE_READING: &[u8] = b"timeline import line, reading 1\n";

/// The most bytes one `POST /import` body may carry. An import streams, so
/// this bounds its time and disk, not its memory.
#[derive(Clone, Copy, Debug)]
pub struct ImportLimit(pub u64);

/// What an import did.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"lines": 3, "events": {"created": 1, "updated": 0, "unchanged": 1,
    "participants_created": 2, "sources_created": 1}, "bad_lines": 1,
    "errors": [{"line": 3, "field": "start", "reason": "'2025-02-30' is not a real date"}], "seconds": 0.01}))]
pub struct ImportSummary {
    /// Lines read, blank ones included.
    pub lines: u64,
    pub events: WriteCounts,
    pub bad_lines: u64,
    /// The first 100 bad lines.
    pub errors: Vec<BadLine>,
    pub seconds: f64,
}

/// A line that was not imported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BadLine {
    pub line: u64,
    /// The field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub reason: String,
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("line {}: {}", .0.line, .0.reason)]
    BadLine(BadLine),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(e: sea_orm::DbErr) -> Self {
        ImportError::Api(ApiError::Database(e))
    }
}

pub struct Importer<'a> {
    db: &'a Db,
    strict: bool,
    /// Taken when the import ends.
    writer: Option<EventWriter<'a>>,
    splitter: LineSplitter,
    /// Lines read and not yet parsed: their numbers and where they are in
    /// `text` (none for a line too long to keep). They are looked up and
    /// parsed a batch at a time on both cores (`parse_pending`).
    pending: Vec<(u64, Option<Range<usize>>)>,
    text: Vec<u8>,
    /// The keys of the lines sent to be parsed.
    parsed_keys: KeySet,
    batch: Vec<NewEvent>,
    first_bad: Option<BadLine>,
    summary: ImportSummary,
    started: Instant,
    /// A first load (`EventWriter::first_load`): lines are not looked up
    /// (its few events are rewritten if the file has them; a SQLite file's
    /// pool is closed), and the writer refreshes the statistics.
    first_load: bool,
}

impl<'a> Importer<'a> {
    pub fn new(db: &'a Db, strict: bool) -> Importer<'a> {
        Importer::with_writer(db, strict, EventWriter::new(db, strict, Mode::CreateOrReplace), false)
    }

    /// A first load, all or nothing whatever `strict` says (see
    /// `EventWriter::first_load`); none where one cannot be made.
    pub async fn first_load(db: &'a Db, strict: bool) -> Result<Option<Importer<'a>>, ImportError> {
        let writer = EventWriter::first_load(db, Mode::CreateOrReplace).await?;
        Ok(writer.map(|writer| Importer::with_writer(db, strict, writer, true)))
    }

    fn with_writer(db: &'a Db, strict: bool, writer: EventWriter<'a>, first_load: bool) -> Importer<'a> {
        Importer {
            db,
            strict,
            writer: Some(writer),
            splitter: LineSplitter::default(),
            pending: Vec::with_capacity(BATCH),
            text: Vec::new(),
            parsed_keys: KeySet::default(),
            batch: Vec::with_capacity(BATCH),
            first_bad: None,
            summary: ImportSummary::default(),
            started: Instant::now(),
            first_load,
        }
    }

    /// Feeds the next chunk of input, of any size and cut anywhere.
    pub async fn feed(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        let mut splitter = std::mem::take(&mut self.splitter);
        splitter.feed(chunk, |piece| self.accept(piece));
        self.splitter = splitter;
        self.after_lines().await
    }

    /// Ends the input and commits; returns the summary.
    pub async fn finish(mut self) -> Result<ImportSummary, ImportError> {
        let mut splitter = std::mem::take(&mut self.splitter);
        splitter.finish(|piece| self.accept(piece));
        self.parse_pending().await?;
        self.after_lines().await?;
        self.flush().await?;
        if let Some(writer) = self.writer.take() {
            self.summary.events.add(writer.commit().await?);
        }
        if !self.first_load && self.summary.events.created + self.summary.events.updated >= ANALYZE_AFTER {
            self.db.refresh_statistics().await?;
        }
        self.summary.seconds = (self.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
        Ok(self.summary)
    }

    /// Lines read so far.
    pub fn lines(&self) -> u64 {
        self.summary.lines
    }

    async fn after_lines(&mut self) -> Result<(), ImportError> {
        if self.pending.len() >= BATCH || self.text.len() >= MAX_PENDING_BYTES {
            self.parse_pending().await?;
        }
        if self.strict
            && let Some(bad) = self.first_bad.take()
        {
            // Ending the open transaction uncommitted rolls everything back.
            if let Some(writer) = self.writer.take() {
                writer.abandon().await;
            }
            return Err(ImportError::BadLine(bad));
        }
        if self.batch.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    /// Writes the batch read so far (see `BATCH` for when it commits).
    async fn flush(&mut self) -> Result<(), ImportError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        let writer = self.writer.as_mut().ok_or_else(|| sea_orm::DbErr::Custom("the import has ended".into()))?;
        self.summary.events.add(writer.write(batch).await?);
        Ok(())
    }

    fn accept(&mut self, piece: Piece<'_>) {
        self.summary.lines += 1;
        match piece {
            Piece::TooLong(n) => self.pending.push((n, None)),
            Piece::Line(_, bytes) if bytes.iter().all(u8::is_ascii_whitespace) => {}
            Piece::Line(n, bytes) => {
                let start = self.text.len();
                self.text.extend_from_slice(bytes);
                self.pending.push((n, Some(start..self.text.len())));
            }
        }
    }

    /// Parses the pending lines, in order, on both cores. A line that its
    /// event was last written from, as the database holds it, is not
    /// parsed: the event is as the line says, so it counts as unchanged.
    /// That makes importing a file again mostly a lookup by key.
    async fn parse_pending(&mut self) -> Result<(), ImportError> {
        let text = &self.text;
        let marks = parallel::map(&self.pending, |(_, range)| range.as_ref().map(|r| LineMark::of(&text[r.clone()])));
        let keys: Vec<&str> = marks.iter().flatten().filter_map(|mark| mark.key).collect();
        let stored = if self.first_load { HashMap::new() } else { read::line_hashes(self.db, &keys).await? };
        let mut to_parse = Vec::with_capacity(self.pending.len());
        for ((n, range), mark) in self.pending.iter().zip(&marks) {
            let mark = mark.as_ref();
            let key = mark.and_then(|mark| mark.key);
            match (mark, key) {
                // The lookup reads only what is committed, and batches are
                // written after it: a line whose key came before in this
                // import is parsed, as that line may have rewritten it.
                (Some(mark), Some(key)) if mark.is_stored(key, &stored) && !self.parsed_keys.may_hold(key) => {
                    self.summary.events.unchanged += 1;
                }
                _ => {
                    if let Some(key) = key {
                        self.parsed_keys.insert(key);
                    }
                    to_parse.push((*n, range.clone(), mark.map(|mark| mark.hash)));
                }
            }
        }
        // Stemmed here rather than by the write, whose one thread is what
        // a large import waits for.
        let parsed = parallel::map(&to_parse, |(n, range, line_hash)| match range {
            Some(range) => {
                let event = parse_line(&text[range.clone()]).map(|event| {
                    let mut event = NewEvent { line_hash: *line_hash, ..event };
                    event.stem();
                    event
                });
                (*n, event)
            }
            None => (*n, Err((None, format!("the line is longer than {MAX_LINE} bytes")))),
        });
        for (n, result) in parsed {
            match result {
                Ok(event) => self.batch.push(event),
                Err((field, reason)) => self.bad_line(n, field, reason),
            }
        }
        self.pending.clear();
        self.text.clear();
        Ok(())
    }

    fn bad_line(&mut self, line: u64, field: Option<String>, reason: String) {
        let bad = BadLine { line, field, reason };
        self.summary.bad_lines += 1;
        if self.summary.errors.len() < LISTED_BAD_LINES {
            self.summary.errors.push(bad.clone());
        }
        if self.first_bad.is_none() {
            self.first_bad = Some(bad);
        }
    }
}

/// What a line is known by before it is parsed.
struct LineMark<'a> {
    /// `line_hash`.
    hash: i64,
    /// The key it gives, when it is a JSON object with one written without
    /// escapes (a valid key needs none).
    key: Option<&'a str>,
}

impl<'a> LineMark<'a> {
    fn of(line: &'a [u8]) -> LineMark<'a> {
        // The key alone, every other value skipped unread; a key with
        // escapes cannot be borrowed, so it fails, as does any bad line.
        #[derive(serde::Deserialize)]
        struct Keyed<'a> {
            key: Option<&'a str>,
        }
        let key = serde_json::from_slice::<Keyed>(line).ok().and_then(|keyed| keyed.key);
        LineMark { hash: line_hash(line), key }
    }

    /// Whether the event with this key was last written from this line.
    fn is_stored(&self, key: &str, stored: &HashMap<String, i64>) -> bool {
        stored.get(key) == Some(&self.hash)
    }
}

/// A digest of a line's bytes, stored as the `line_hash` of the event it
/// writes: the first 8 bytes of a SHA-256.
fn line_hash(line: &[u8]) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::new().chain_update(LINE_READING).chain_update(line).finalize();
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// A set of keys that may say a key is in it when it is not (1 in 17 at a
/// million keys), never the reverse: a false "in" costs a line a parse,
/// and 2 MiB holds any number of keys.
struct KeySet {
    bits: Vec<u64>,
    hasher: RandomState,
}

impl KeySet {
    const BITS: u64 = 1 << 24;

    fn bit(&self, key: &str) -> (usize, u64) {
        let n = self.hasher.hash_one(key) % Self::BITS;
        ((n / 64) as usize, 1 << (n % 64))
    }

    fn insert(&mut self, key: &str) {
        let (word, bit) = self.bit(key);
        self.bits[word] |= bit;
    }

    fn may_hold(&self, key: &str) -> bool {
        let (word, bit) = self.bit(key);
        self.bits[word] & bit != 0
    }
}

impl Default for KeySet {
    fn default() -> Self {
        // Zeroed pages are only backed by memory once written.
        KeySet { bits: vec![0; (Self::BITS / 64) as usize], hasher: RandomState::new() }
    }
}

/// One line into a checked event, or the field and reason it fails on.
pub fn parse_line(bytes: &[u8]) -> Result<NewEvent, (Option<String>, String)> {
    // Tracking the path costs on every line; only a failing line needs it.
    let input: EventInput = match serde_json::from_slice(bytes) {
        Ok(input) => input,
        Err(_) => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let error = serde_path_to_error::deserialize::<_, EventInput>(&mut de)
                .err()
                .map(|e| {
                    let path = e.path().to_string();
                    let inner = e.into_inner();
                    ((inner.is_data() && path != ".").then_some(path), inner.to_string())
                })
                .unwrap_or((None, "not one JSON value".to_owned()));
            return Err((error.0, format!("not an event of the interchange format: {}", error.1)));
        }
    };
    let event = validate::event(input, None).map_err(|e| match e {
        ApiError::Invalid { field, detail } => (Some(field), detail),
        other => (None, other.to_string()),
    })?;
    // The interchange format names participants and sources, never by the
    // ids of one particular database.
    if let Some(i) = event.participants.iter().position(|(p, _)| matches!(p, ParticipantSpec::Existing(_))) {
        return Err((Some(format!("participants[{i}].id")), "import names participants by kind and name".into()));
    }
    if let Some(i) = event.sources.iter().position(|(s, _)| matches!(s, SourceSpec::Existing(_))) {
        return Err((
            Some(format!("sources[{i}].id")),
            "import names sources by url, or by title, publisher and date".into(),
        ));
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::LineMark;

    #[test]
    fn a_line_is_known_by_its_key_and_its_bytes_before_it_is_parsed() {
        let line = br#"{"title": "T", "tags": ["a", {"b": "key"}], "key": "evt-1", "summary": "\"quoted\""}"#;
        let mark = LineMark::of(line);
        assert_eq!(mark.key, Some("evt-1"));
        let spaced = br#"{"title": "T",  "tags": ["a", {"b": "key"}], "key": "evt-1", "summary": "\"quoted\""}"#;
        assert_ne!(LineMark::of(spaced).hash, mark.hash, "a line written differently is another line");
        assert_eq!(LineMark::of(line).hash, mark.hash);
        for unread in
            [&br#"{"key": "evt\u002d1"}"#[..], br#"{"key": 7}"#, br#"{"title": "no key"}"#, b"{\"key\": \"x\"", b"[]"]
        {
            assert_eq!(LineMark::of(unread).key, None, "{}", String::from_utf8_lossy(unread));
        }
    }
}
