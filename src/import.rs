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
/// (`Db::refresh_after_import`): PostgreSQL otherwise plans against the empty
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
    /// Looked up and parsed a batch at a time on both cores
    /// (`parse_pending`).
    lines: Lines,
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
            lines: Lines::default(),
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
        let written = self.summary.events.created + self.summary.events.updated;
        if !self.first_load && written >= ANALYZE_AFTER {
            self.db.refresh_after_import(written).await?;
        }
        self.summary.seconds = (self.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
        Ok(self.summary)
    }

    /// Lines read so far.
    pub fn lines(&self) -> u64 {
        self.summary.lines
    }

    async fn after_lines(&mut self) -> Result<(), ImportError> {
        if self.lines.pending.len() >= BATCH || self.lines.text.len() >= MAX_PENDING_BYTES {
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
            Piece::TooLong(n) => self.lines.pending.push((n, None)),
            Piece::Line(_, bytes) if bytes.iter().all(u8::is_ascii_whitespace) => {}
            Piece::Line(n, bytes) => self.lines.push(n, bytes),
        }
    }

    /// Parses the pending lines, in order, on both cores, while the batch
    /// parsed before them is written: PostgreSQL writes one batch while this
    /// process reads the next, rather than each waiting for the other. (A
    /// writer that writes behind, on a thread of its own, is handed each
    /// batch as soon as it is read: holding one back would only cost
    /// memory.) A line that its event was last written from, as the
    /// database holds it, is not parsed: the event is as the line says, so
    /// it counts as unchanged. That makes importing a file again mostly a
    /// lookup by key.
    async fn parse_pending(&mut self) -> Result<(), ImportError> {
        let behind = self.writer.as_ref().is_some_and(EventWriter::writes_behind);
        let ready = if !behind && self.batch.len() >= BATCH {
            std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH))
        } else {
            vec![]
        };
        let lines = std::mem::take(&mut self.lines);
        let Importer { db, writer, parsed_keys, first_load, .. } = self;
        let write = async {
            match writer.as_mut() {
                _ if ready.is_empty() => Ok(WriteCounts::default()),
                Some(writer) => writer.write(ready).await,
                None => Err(ApiError::Database(sea_orm::DbErr::Custom("the import has ended".into()))),
            }
        };
        let (written, read) = tokio::join!(write, lines.read(db, *first_load, parsed_keys));
        self.summary.events.add(written?);
        let (mut lines, read) = read?;
        self.summary.events.unchanged += read.unchanged;
        for (n, result) in read.parsed {
            match result {
                Ok(event) => self.batch.push(event),
                Err((field, reason)) => self.bad_line(n, field, reason),
            }
        }
        lines.text.clear();
        lines.pending.clear();
        self.lines = lines;
        if behind && self.batch.len() >= BATCH {
            self.flush().await?;
        }
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

/// Lines read and not yet parsed: their numbers and where they are in
/// `text` (none for a line too long to keep). Owned, so that they are read
/// on other threads while the task that holds them writes.
#[derive(Default)]
struct Lines {
    text: Vec<u8>,
    pending: Vec<(u64, Option<Range<usize>>)>,
}

/// What reading a batch of lines gave.
struct Read {
    parsed: Vec<(u64, Result<NewEvent, Fault>)>,
    /// Lines found as the database holds them, not parsed.
    unchanged: u64,
}

impl Lines {
    fn push(&mut self, n: u64, line: &[u8]) {
        let start = self.text.len();
        self.text.extend_from_slice(line);
        self.pending.push((n, Some(start..self.text.len())));
    }

