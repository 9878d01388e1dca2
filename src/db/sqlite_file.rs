//! A SQLite database file opened with rusqlite beside sqlx's pool, for what
//! sqlx makes slow: the hot reads (a timeline page, one event) and bulk
//! import (`store::sqlite_batch`), and the text forms in which sqlx stores
//! dates and times, so that either driver reads what the other wrote.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every
//! query, and every row of its result, across threads; on two cores that
//! hand-off, not SQLite, was most of what a page cost (see bench/README.md).
//! These reads run on the request's own thread instead, on a small pool of
//! read-only connections to the same file. A read is an index range scan
//! over pages SQLite or the OS has cached, so it blocks for microseconds,
//! like taking a lock. The statements are the same sea-query statements the
//! PostgreSQL path runs, rendered for SQLite.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{OpenFlags, Row, params_from_iter, types::Value as SqliteValue};
use sea_orm::DbErr;
use sea_orm::sea_query::{SelectStatement, SqliteQueryBuilder, Value};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

/// How long a connection waits for another's lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Idle connections kept; more are opened when more requests read at once.
const KEEP_IDLE: usize = 16;
/// How much of the database file a reader maps: all of it, up to 1 TiB
/// (the ceiling `.cargo/config.toml` builds SQLite with; it would stop at
/// 2 GiB otherwise). Mapped pages are the OS's page cache, shared by every
/// reader, and count in the process's RSS.
const MMAP_SIZE: i64 = 1 << 40;

/// How much a reader maps of a file of `file_bytes` (see `take`): nothing
/// when the file is larger than half the machine's memory. A fault on a
/// mapped page reads the pages around it too (the device's read-ahead: 8 MB
/// on this machine), so random reads over a file the page cache cannot
/// hold read megabytes a page: at 10M events (a 45 GB file, 24 GB of
/// memory) events by key were 366–768 req/s mapped, where read() served
/// 20,000 lookups a second (bench/README.md).
fn mmap_size(file_bytes: u64) -> i64 {
    match memory_bytes() {
        Some(memory) if file_bytes > memory / 2 => 0,
        _ => MMAP_SIZE,
    }
}

/// The machine's memory (Linux's `MemTotal`); none elsewhere.
fn memory_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|line| line.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

pub struct SqliteFile {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl SqliteFile {
    /// The file a `sqlite:` URL names; none for in-memory databases, which
    /// other connections cannot open.
    pub fn for_url(url: &str) -> Option<SqliteFile> {
        if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
            return None;
        }
        let options = sea_orm::sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
        Some(SqliteFile { path: options.get_filename().to_owned(), idle: Mutex::new(Vec::new()) })
    }

    /// Runs a select and maps each row.
    pub fn query<T>(
        &self,
        statement: &SelectStatement,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, DbErr> {
        let (sql, values) = statement.build(SqliteQueryBuilder);
        let params = values.iter().map(sqlite_value).collect::<Result<Vec<_>, _>>()?;
        let conn = self.take()?;
        let rows = conn
            .prepare_cached(&sql)
            .and_then(|mut prepared| prepared.query_map(params_from_iter(params), map)?.collect::<Result<Vec<T>, _>>())
            .map_err(sqlite_error);
        self.give_back(conn);
        rows
    }

    /// A read-write connection of its own, for bulk import: set up like
    /// sqlx's (foreign keys on, NORMAL sync; WAL is a property of the file,
    /// set when sqlx first opened it), with a 128 MiB page cache for the
    /// indexes an import updates all over (bench/README.md measured it).
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn open_writer(&self) -> Result<rusqlite::Connection, DbErr> {
        let conn = rusqlite::Connection::open(&self.path).map_err(sqlite_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite_error)?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072;")
            .map_err(sqlite_error)?;
        Ok(conn)
    }

    fn take(&self) -> Result<rusqlite::Connection, DbErr> {
        if let Some(conn) = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            return Ok(conn);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(&self.path, flags).map_err(sqlite_error)?;
        // A reader waits out a writer's checkpoint rather than failing.
        conn.busy_timeout(Duration::from_secs(10)).map_err(sqlite_error)?;
        conn.set_prepared_statement_cache_capacity(32);
        // Pages read straight from the mapped file, not copied out of the
        // OS's cache by a read() each: at 1M events, timeline pages 1,990 ->
        // 3,609 req/s and searches 1,230 -> 1,957 (bench/README.md). Decided
        // as a reader opens: one kept idle keeps its mapping.
        let file_bytes = std::fs::metadata(&self.path).map_or(0, |m| m.len());
        conn.pragma_update(None, "mmap_size", mmap_size(file_bytes)).map_err(sqlite_error)?;
        Ok(conn)
    }

    /// Closes the idle readers.
    pub fn close_idle(&self) {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn give_back(&self, conn: rusqlite::Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEEP_IDLE {
            idle.push(conn);
        }
    }
}

/// A sea-query value bound the way sqlx binds it, so both drivers compare
/// against the same stored text (dates as `YYYY-MM-DD`).
fn sqlite_value(value: &Value) -> Result<SqliteValue, DbErr> {
    Ok(match value {
        Value::Bool(v) => v.map_or(SqliteValue::Null, |b| SqliteValue::Integer(b.into())),
        Value::Int(v) => v.map_or(SqliteValue::Null, |n| SqliteValue::Integer(n.into())),
        Value::BigInt(v) => v.map_or(SqliteValue::Null, SqliteValue::Integer),
        Value::Double(v) => v.map_or(SqliteValue::Null, SqliteValue::Real),
        Value::BigUnsigned(v) => v.map_or(SqliteValue::Null, |n| SqliteValue::Integer(n as i64)),
        Value::String(v) => v.as_ref().map_or(SqliteValue::Null, |s| SqliteValue::Text(s.clone())),
        Value::ChronoDate(v) => v.map_or(SqliteValue::Null, |d| SqliteValue::Text(text_date(d))),
        other => return Err(DbErr::Custom(format!("no SQLite binding for {other:?}"))),
    })
}

pub fn sqlite_error(e: rusqlite::Error) -> DbErr {
    DbErr::Custom(format!("SQLite: {e}"))
}

/// Whether a write failed on a unique key, through either driver.
pub fn is_unique_violation(err: &DbErr) -> bool {
    match err {
        DbErr::Custom(message) => message.starts_with("SQLite: UNIQUE constraint failed"),
        other => matches!(other.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))),
    }
}

