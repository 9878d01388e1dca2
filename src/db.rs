//! Connecting to SQLite or PostgreSQL, and the one gate that write
//! transactions pass through.

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

/// The database and a lock that serialises write transactions. SQLite allows
/// one writer at a time and fails a second one with SQLITE_BUSY rather than
/// queueing it; queueing writers here instead turns that into a short wait.
/// On PostgreSQL the same gate keeps concurrent upserts of one participant
/// or source from racing on their unique keys within this process.
pub struct Db {
    pub conn: DatabaseConnection,
    writer: Mutex<()>,
}

/// A write transaction holding the write gate until it ends.
pub struct WriteTxn<'a> {
    pub txn: DatabaseTransaction,
    _gate: MutexGuard<'a, ()>,
}

impl WriteTxn<'_> {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

impl Db {
    pub async fn connect(url: &str) -> Result<Db, DbErr> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(false)
            .acquire_timeout(Duration::from_secs(10))
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
        Ok(Db { conn, writer: Mutex::new(()) })
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

    pub async fn begin_write(&self) -> Result<WriteTxn<'_>, DbErr> {
        let gate = self.writer.lock().await;
        let txn = self.conn.begin().await?;
        Ok(WriteTxn { txn, _gate: gate })
    }
}
