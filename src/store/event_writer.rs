//! Writing events: batches written as they come (one event for an API
//! write, thousands for an import), each committed as it goes or all of
//! them at once, through the fastest statements the backend has.

use super::batch::{Mode, WriteCounts};
use super::events::{write_batch, write_events};
use super::pg_batch::PgBatch;
use super::pg_first_load::PgFirstLoad;
use super::sqlite_writer::SqliteWriter;
use crate::db::{BUMP_DATA_VERSION, Backend, Db, LoadConnection, WriteTxn};
use crate::domain::NewEvent;
use crate::error::ApiError;
use sea_orm::ConnectionTrait;
use tokio::sync::MutexGuard;

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
    /// A first load into PostgreSQL (`pg_first_load.rs`): one transaction,
    /// on a connection of its own, with the write gate held.
    PgFirstLoad(LoadConnection, Box<PgFirstLoad>, MutexGuard<'a, ()>),
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
            Backend::SqliteMemory | Backend::PostgreSql(_) => Sink::Transaction(None),
        };
        EventWriter { db, all_or_nothing, mode, sink }
    }

    /// A first load (`SqliteWriter::first_load`, `PgFirstLoad`): every
    /// batch in one transaction, committed by `commit`. None where one
    /// cannot be made. This process's other connections have to be closed
    /// first: a SQLite file's pool, or on PostgreSQL every connection but
    /// the one `db` opens for the load.
    pub async fn first_load(db: &'a Db, mode: Mode) -> Result<Option<EventWriter<'a>>, ApiError> {
        let sink = match db.backend() {
            Backend::SqliteFile(_) => SqliteWriter::first_load(db, mode)?.map(|w| Sink::SqliteFile(Some(Box::new(w)))),
            Backend::PostgreSql(_) => {
                let gate = db.write_gate().await;
                let conn = LoadConnection::take(db.conn().get_postgres_connection_pool()).await?;
                conn.execute_unprepared("BEGIN").await?;
                // Dropped when there is none, the connection is closed and
                // the transaction rolled back.
                PgFirstLoad::begin(&conn).await?.map(|load| Sink::PgFirstLoad(conn, Box::new(load), gate))
            }
            Backend::SqliteMemory => None,
        };
        Ok(sink.map(|sink| EventWriter { db, all_or_nothing: true, mode, sink }))
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
            Sink::PgFirstLoad(conn, load, _) => {
                write_batch(&mut PgBatch::first_load(conn, load), batch, self.mode).await
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

    /// Whether a batch is written on a thread of the writer's own while
    /// the caller goes on (a SQLite file, `SqliteWriter`).
    pub fn writes_behind(&self) -> bool {
        matches!(self.sink, Sink::SqliteFile(_))
    }

    /// Commits what is uncommitted; returns what the last batches did.
    pub async fn commit(self) -> Result<WriteCounts, ApiError> {
        let counts = match self.sink {
            Sink::Transaction(Some(write)) => {
                write.commit().await?;
                WriteCounts::default()
            }
            Sink::PgFirstLoad(conn, load, gate) => {
                load.end(&conn).await?;
                conn.execute_unprepared(BUMP_DATA_VERSION).await?;
                conn.execute_unprepared("COMMIT").await?;
                drop((conn, gate));
                self.db.written();
                // What any large import does after it commits.
                self.db.refresh_statistics().await?;
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
