//! The database handle: the backend, decided once when connecting, and the
//! one gate that write transactions pass through. Everything above asks the
//! read and write modules, never which database this is.

mod pg_load;
mod pg_reads;
mod rows;
mod sqlite_file;

pub use pg_load::LoadConnection;
pub use rows::{Columns, fetch_all, fetch_optional};
pub use sqlite_file::{
    BUSY_TIMEOUT, SqliteFile, is_constraint_violation, is_unique_violation, sqlite_error, text_date, text_timestamp,
    timestamp,
};

use pg_reads::PgReads;
use sea_orm::sqlx::postgres::PgSslMode;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode,
    Statement, TransactionOptions, TransactionTrait,
};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, MutexGuard};

/// Whether a PostgreSQL URL reaches a server on this machine (a loopback
/// address, `localhost` or a Unix socket) and says nothing of TLS, neither
/// in an `sslmode` of its own nor in `PGSSLMODE` (`ssl_mode_set`): then
/// the connection is plain. sqlx, like libpq, tries TLS first whenever the
/// server offers it, as Debian's does with a self-signed certificate, and
/// on loopback that encrypts what never leaves the machine: serving a
/// timeline page took 22 % more of the service's CPU and 15 % more of
/// PostgreSQL's (bench/README.md). A URL that asks for TLS gets it.
fn plain_on_this_machine(url: &str, ssl_mode_set: bool) -> bool {
    let Ok(parsed) = url::Url::parse(url) else { return false };
    if !matches!(parsed.scheme(), "postgres" | "postgresql") || ssl_mode_set {
        return false;
    }
    let mut socket = false;
    for (key, value) in parsed.query_pairs() {
        match key.as_ref() {
            "sslmode" | "ssl-mode" => return false,
            "host" => socket = value.starts_with('/'),
            _ => {}
        }
    }
    socket
        || match parsed.host() {
            None => true,
            // Outside http(s), the url crate leaves an IPv4 address as a name.
            Some(url::Host::Domain(name)) => {
                name.is_empty()
                    || name.eq_ignore_ascii_case("localhost")
                    || name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
            }
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        }
}

/// How long a request waits for a connection before it is told the
/// database is unavailable (503): when PostgreSQL is down, every attempt to
/// connect fails, and the pool retries until this runs out.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// A connection idle this long is pinged before it is used again: one a
/// server or a firewall may have dropped. A ping on every checkout is a
/// round trip per query (a thread hop on SQLite).
const IDLE_CHECK: Duration = Duration::from_secs(30);

/// Connections to PostgreSQL of each pool: SeaORM's, and that of reads
/// (`PgReads`).
const PG_CONNECTIONS: u32 = 16;

/// Whether `err` says the database cannot be reached now (down, restarting,
/// refusing connections, every connection busy past `ACQUIRE_TIMEOUT`, or
/// a SQLite file another process kept locked past its busy timeout),
/// rather than that a statement failed: the request may be retried.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    if sqlite_file::is_busy(err) {
        return true;
    }
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx.as_ref() {
        sea_orm::sqlx::Error::Io(_)
        | sea_orm::sqlx::Error::Tls(_)
        | sea_orm::sqlx::Error::PoolTimedOut
        | sea_orm::sqlx::Error::PoolClosed
        | sea_orm::sqlx::Error::WorkerCrashed => true,
        // 53300: too many connections.
        sea_orm::sqlx::Error::Database(db) => {
            db.code().is_some_and(|code| is_connection_lost(&code) || code == "53300")
        }
        _ => false,
    }
}

/// Whether a PostgreSQL SQLSTATE says the connection is gone, not that a
/// statement failed: 08, connection exceptions; 57P01-03, the server
/// shutting down or starting.
pub(crate) fn is_connection_lost(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("57P")
}

/// Which database, and how it is reached.
pub enum Backend {
    /// A SQLite file: hot reads and bulk import through rusqlite (see
    /// `sqlite_file.rs`), the rest through SeaORM.
    SqliteFile(SqliteFile),
    /// SQLite in memory: only SeaORM's own connections can see it.
    SqliteMemory,
    /// PostgreSQL: reads through `PgReads`, the rest through SeaORM.
    PostgreSql(PgReads),
}

/// The database and a lock that serialises write transactions. SQLite allows
/// one writer at a time and fails a second one with SQLITE_BUSY rather than
/// queueing it; queueing writers here instead turns that into a short wait.
/// On PostgreSQL the same gate keeps concurrent upserts of one participant
/// or source from racing on their unique keys within this process.
pub struct Db {
    conn: DatabaseConnection,
    backend: Backend,
    writer: Mutex<()>,
    /// The longest span of any event, kept by the timeline reads.
    pub(crate) longest_span: Freshness<i32>,
}