    /// Marks each line, looks their keys up (unless a first load), and
    /// parses those that are not stored as they are.
    async fn read(self, db: &Db, first_load: bool, parsed_keys: &mut KeySet) -> Result<(Lines, Read), ImportError> {
        let (lines, marks) = parallel::off_thread(move || {
            let marks =
                parallel::map(&self.pending, |(_, line)| line.clone().map(|line| LineMark::of(&self.text, line)));
            (self, marks)
        })
        .await;
        let keys: Vec<Option<&str>> = marks.iter().map(|mark| mark.as_ref().and_then(|m| m.key(&lines.text))).collect();
        let stored = if first_load {
            HashMap::new()
        } else {
            read::line_hashes(db, &keys.iter().flatten().copied().collect::<Vec<_>>()).await?
        };
        let mut unchanged = 0;
        let mut to_parse = Vec::with_capacity(lines.pending.len());
        for (((n, line), mark), key) in lines.pending.iter().zip(&marks).zip(&keys) {
            match (mark, key) {
                // The lookup reads only what is committed, and batches are
                // written after it: a line whose key came before in this
                // import is parsed, as that line may have rewritten it.
                (Some(mark), Some(key)) if stored.get(*key) == Some(&mark.hash) && !parsed_keys.may_hold(key) => {
                    unchanged += 1;
                }
                _ => {
                    if let Some(key) = key {
                        parsed_keys.insert(key);
                    }
                    to_parse.push((*n, line.clone(), mark.as_ref().map(|mark| mark.hash)));
                }
            }
        }
        drop(keys);
        // Stemmed here rather than by the write, whose one thread is what
        // a large import waits for.
        let (lines, parsed) = parallel::off_thread(move || {
            let parsed = parallel::map(&to_parse, |(n, line, line_hash)| match line {
                Some(line) => {
                    let event = parse_line(&lines.text[line.clone()]).map(|event| {
                        let mut event = NewEvent { line_hash: *line_hash, ..event };
                        event.stem();
                        event
                    });
                    (*n, event)
                }
                None => (*n, Err((None, format!("the line is longer than {MAX_LINE} bytes")))),
            });
            (lines, parsed)
        })
        .await;
        Ok((lines, Read { parsed, unchanged }))
    }
}

/// What a line is known by before it is parsed.
struct LineMark {
    /// `line_hash`.
    hash: i64,
    /// Where in the text is the key it gives, when it is a JSON object with
    /// one written without escapes (a valid key needs none).
    key: Option<Range<usize>>,
}

impl LineMark {
    /// The mark of the line at `line` in `text`.
    fn of(text: &[u8], line: Range<usize>) -> LineMark {
        // The key alone, every other value skipped unread; a key with
        // escapes cannot be borrowed, so it fails, as does any bad line.
        #[derive(serde::Deserialize)]
        struct Keyed<'a> {
            key: Option<&'a str>,
        }
        let bytes = &text[line];
        let key = serde_json::from_slice::<Keyed>(bytes).ok().and_then(|keyed| keyed.key).map(|key| {
            // Borrowed from `bytes`, so its address says where it is.
            let start = key.as_ptr() as usize - text.as_ptr() as usize;
            start..start + key.len()
        });
        LineMark { hash: line_hash(bytes), key }
    }

    fn key<'t>(&self, text: &'t [u8]) -> Option<&'t str> {
        self.key.clone().and_then(|key| std::str::from_utf8(&text[key]).ok())
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

/// The field (when there is one) and the reason a line fails on.
pub type Fault = (Option<String>, String);

/// One line into a checked event, or the field and reason it fails on.
pub fn parse_line(bytes: &[u8]) -> Result<NewEvent, Fault> {
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
        let mark = LineMark::of(line, 0..line.len());
        assert_eq!(mark.key(line), Some("evt-1"));
        let after = [&b"{}"[..], line].concat();
        assert_eq!(LineMark::of(&after, 2..after.len()).key(&after), Some("evt-1"), "a key is found where its line is");
        let spaced = br#"{"title": "T",  "tags": ["a", {"b": "key"}], "key": "evt-1", "summary": "\"quoted\""}"#;
        assert_ne!(LineMark::of(spaced, 0..spaced.len()).hash, mark.hash, "a line written differently is another line");
        assert_eq!(LineMark::of(line, 0..line.len()).hash, mark.hash);
        for unread in
            [&br#"{"key": "evt\u002d1"}"#[..], br#"{"key": 7}"#, br#"{"title": "no key"}"#, b"{\"key\": \"x\"", b"[]"]
        {
            assert_eq!(LineMark::of(unread, 0..unread.len()).key, None, "{}", String::from_utf8_lossy(unread));
        }
    }
}
