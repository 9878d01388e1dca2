//! Bulk import of NDJSON events, shared by `timeline import` and
//! `POST /api/v1/import`. Lines are checked one by one; good ones are written
//! in batches through the same write path as the API. A bad line is reported
//! with its number and reason and skipped, or, with `strict`, aborts the
//! import with nothing written.

use crate::db::{Db, WriteTxn};
use crate::error::ApiError;
use crate::models::EventInput;
use crate::ndjson::{LineSplitter, MAX_LINE, Piece};
use crate::store::{self, Mode, SqliteImport, WriteCounts};
use crate::validate::{self, NewEvent, ParticipantSpec, SourceSpec};
use serde::Serialize;
use std::time::Instant;
use utoipa::ToSchema;

/// Events written per batch. Without `strict`, batches commit as they go
/// (on SQLite, every few; see `store::SqliteImport`), so other writers get a
/// turn and an interrupted import keeps what it committed (running it again
/// finishes the job: import is idempotent).
const BATCH: usize = 5_000;
/// After writing this many events, the planner's statistics are refreshed:
/// PostgreSQL otherwise plans against the empty tables it last analysed.
const ANALYZE_AFTER: u64 = 10_000;
/// Bad lines the summary lists one by one; it counts them all.
const LISTED_BAD_LINES: usize = 100;

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
    sink: Sink<'a>,
    splitter: LineSplitter,
    batch: Vec<NewEvent>,
    first_bad: Option<BadLine>,
    summary: ImportSummary,
    started: Instant,
}

impl<'a> Importer<'a> {
    pub fn new(db: &'a Db, strict: bool) -> Importer<'a> {
        let sink = match db.sqlite_file {
            Some(_) => Sink::Sqlite(None),
            None => Sink::SeaOrm(None),
        };
        Importer {
            db,
            strict,
            sink,
            splitter: LineSplitter::default(),
            batch: Vec::with_capacity(BATCH),
            first_bad: None,
            summary: ImportSummary::default(),
            started: Instant::now(),
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
        self.after_lines().await?;
        self.flush().await?;
        match &mut self.sink {
            Sink::SeaOrm(write) => {
                if let Some(write) = write.take() {
                    write.commit().await?;
                }
            }
            Sink::Sqlite(import) => {
                if let Some(import) = import.take() {
                    self.summary.events.add(import.commit().await?);
                }
            }
        }
        if self.summary.events.created + self.summary.events.updated >= ANALYZE_AFTER {
            refresh_statistics(self.db).await?;
        }
        self.summary.seconds = (self.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
        Ok(self.summary)
    }

    /// Lines read so far.
    pub fn lines(&self) -> u64 {
        self.summary.lines
    }

    async fn after_lines(&mut self) -> Result<(), ImportError> {
        if self.strict
            && let Some(bad) = self.first_bad.take()
        {
            // Ending the open transaction uncommitted rolls everything back.
            match &mut self.sink {
                Sink::SeaOrm(write) => *write = None,
                Sink::Sqlite(import) => {
                    if let Some(import) = import.take() {
                        import.abandon().await;
                    }
                }
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
        match &mut self.sink {
            Sink::SeaOrm(write) => {
                if write.is_none() {
                    *write = Some(self.db.begin_write().await?);
                }
                let Some(txn) = write else { unreachable!("a transaction was just begun") };
                let counts = store::write_events(&txn.txn, batch, Mode::CreateOrReplace).await?;
                self.summary.events.add(counts);
                if !self.strict
                    && let Some(txn) = write.take()
                {
                    txn.commit().await?;
                }
            }
            Sink::Sqlite(import) => {
                if import.is_none() {
                    *import = Some(SqliteImport::begin(self.db, !self.strict).await?);
                }
                let Some(import) = import else { unreachable!("an import was just begun") };
                // The batch before this one was written while this one was read.
                self.summary.events.add(import.write(batch).await?);
            }
        }
        Ok(())
    }

    fn accept(&mut self, piece: Piece<'_>) {
        self.summary.lines += 1;
        let result = match piece {
            Piece::TooLong(n) => Err((n, None, format!("the line is longer than {MAX_LINE} bytes"))),
            Piece::Line(_, bytes) if bytes.iter().all(u8::is_ascii_whitespace) => return,
            Piece::Line(n, bytes) => parse_line(bytes).map_err(|(field, reason)| (n, field, reason)),
        };
        match result {
            Ok(event) => self.batch.push(event),
            Err((line, field, reason)) => {
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
    }
}

/// Where batches are written.
enum Sink<'a> {
    /// A SeaORM transaction: PostgreSQL, and in-memory SQLite.
    SeaOrm(Option<WriteTxn<'a>>),
    /// A SQLite file, written with rusqlite on a thread of its own.
    Sqlite(Option<SqliteImport<'a>>),
}

async fn refresh_statistics(db: &Db) -> Result<(), ImportError> {
    use sea_orm::{ConnectionTrait, DatabaseBackend};
    let statement = match db.conn.get_database_backend() {
        DatabaseBackend::Postgres => "ANALYZE",
        _ => "PRAGMA optimize",
    };
    db.conn.execute_unprepared(statement).await?;
    Ok(())
}

/// One line into a checked event, or the field and reason it fails on.
fn parse_line(bytes: &[u8]) -> Result<NewEvent, (Option<String>, String)> {
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
    if let Some(i) = event.sources.iter().position(|s| matches!(s, SourceSpec::Existing(_))) {
        return Err((Some(format!("sources[{i}].id")), "import names sources by url".into()));
    }
    Ok(event)
}
