//! Writing events to a SQLite file with rusqlite: every API write of events
//! and bulk import. Each batch is written on a blocking thread, so an
//! import parses the next batch meanwhile.

use super::batch::{Mode, WriteCounts};
use super::counts::Deltas;
use super::events::write_batch;
use super::first_load::{self, FirstLoad};
use super::sqlite_batch::{SqliteBatch, add_counts};
use crate::db::{BUMP_DATA_VERSION, BUSY_TIMEOUT, Backend, Db, sqlite_error};
use crate::domain::NewEvent;
use crate::error::ApiError;
use futures_util::FutureExt;
use rusqlite::Connection;
use sea_orm::DbErr;
use tokio::sync::MutexGuard;
use tokio::task::JoinHandle;

/// Batches per transaction when an import commits as it goes. A commit
/// writes every page its transaction changed, and an import's index inserts
/// change pages all over the file, so fewer, larger transactions write each
/// page fewer times (bench/README.md has the figures), while other writers
/// still get a turn every few seconds.
const BATCHES_PER_COMMIT: u64 = 10;

/// Batches of events written to a SQLite file on a connection of their own.
/// Each batch is written on a blocking thread while the caller prepares the
/// next, so an import parses and writes on both cores. Batches commit as
/// they go (`commit_as_it_goes`, every `BATCHES_PER_COMMIT`) or all together
/// at `commit`; dropping the connection uncommitted rolls back.
pub struct SqliteWriter<'a> {
    db: &'a Db,
    commit_as_it_goes: bool,
    mode: Mode,
    /// Away on the writing thread while a batch is in flight.
    session: Option<Session>,
    in_flight: Option<JoinHandle<(Session, Result<WriteCounts, ApiError>)>>,
    batches: u64,
    /// The write gate, held while a transaction is open.
    gate: Option<MutexGuard<'a, ()>>,
}

impl<'a> SqliteWriter<'a> {
    pub fn begin(db: &'a Db, commit_as_it_goes: bool, mode: Mode) -> Result<SqliteWriter<'a>, ApiError> {
        let Backend::SqliteFile(file) = db.backend() else {
            return Err(DbErr::Custom("a SQLite writer needs a SQLite file".into()).into());
        };
        let conn = file.open_writer()?;
        let session = Session { conn, counts: Deltas::default(), first_load: None };
        Ok(SqliteWriter {
            db,
            commit_as_it_goes,
            mode,
            session: Some(session),
            in_flight: None,
            gate: None,
            batches: 0,
        })
    }

    /// A first load (`first_load.rs`): every batch in one transaction,
    /// under a rollback journal rather than the WAL. Pages are written once,
    /// to the file, not to the WAL and again at each checkpoint, and a
    /// transaction larger than the page cache spills to the file rather than
    /// into a WAL whose every later read searches a longer index
    /// (bench/README.md). Killed at any point, the journal takes the file
    /// back to where it began.
    ///
    /// None when the file holds more than `first_load::AT_MOST` events, or
    /// when another connection has it open (a server, or this process's
    /// pool unless closed): leaving the WAL needs the file to itself, and
    /// the load keeps it so until it ends.
    pub fn first_load(db: &'a Db, mode: Mode) -> Result<Option<SqliteWriter<'a>>, ApiError> {
        let Backend::SqliteFile(file) = db.backend() else {
            return Ok(None);
        };
        let conn = file.open_writer()?;
        let events: i64 = conn
            .query_row("SELECT count(*) FROM (SELECT 1 FROM events LIMIT ?1)", [first_load::AT_MOST + 1], |r| r.get(0))
            .map_err(sqlite_error)?;
        if events > first_load::AT_MOST {
            return Ok(None);
        }
        // Not waiting: another connection holds the file for as long as it
        // stays open, and the import goes on without it.
        conn.busy_timeout(std::time::Duration::ZERO).map_err(sqlite_error)?;
        let journal: String =
            conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0)).unwrap_or_else(|_| "wal".into());
        if journal != "delete" {
            return Ok(None);
        }
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite_error)?;
        let load = FirstLoad::begin(&conn).inspect_err(|_| {
            let _ = conn.execute_batch("ROLLBACK");
            back_to_wal(&conn);
        })?;
        let session = Session { conn, counts: Deltas::default(), first_load: Some(load) };
        Ok(Some(SqliteWriter {
            db,
            commit_as_it_goes: false,
            mode,
            session: Some(session),
            in_flight: None,
            gate: None,
            batches: 0,
        }))
    }

    /// Starts writing `batch`; returns what the batch before it did.
    pub async fn write(&mut self, batch: Vec<NewEvent>) -> Result<WriteCounts, ApiError> {
        let previous = self.settle().await?;
        if self.gate.is_none() {
            self.gate = Some(self.db.write_gate().await);
        }
        let mut session =
            self.session.take().ok_or_else(|| DbErr::Custom("the writer's connection was lost".into()))?;
        self.batches += 1;
        let commit = self.commit_as_it_goes && self.batches.is_multiple_of(BATCHES_PER_COMMIT);
        let mode = self.mode;
        self.in_flight = Some(tokio::task::spawn_blocking(move || {
            let result = write_in_transaction(&mut session, batch, commit, mode);
            (session, result)
        }));
        Ok(previous)
    }

    /// Waits for the last batch and commits; returns what that batch did.
    pub async fn commit(mut self) -> Result<WriteCounts, ApiError> {
        let counts = self.settle().await?;
        if let Some(mut session) = self.session.take()
            && !session.conn.is_autocommit()
        {
            let committed = tokio::task::spawn_blocking(move || session.commit());
            committed.await.map_err(|err| DbErr::Custom(format!("the SQLite writer failed: {err}")))??;
        }
        self.db.written();
        Ok(counts)
    }

    /// Waits for the batch in flight, then drops the connection: whatever
    /// is uncommitted is rolled back.
    pub async fn abandon(mut self) {
        if let Some(task) = self.in_flight.take() {
            let _ = task.await;
        }
    }

    async fn settle(&mut self) -> Result<WriteCounts, ApiError> {
        let Some(task) = self.in_flight.take() else {
            return Ok(WriteCounts::default());
        };
        let (session, result) = task.await.map_err(|err| DbErr::Custom(format!("the SQLite writer failed: {err}")))?;
        if session.conn.is_autocommit() {
            // The batch committed: other writers may go.
            self.gate = None;
            self.db.written();
        }
        self.session = Some(session);
        result
    }
}

