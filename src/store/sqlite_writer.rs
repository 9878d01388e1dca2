//! Writing events to a SQLite file with rusqlite: every API write of events
//! and bulk import. Each batch is written on a blocking thread, so an
//! import parses the next batch meanwhile.

use super::batch::{Mode, WriteCounts};
use super::counts::Deltas;
use super::events::write_batch;
use super::sqlite_batch::{SqliteBatch, add_counts};
use crate::db::{BUMP_DATA_VERSION, Backend, Db, sqlite_error};
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
        let session = Session { conn, counts: Deltas::default() };
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
}

impl Session {
    fn commit(&mut self) -> Result<(), ApiError> {
        add_counts(&self.conn, &mut self.counts)?;
        self.conn.execute_batch("COMMIT").map_err(sqlite_error)?;
        Ok(())
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
    let written = write_batch(&mut SqliteBatch(conn, &mut session.counts), batch, mode)
        .now_or_never()
        .unwrap_or_else(|| Err(DbErr::Custom("a SQLite batch write waited".into()).into()))
        .and_then(|counts| {
            if commit {
                session.commit()?;
            }
            Ok(counts)
        });
    if written.is_err() {
        let _ = session.conn.execute_batch("ROLLBACK");
        session.counts = Deltas::default();
    }
    written
}