/// Run by every write transaction: a streamed export's tag is made from the
/// version, so it changes whenever any data does (see the migration
/// `m20261202_000001_data_version`).
pub(crate) const BUMP_DATA_VERSION: &str = "UPDATE data_version SET version = version + 1 WHERE id = 1";

/// See `Db::exclusive_section`; dropping it, or `release`, ends it.
pub enum ExclusiveSection {
    Postgres(DatabaseTransaction),
    File(std::fs::File),
    None,
}

impl ExclusiveSection {
    pub async fn release(self) -> Result<(), DbErr> {
        match self {
            ExclusiveSection::Postgres(txn) => txn.commit().await,
            ExclusiveSection::File(_) | ExclusiveSection::None => Ok(()),
        }
    }
}

/// A write transaction holding the write gate until it ends.
pub struct WriteTxn<'a> {
    pub txn: DatabaseTransaction,
    db: &'a Db,
    _gate: MutexGuard<'a, ()>,
}

impl WriteTxn<'_> {
    pub async fn commit(self) -> Result<(), DbErr> {
        // Last, so that on PostgreSQL the row is locked only while committing.
        self.txn.execute_unprepared(BUMP_DATA_VERSION).await?;
        self.txn.commit().await?;
        self.db.written();
        Ok(())
    }
}