/// Blocks until no other process (or handle of this one) holds the
/// database file's exclusive section, then holds it until the returned
/// file is dropped. An `flock` on the database file itself: SQLite locks
/// with POSIX record locks, which on Linux are independent of `flock`, so
/// this never stands in SQLite's way.
pub fn exclusive_section(path: &Path) -> Result<std::fs::File, DbErr> {
    let file = std::fs::File::open(path).map_err(|e| DbErr::Custom(format!("{}: {e}", path.display())))?;
    file.lock().map_err(|e| DbErr::Custom(format!("locking {}: {e}", path.display())))?;
    Ok(file)
}

/// Holds the database file's exclusive section while a pool opens its
/// first connection, which turns a new file to WAL: SQLite does that
/// without waiting for another connection doing the same, so instances
/// opening one new file at once failed with `database is locked` (a test
/// starting four did, one run in three). Creates the file first when the
/// URL allows it (`mode=rwc`); none for a file that is not there.
pub fn opening_turn(path: &Path, may_create: bool) -> Result<Option<std::fs::File>, DbErr> {
    if may_create && !path.exists() {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| DbErr::Custom(format!("creating {}: {e}", path.display())))?;
    }
    if !path.exists() {
        return Ok(None);
    }
    exclusive_section(path).map(Some)
}

/// Whether a write lost a race with another: a unique key or a foreign key
/// that another write, made at the same time, took or removed.
pub fn is_constraint_violation(err: &DbErr) -> bool {
    is_unique_violation(err)
        || match err {
            DbErr::Custom(message) => message.starts_with("SQLite: FOREIGN KEY constraint failed"),
            other => matches!(other.sql_err(), Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))),
        }
}

/// Whether SQLite gave up waiting for another process's write lock.
pub fn is_busy(err: &DbErr) -> bool {
    let text = err.to_string();
    text.contains("database is locked") || text.contains("database is busy")
}

/// A date as sqlx stores it.
pub fn text_date(date: NaiveDate) -> String {
    date.format("%F").to_string()
}

/// A timestamp as sqlx stores it.
pub fn text_timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A stored timestamp, in either form sqlx has written.
pub fn timestamp(text: &str) -> Result<DateTime<Utc>, DbErr> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%F %T%.f%#z"))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|err| DbErr::Custom(format!("stored timestamp '{text}': {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_forms_read_back_as_written() {
        let at = DateTime::parse_from_rfc3339("2025-11-01T09:30:00.123Z").unwrap().with_timezone(&Utc);
        assert_eq!(timestamp(&text_timestamp(&at)).unwrap(), at);
        assert_eq!(timestamp("2025-11-01 09:30:00.123+00:00").unwrap(), at, "sqlx's own form");
        assert_eq!(text_date(NaiveDate::from_ymd_opt(2025, 1, 2).unwrap()), "2025-01-02");
        assert!(timestamp("yesterday").is_err());
    }

    #[test]
    fn a_unique_violation_is_known_as_one_from_rusqlite_too() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (k TEXT UNIQUE); INSERT INTO t VALUES ('a');").unwrap();
        let err = conn.execute("INSERT INTO t VALUES ('a')", []).map_err(sqlite_error).unwrap_err();
        assert!(is_unique_violation(&err), "{err}");
        let other = conn.execute("INSERT INTO nowhere VALUES (1)", []).map_err(sqlite_error).unwrap_err();
        assert!(!is_unique_violation(&other));
    }

    #[test]
    fn a_file_larger_than_half_the_memory_is_read_not_mapped() {
        match memory_bytes() {
            Some(memory) => {
                assert_eq!(mmap_size(memory / 2 + 1), 0);
                assert_eq!(mmap_size(memory / 4), MMAP_SIZE);
            }
            // Not Linux: mapped whatever its size, as before.
            None => assert_eq!(mmap_size(u64::MAX), MMAP_SIZE),
        }
    }
}
