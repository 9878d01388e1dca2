//! Writing events: batches written as they come (one event for an API
//! write, thousands for an import), each committed as it goes or all of
//! them at once, through the fastest statements the backend has.

use super::batch::{Mode, WriteCounts};
use super::events::write_events;
use super::sqlite_writer::SqliteWriter;
use crate::db::{Backend, Db, WriteTxn};
use crate::domain::NewEvent;
use crate::error::ApiError;

pub struct EventWriter<'a> {
    db: &'a Db,
    all_or_nothing: bool,
    mode: Mode,
    sink: Sink<'a>,
}

/// Where batches go; a transaction is begun with the first batch.
enum Sink<'a> {
    /// A SeaORM transaction: PostgreSQL, and SQLite in memory.
    Transaction(Option<WriteTxn<'a>>),
    /// A SQLite file, written with rusqlite on a thread of its own.
    SqliteFile(Option<Box<SqliteWriter<'a>>>),
}

impl<'a> EventWriter<'a> {
    /// `all_or_nothing`: one transaction for every batch, committed by
    /// `commit`; otherwise batches commit as they go, so other writers get
    /// a turn and an interrupted import keeps what it committed. `mode`
    /// says whether an event whose key exists is replaced or refused.
    pub fn new(db: &'a Db, all_or_nothing: bool, mode: Mode) -> EventWriter<'a> {
        let sink = match db.backend() {
            Backend::SqliteFile(_) => Sink::SqliteFile(None),
            Backend::SqliteMemory | Backend::PostgreSql => Sink::Transaction(None),
        };
        EventWriter { db, all_or_nothing, mode, sink }
    }

    /// A first load into a SQLite file (see `SqliteWriter::first_load`):
    /// every batch in one transaction, committed by `commit`. None where
    /// one cannot be made; this process's pool has to be closed first.
    pub fn first_load(db: &'a Db, mode: Mode) -> Result<Option<EventWriter<'a>>, ApiError> {
        Ok(SqliteWriter::first_load(db, mode)?.map(|writer| EventWriter {
            db,
            all_or_nothing: true,
            mode,
            sink: Sink::SqliteFile(Some(Box::new(writer))),
        }))
    }

    /// Writes a batch. Returns what was written by the time it returns: on
    /// a SQLite file, the batch before this one, which was written while
    /// this one was read.
    pub async fn write(&mut self, batch: Vec<NewEvent>) -> Result<WriteCounts, ApiError> {
        match &mut self.sink {
            Sink::Transaction(open) => {
                let write = match open {
                    Some(write) => write,
                    None => open.insert(self.db.begin_write().await?),
                };
                let counts = write_events(&write.txn, batch, self.mode).await?;
                if !self.all_or_nothing
                    && let Some(write) = open.take()
                {
                    write.commit().await?;
                }
                Ok(counts)
            }
            Sink::SqliteFile(open) => {
                let import = match open {
                    Some(import) => import,
                    None => open.insert(Box::new(SqliteWriter::begin(self.db, !self.all_or_nothing, self.mode)?)),
                };
                import.write(batch).await
            }
        }
    }

    /// Commits what is uncommitted; returns what the last batches did.
    pub async fn commit(self) -> Result<WriteCounts, ApiError> {
        let counts = match self.sink {
            Sink::Transaction(Some(write)) => {
                write.commit().await?;
                WriteCounts::default()
            }
            Sink::SqliteFile(Some(import)) => import.commit().await?,
            Sink::Transaction(None) | Sink::SqliteFile(None) => WriteCounts::default(),
        };
        Ok(counts)
    }

    /// Ends the write; whatever is uncommitted is rolled back.
    pub async fn abandon(self) {
        if let Sink::SqliteFile(Some(import)) = self.sink {
            import.abandon().await;
        }
    }
}