/// The writer's connection, and what the batches of its open transaction
/// add to the kept counts, gathered (see `SqliteBatch`).
struct Session {
    conn: Connection,
    counts: Deltas,
    first_load: Option<FirstLoad>,
}

impl Session {
    fn commit(&mut self) -> Result<(), ApiError> {
        add_counts(&self.conn, &mut self.counts)?;
        match self.first_load.take() {
            Some(load) => {
                let ended = load.end(&self.conn);
                if ended.is_err() {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
                back_to_wal(&self.conn);
                ended?;
            }
            None => self.conn.execute_batch("COMMIT").map_err(sqlite_error)?,
        }
        Ok(())
    }

    /// Ends the open transaction uncommitted.
    fn roll_back(&mut self) {
        let _ = self.conn.execute_batch("ROLLBACK");
        self.counts = Deltas::default();
        if self.first_load.take().is_some() {
            back_to_wal(&self.conn);
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.conn.is_autocommit() {
            self.roll_back();
        }
    }
}

/// Puts the file back in WAL mode, as every other connection expects it
/// (sqlx's would on opening it anyway).
fn back_to_wal(conn: &Connection) {
    if let Err(err) = conn.execute_batch("PRAGMA journal_mode = WAL") {
        tracing::warn!(%err, "the database file stays in rollback-journal mode until it is next opened");
    }
}

fn write_in_transaction(
    session: &mut Session,
    batch: Vec<NewEvent>,
    commit: bool,
    mode: Mode,
) -> Result<WriteCounts, ApiError> {
    let conn = &session.conn;
    if conn.is_autocommit() {
        conn.execute_batch("BEGIN IMMEDIATE").map_err(sqlite_error)?;
        // SQLite has one writer at a time, so bumping first costs no waiting.
        conn.execute_batch(BUMP_DATA_VERSION).map_err(sqlite_error)?;
    }
    // Nothing in `SqliteBatch` waits, so the write completes in one poll.
    let sources = session.first_load.as_mut().map(|load| &mut load.sources);
    let written = write_batch(&mut SqliteBatch { conn, counts: &mut session.counts, sources }, batch, mode)
        .now_or_never()
        .unwrap_or_else(|| Err(DbErr::Custom("a SQLite batch write waited".into()).into()))
        .and_then(|counts| {
            if commit {
                session.commit()?;
            }
            Ok(counts)
        });
    if written.is_err() {
        session.roll_back();
    }
    written
}
