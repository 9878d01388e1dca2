//! Connecting to SQLite or PostgreSQL, and the one gate that write
//! transactions pass through.

use crate::sqlite_file::SqliteFile;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, MutexGuard};

/// The database and a lock that serialises write transactions. SQLite allows
/// one writer at a time and fails a second one with SQLITE_BUSY rather than
/// queueing it; queueing writers here instead turns that into a short wait.
/// On PostgreSQL the same gate keeps concurrent upserts of one participant
/// or source from racing on their unique keys within this process.
pub struct Db {
    pub conn: DatabaseConnection,
    /// A SQLite file also opened directly, for hot reads and bulk writes.
    pub sqlite_file: Option<SqliteFile>,
    writer: Mutex<()>,
    /// The longest event span and when it was read: every windowed
    /// timeline needs it, and re-reading it once a second (rather than per
    /// request) still sees what another process, a `timeline import`, wrote.
    longest_span: std::sync::Mutex<Option<(i32, Instant)>>,
}

/// How long the longest span read from the database is trusted.
const SPAN_FRESHNESS: Duration = Duration::from_secs(1);

/// A write transaction holding the write gate until it ends.
pub struct WriteTxn<'a> {
    pub txn: DatabaseTransaction,
    db: &'a Db,
    _gate: MutexGuard<'a, ()>,
}

impl WriteTxn<'_> {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await?;
        self.db.forget_longest_span();
        Ok(())
    }
}

impl Db {
    pub async fn connect(url: &str) -> Result<Db, DbErr> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(false)
            .acquire_timeout(Duration::from_secs(10))
            // A ping on every checkout is a round trip (a thread hop on
            // SQLite) per query; only connections idle long enough to have
            // been dropped by a server or a firewall are checked.
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .max_connections(if url.starts_with("sqlite") { 8 } else { 16 })
            // WAL lets readers run beside the writer; NORMAL sync is durable
            // in WAL mode against process crashes, and busy_timeout covers
            // other processes (a `timeline import` beside the server).
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        let conn = Database::connect(options).await?;
        Ok(Db {
            conn,
            sqlite_file: SqliteFile::for_url(url),
            writer: Mutex::new(()),
            longest_span: std::sync::Mutex::new(None),
        })
    }

    /// Connects and brings the schema and seed up to date.
    pub async fn connect_and_migrate(url: &str) -> Result<Db, DbErr> {
        let db = Db::connect(url).await?;
        Migrator::up(&db.conn, None).await?;
        crate::store::render_missing_documents(&db).await.map_err(|e| match e {
            crate::error::ApiError::Database(e) => e,
            other => DbErr::Custom(other.to_string()),
        })?;
        Ok(db)
    }

    /// The longest span of any event, in days (see `longest_span`).
    pub async fn longest_span(&self) -> Result<i32, DbErr> {
        if let Some((span, read)) = *self.longest_span.lock().unwrap_or_else(|e| e.into_inner())
            && read.elapsed() < SPAN_FRESHNESS
        {
            return Ok(span);
        }
        let span = crate::queries::longest_span(&self.conn).await?;
        *self.longest_span.lock().unwrap_or_else(|e| e.into_inner()) = Some((span, Instant::now()));
        Ok(span)
    }

    /// Writes in this process are seen at once: a committed write forgets
    /// the cached span.
    pub fn forget_longest_span(&self) {
        *self.longest_span.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Held by whoever writes; see `Db`.
    pub async fn write_gate(&self) -> MutexGuard<'_, ()> {
        self.writer.lock().await
    }

    pub async fn begin_write(&self) -> Result<WriteTxn<'_>, DbErr> {
        let gate = self.write_gate().await;
        let txn = self.conn.begin().await?;
        Ok(WriteTxn { txn, db: self, _gate: gate })
    }
}