impl Db {
    pub async fn connect(url: &str) -> Result<Db, DbErr> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(false)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire_if_idle_for(IDLE_CHECK)
            .max_connections(if url.starts_with("sqlite") { 8 } else { PG_CONNECTIONS })
            // On PostgreSQL a running server keeps a session open, however
            // idle, so that `timeline import` sees it and does not make a
            // first load, whose locks its reads would wait for.
            .min_connections(if url.starts_with("sqlite") { 0 } else { 1 })
            // WAL lets readers run beside the writer; NORMAL sync is durable
            // in WAL mode against process crashes, and busy_timeout covers
            // other processes (a `timeline import` beside the server).
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        if plain_on_this_machine(url, std::env::var_os("PGSSLMODE").is_some()) {
            options.map_sqlx_postgres_opts(|o| o.ssl_mode(PgSslMode::Disable));
        }
        let turn = match SqliteFile::for_url(url) {
            Some(file) => {
                let (path, may_create) = (file.path().to_owned(), url.contains("mode=rwc"));
                tokio::task::spawn_blocking(move || sqlite_file::opening_turn(&path, may_create))
                    .await
                    .map_err(|e| DbErr::Custom(format!("waiting for the lock: {e}")))??
            }
            None => None,
        };
        let conn = Database::connect(options).await?;
        drop(turn);
        let backend = match conn.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                // The reads connect as SeaORM's pool does (TLS, logging).
                let reads = conn.get_postgres_connection_pool().connect_options().as_ref().clone();
                Backend::PostgreSql(PgReads::new(reads, PG_CONNECTIONS as usize, ACQUIRE_TIMEOUT, IDLE_CHECK))
            }
            _ => SqliteFile::for_url(url).map_or(Backend::SqliteMemory, Backend::SqliteFile),
        };
        Ok(Db { conn, backend, writer: Mutex::new(()), longest_span: Freshness::default() })
    }

    /// The SeaORM connection, for statements every backend runs alike.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn is_sqlite_file(&self) -> bool {
        matches!(self.backend, Backend::SqliteFile(_))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::PostgreSql(_))
    }

    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Closes the pool; a SQLite file is checkpointed first, so that it is
    /// whole without its `-wal` file once the process is gone.
    pub async fn close(&self) -> Result<(), DbErr> {
        if let Backend::SqliteFile(_) = self.backend {
            self.conn.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await?;
        }
        self.let_go().await
    }

    /// Closes every connection this process holds, without waiting for a
    /// checkpoint, so that another may have a SQLite file to itself.
    pub async fn let_go(&self) -> Result<(), DbErr> {
        match &self.backend {
            Backend::SqliteFile(file) => file.close_idle(),
            Backend::PostgreSql(reads) => reads.close(),
            Backend::SqliteMemory => {}
        }
        self.conn.close_by_ref().await
    }

    /// Connections of the pools in use, and idle.
    pub fn pool_use(&self) -> (u32, usize) {
        let (size, idle) = match &self.backend {
            Backend::PostgreSql(reads) => {
                let pool = self.conn.get_postgres_connection_pool();
                let (read_size, read_idle) = reads.status();
                (pool.size() + read_size as u32, pool.num_idle() + read_idle)
            }
            Backend::SqliteFile(_) | Backend::SqliteMemory => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        (size.saturating_sub(idle as u32), idle)
    }

    /// Held by whoever writes; see `Db`.
    pub async fn write_gate(&self) -> MutexGuard<'_, ()> {
        self.writer.lock().await
    }

    pub async fn begin_write(&self) -> Result<WriteTxn<'_>, DbErr> {
        let gate = self.write_gate().await;
        // On SQLite, take the write lock at BEGIN, where busy_timeout makes
        // a writer in another process a wait. A deferred transaction that
        // reads first fails at once with SQLITE_BUSY when it then writes
        // after another connection's commit.
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        let txn = self.conn.begin_with_options(options).await?;
        Ok(WriteTxn { txn, db: self, _gate: gate })
    }

    /// A write committed: what was read before it may be stale.
    pub fn written(&self) {
        self.longest_span.forget();
    }

    /// Held while migrating, so that instances started together migrate
    /// one after another and the later ones find nothing left to do. On
    /// PostgreSQL, a transaction-scoped advisory lock on a connection of
    /// its own (the migrations run on others); on a SQLite file, an `flock`
    /// of the file; in memory, nothing can share the database.
    pub async fn exclusive_section(&self) -> Result<ExclusiveSection, DbErr> {
        match &self.backend {
            Backend::PostgreSql(_) => {
                let txn = self.conn.begin().await?;
                // Any constant: it only has to be the same in every instance.
                txn.execute_unprepared("SELECT pg_advisory_xact_lock(7137804213)").await?;
                Ok(ExclusiveSection::Postgres(txn))
            }
            Backend::SqliteFile(file) => {
                let path = file.path().to_owned();
                let held = tokio::task::spawn_blocking(move || sqlite_file::exclusive_section(&path))
                    .await
                    .map_err(|e| DbErr::Custom(format!("waiting for the lock: {e}")))??;
                Ok(ExclusiveSection::File(held))
            }
            Backend::SqliteMemory => Ok(ExclusiveSection::None),
        }
    }

    /// What data the database holds: its epoch and version (see
    /// `BUMP_DATA_VERSION`). Two reads give the same pair only if no write
    /// was committed between them.
    pub async fn data_version(&self) -> Result<(i64, i64), DbErr> {
        let statement = Statement::from_string(
            self.conn.get_database_backend(),
            "SELECT epoch, version FROM data_version WHERE id = 1",
        );
        let row =
            self.conn.query_one_raw(statement).await?.ok_or_else(|| DbErr::RecordNotFound("data_version".into()))?;
        Ok((row.try_get("", "epoch")?, row.try_get("", "version")?))
    }

    /// Whether this is a PostgreSQL standby replaying a primary's WAL.
    pub async fn in_recovery(&self) -> Result<bool, DbErr> {
        let statement = Statement::from_string(self.conn.get_database_backend(), "SELECT pg_is_in_recovery() AS r");
        let row = self.conn.query_one_raw(statement).await?.ok_or_else(|| DbErr::RecordNotFound("recovery".into()))?;
        row.try_get("", "r")
    }

    /// Marks every data as changed, for changes made outside the write path
    /// (a migration step).
    pub async fn bump_data_version(&self) -> Result<(), DbErr> {
        self.conn.execute_unprepared(BUMP_DATA_VERSION).await?;
        self.written();
        Ok(())
    }

    /// After a bulk load: the planner's statistics, which PostgreSQL
    /// otherwise keeps from the empty tables it last analysed, and on
    /// PostgreSQL the visibility map, without which an index-only scan
    /// visits the table for every row. At 100,000 events it takes 2.3 s
    /// and made a country's partners 15× faster (bench/README.md). On
    /// SQLite, the search index's segments merged into one, so that a
    /// search walks one b-tree per word rather than one per segment (a
    /// million events: 16 segments, 5 s to merge, searches a third faster).
    pub async fn refresh_statistics(&self) -> Result<(), DbErr> {
        let statements: &[&str] = match self.backend {
            Backend::PostgreSql(_) => &["VACUUM (ANALYZE)"],
            Backend::SqliteFile(_) | Backend::SqliteMemory => {
                &["PRAGMA optimize", "INSERT INTO event_search (event_search) VALUES ('optimize')"]
            }
        };
        for statement in statements {
            self.conn.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    /// After an import that wrote `written` events: `refresh_statistics`
    /// when they are at least half of the events, and otherwise only the
    /// planner's statistics. After changes spread over a large database,
    /// `VACUUM` scans every index of each table they touched, and merging
    /// the search index's segments rewrites all of it: VACUUM took 28.6 s
    /// of an import of 20,000 changed events into a million
    /// (bench/README.md). Autovacuum and FTS5's own merging catch up as
    /// they go. Where autovacuum is off, nothing else would vacuum, so the
    /// import vacuums the tables autovacuum would have: those whose dead or
    /// newly inserted rows passed the server's own autovacuum thresholds.
    pub async fn refresh_after_import(&self, written: u64) -> Result<(), DbErr> {
        let sql = match self.backend {
            Backend::PostgreSql(_) => {
                "SELECT (SELECT COALESCE(MAX(id), 0) FROM events) AS n, current_setting('autovacuum') = 'on' AS kept"
            }
            Backend::SqliteFile(_) | Backend::SqliteMemory => {
                "SELECT (SELECT COALESCE(MAX(id), 0) FROM events) AS n, 1 AS kept"
            }
        };
        let backend = self.conn.get_database_backend();
        let row = self.conn.query_one_raw(Statement::from_string(backend, sql)).await?;
        let (events, kept): (i64, bool) = match row {
            Some(row) => (row.try_get("", "n")?, row.try_get("", "kept")?),
            None => (0, false),
        };
        if written.saturating_mul(2) >= events.unsigned_abs() {
            return self.refresh_statistics().await;
        }
        if !kept {
            let due = self.conn.query_all_raw(Statement::from_string(backend, TABLES_AUTOVACUUM_WOULD_VACUUM)).await?;
            let tables = due.iter().map(|row| row.try_get("", "name")).collect::<Result<Vec<String>, _>>()?;
            if !tables.is_empty() {
                self.conn.execute_unprepared(&format!("VACUUM {}", tables.join(", "))).await?;
            }
        }
        let analyze = match self.backend {
            Backend::PostgreSql(_) => "ANALYZE",
            Backend::SqliteFile(_) | Backend::SqliteMemory => "PRAGMA optimize",
        };
        self.conn.execute_unprepared(analyze).await?;
        Ok(())
    }
}

/// The tables of the current schema that autovacuum would vacuum now: dead
/// rows, or rows inserted since the last vacuum, above the server's
/// thresholds (a fixed number plus a fraction of the table's rows; the
/// defaults are 50 + 20 % and 1,000 + 20 %). Tables' own storage settings
/// for autovacuum are not read.
const TABLES_AUTOVACUUM_WOULD_VACUUM: &str = "SELECT quote_ident(s.relname) AS name \
     FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid \
     WHERE s.schemaname = current_schema() AND ( \
       s.n_dead_tup > current_setting('autovacuum_vacuum_threshold')::float8 \
         + current_setting('autovacuum_vacuum_scale_factor')::float8 * GREATEST(c.reltuples, 0) \
       OR s.n_ins_since_vacuum > current_setting('autovacuum_vacuum_insert_threshold')::float8 \
         + current_setting('autovacuum_vacuum_insert_scale_factor')::float8 * GREATEST(c.reltuples, 0)) \
     ORDER BY s.relname";

/// A value read from the database and trusted for a second: re-reading it
/// once a second, rather than per request, still sees what another process
/// (a `timeline import`) wrote, and writes in this process forget it at once.
pub(crate) struct Freshness<T> {
    value: std::sync::Mutex<Option<(T, Instant)>>,
}

impl<T> Default for Freshness<T> {
    fn default() -> Self {
        Freshness { value: std::sync::Mutex::new(None) }
    }
}

impl<T: Copy> Freshness<T> {
    const TRUSTED_FOR: Duration = Duration::from_secs(1);

    pub fn get(&self) -> Option<T> {
        let value = self.value.lock().unwrap_or_else(|e| e.into_inner());
        value.filter(|(_, read)| read.elapsed() < Self::TRUSTED_FOR).map(|(v, _)| v)
    }

    pub fn set(&self, v: T) {
        *self.value.lock().unwrap_or_else(|e| e.into_inner()) = Some((v, Instant::now()));
    }

    pub fn forget(&self) {
        *self.value.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

#[cfg(test)]
mod tests {
    use super::plain_on_this_machine;

    #[test]
    fn postgresql_on_this_machine_is_plain_unless_tls_is_asked_for() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/test",
            "postgresql://u:p@localhost/db",
            "postgres://[::1]:5432/db",
            "postgres:///db?host=/var/run/postgresql",
        ] {
            assert!(plain_on_this_machine(url, false), "{url}");
            assert!(!plain_on_this_machine(url, true), "{url} with PGSSLMODE set");
        }
        for url in [
            "postgres://postgres@127.0.0.1:5432/test?sslmode=require",
            "postgres://db.example.org/db",
            "postgres://10.0.0.5/db",
            "sqlite://timeline.db?mode=rwc",
            "not a url",
        ] {
            assert!(!plain_on_this_machine(url, false), "{url}");
        }
    }
}
