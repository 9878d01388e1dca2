//! `BatchStore` on a rusqlite connection, for bulk import into SQLite.
//!
//! Through sqlx every statement crosses to the connection's thread and back,
//! and a multi-row INSERT is built, bound and parsed anew each time: about
//! 5 µs a row. Here each statement is prepared once and stepped per row on
//! the importing thread, about 1 µs a row (bench/README.md has the figures).
//! Values are stored in the text forms sqlx stores, so either driver reads
//! what the other wrote.

use super::batch_store::{BatchStore, Stored};
use super::events::{Links, write_batch};
use super::{Mode, WriteCounts};
use crate::db::Db;
use crate::error::ApiError;
use crate::validate::NewEvent;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use entity::{event, participant, source};
use futures_util::FutureExt;
use rusqlite::{Connection, OptionalExtension, Row, ToSql, params};
use sea_orm::DbErr;
use std::collections::HashMap;
use tokio::sync::MutexGuard;
use tokio::task::JoinHandle;

pub(crate) struct SqliteBatch<'c>(pub &'c Connection);

impl BatchStore for SqliteBatch<'_> {
    async fn stored_events(&mut self, keys: &[String]) -> Result<HashMap<String, Stored>, DbErr> {
        let mut find =
            self.0.prepare_cached("SELECT id, content_hash, created_at FROM events WHERE key = ?1").map_err(e)?;
        let mut stored = HashMap::new();
        for key in keys {
            let row = find
                .query_row([key], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
                .optional()
                .map_err(e)?;
            if let Some((id, content_hash, created_at)) = row {
                stored.insert(key.clone(), Stored { id, content_hash, created_at: timestamp(&created_at)? });
            }
        }
        Ok(stored)
    }

    async fn participants_by_id(&mut self, ids: &[i64]) -> Result<Vec<participant::Model>, DbErr> {
        self.lookup("SELECT id, kind, name, country, identity FROM participants WHERE id = ?1", ids, participant_row)
    }

    async fn participants_by_identity(&mut self, identities: &[String]) -> Result<Vec<participant::Model>, DbErr> {
        let sql = "SELECT id, kind, name, country, identity FROM participants WHERE identity = ?1";
        self.lookup(sql, identities, participant_row)
    }

    async fn insert_participants(&mut self, rows: Vec<participant::Model>) -> Result<Vec<participant::Model>, DbErr> {
        let mut insert = self
            .0
            .prepare_cached("INSERT INTO participants (kind, name, country, identity) VALUES (?1, ?2, ?3, ?4)")
            .map_err(e)?;
        let mut created = Vec::with_capacity(rows.len());
        for mut row in rows {
            row.id = insert.insert(params![row.kind, row.name, row.country, row.identity]).map_err(e)?;
            created.push(row);
        }
        Ok(created)
    }

    async fn sources_by_id(&mut self, ids: &[i64]) -> Result<Vec<source::Model>, DbErr> {
        let sql = "SELECT id, url, title, publisher, published_at, language FROM sources WHERE id = ?1";
        self.lookup(sql, ids, source_row)
    }

    async fn sources_by_url(&mut self, urls: &[String]) -> Result<Vec<source::Model>, DbErr> {
        let sql = "SELECT id, url, title, publisher, published_at, language FROM sources WHERE url = ?1";
        self.lookup(sql, urls, source_row)
    }

    async fn insert_sources(&mut self, rows: Vec<source::Model>) -> Result<Vec<source::Model>, DbErr> {
        let mut insert = self
            .0
            .prepare_cached(
                "INSERT INTO sources (url, title, publisher, published_at, language) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(e)?;
        let mut created = Vec::with_capacity(rows.len());
        for mut row in rows {
            let published = row.published_at.as_ref().map(text_timestamp);
            row.id = insert.insert(params![row.url, row.title, row.publisher, published, row.language]).map_err(e)?;
            created.push(row);
        }
        Ok(created)
    }

    async fn update_event(&mut self, row: &event::Model) -> Result<(), DbErr> {
        let mut update = self
            .0
            .prepare_cached(
                "UPDATE events SET key = ?1, kind = ?2, title = ?3, summary = ?4, start_date = ?5, end_date = ?6, \
                 last_day = ?7, span_days = ?8, date_precision = ?9, location_name = ?10, location_country = ?11, \
                 lat = ?12, lon = ?13, content_hash = ?14, document = ?15, updated_at = ?16 WHERE id = ?17",
            )
            .map_err(e)?;
        with_event_columns(row, [&text_timestamp(&row.updated_at), &row.id], |params| update.execute(params))
            .map_err(e)?;
        Ok(())
    }

    async fn insert_events(&mut self, rows: Vec<event::Model>) -> Result<Vec<i64>, DbErr> {
        let mut insert = self
            .0
            .prepare_cached(
                "INSERT INTO events (key, kind, title, summary, start_date, end_date, last_day, span_days, \
                 date_precision, location_name, location_country, lat, lon, content_hash, document, created_at, \
                 updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )
            .map_err(e)?;
        let mut ids = Vec::with_capacity(rows.len());
        for row in &rows {
            let times: [&dyn ToSql; 2] = [&text_timestamp(&row.created_at), &text_timestamp(&row.updated_at)];
            ids.push(with_event_columns(row, times, |params| insert.insert(params)).map_err(e)?);
        }
        Ok(ids)
    }

    async fn delete_links(&mut self, event_ids: &[i64]) -> Result<(), DbErr> {
        for table in ["event_participants", "event_sources", "event_tags", "event_countries"] {
            let mut delete = self.0.prepare_cached(&format!("DELETE FROM {table} WHERE event_id = ?1")).map_err(e)?;
            for id in event_ids {
                delete.execute([id]).map_err(e)?;
            }
        }
        Ok(())
    }

    async fn insert_links(&mut self, links: Links) -> Result<(), DbErr> {
        let mut insert = self
            .0
            .prepare_cached(
                "INSERT INTO event_participants (event_id, position, participant_id, role) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(e)?;
        for r in &links.participants {
            insert.execute(params![r.event_id, r.position, r.participant_id, r.role]).map_err(e)?;
        }
        let mut insert = self
            .0
            .prepare_cached("INSERT INTO event_sources (event_id, position, source_id) VALUES (?1, ?2, ?3)")
            .map_err(e)?;
        for r in &links.sources {
            insert.execute(params![r.event_id, r.position, r.source_id]).map_err(e)?;
        }
        let mut insert =
            self.0.prepare_cached("INSERT INTO event_tags (event_id, position, tag) VALUES (?1, ?2, ?3)").map_err(e)?;
        for r in &links.tags {
            insert.execute(params![r.event_id, r.position, r.tag]).map_err(e)?;
        }
        let mut insert = self
            .0
            .prepare_cached(
                "INSERT INTO event_countries (country, start_date, event_id, last_day) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(e)?;
        for r in &links.countries {
            insert
                .execute(params![r.country, text_date(r.start_date), r.event_id, text_date(r.last_day)])
                .map_err(e)?;
        }
        Ok(())
    }
}

impl SqliteBatch<'_> {
    /// One indexed point lookup per key, with one prepared statement.
    fn lookup<K: rusqlite::ToSql, T>(
        &self,
        sql: &str,
        keys: &[K],
        map: fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, DbErr> {
        let mut find = self.0.prepare_cached(sql).map_err(e)?;
        let mut found = Vec::new();
        for key in keys {
            if let Some(row) = find.query_row([key], map).optional().map_err(e)? {
                found.push(row);
            }
        }
        Ok(found)
    }
}

/// Runs `statement` with an event's columns bound as ?1..?15 (those an
/// insert and an update both write, in the order of their SQL) and `last`
/// as ?16 and ?17.
fn with_event_columns<T>(
    row: &event::Model,
    last: [&dyn ToSql; 2],
    statement: impl FnOnce(&[&dyn ToSql]) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let (start, end, last_day) = (text_date(row.start_date), row.end_date.map(text_date), text_date(row.last_day));
    let columns: [&dyn ToSql; 17] = [
        &row.key,
        &row.kind,
        &row.title,
        &row.summary,
        &start,
        &end,
        &last_day,
        &row.span_days,
        &row.date_precision,
        &row.location_name,
        &row.location_country,
        &row.lat,
        &row.lon,
        &row.content_hash,
        &row.document,
        last[0],
        last[1],
    ];
    statement(&columns)
}

fn participant_row(r: &Row<'_>) -> rusqlite::Result<participant::Model> {
    Ok(participant::Model { id: r.get(0)?, kind: r.get(1)?, name: r.get(2)?, country: r.get(3)?, identity: r.get(4)? })
}

fn source_row(r: &Row<'_>) -> rusqlite::Result<source::Model> {
    let published: Option<String> = r.get(4)?;
    let published_at = published
        .map(|t| {
            timestamp(&t).map_err(|err| {
                rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, err.to_string().into())
            })
        })
        .transpose()?;
    Ok(source::Model {
        id: r.get(0)?,
        url: r.get(1)?,
        title: r.get(2)?,
        publisher: r.get(3)?,
        published_at,
        language: r.get(5)?,
    })
}

/// Dates as sqlx stores them.
fn text_date(date: NaiveDate) -> String {
    date.format("%F").to_string()
}

/// Timestamps as sqlx stores them.
fn text_timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

fn timestamp(text: &str) -> Result<DateTime<Utc>, DbErr> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%F %T%.f%#z"))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|err| DbErr::Custom(format!("stored timestamp '{text}': {err}")))
}

fn e(err: rusqlite::Error) -> DbErr {
    DbErr::Custom(format!("SQLite: {err}"))
}

/// Batches per transaction when an import commits as it goes. A commit
/// writes every page its transaction changed, and an import's index inserts
/// change pages all over the file, so fewer, larger transactions write each
/// page fewer times (300,000 events: 30 s committing every batch, 21 s
/// every 10), while other writers still get a turn every few seconds.
const BATCHES_PER_COMMIT: u64 = 10;

/// A bulk import into a SQLite file. Each batch is written with rusqlite on
/// a blocking thread while the importer reads the next one, so parsing and
/// writing use both cores. Batches commit as they go (`commit_as_it_goes`,
/// every `BATCHES_PER_COMMIT`) or all together at `commit`; dropping the
/// connection uncommitted rolls back.
pub struct SqliteImport<'a> {
    db: &'a Db,
    commit_as_it_goes: bool,
    /// Away on the writing thread while a batch is in flight.
    conn: Option<Connection>,
    in_flight: Option<JoinHandle<(Connection, Result<WriteCounts, ApiError>)>>,
    batches: u64,
    /// The write gate, held while a transaction is open.
    gate: Option<MutexGuard<'a, ()>>,
}

impl<'a> SqliteImport<'a> {
    pub async fn begin(db: &'a Db, commit_as_it_goes: bool) -> Result<SqliteImport<'a>, ApiError> {
        let file = db.sqlite_file.as_ref().ok_or_else(|| DbErr::Custom("not a SQLite file".into()))?;
        let conn = file.open_writer()?;
        Ok(SqliteImport { db, commit_as_it_goes, conn: Some(conn), in_flight: None, gate: None, batches: 0 })
    }

    /// Starts writing `batch`; returns what the batch before it did.
    pub async fn write(&mut self, batch: Vec<NewEvent>) -> Result<WriteCounts, ApiError> {
        let previous = self.settle().await?;
        if self.gate.is_none() {
            self.gate = Some(self.db.write_gate().await);
        }
        let conn = self.conn.take().ok_or_else(|| DbErr::Custom("the import's connection was lost".into()))?;
        self.batches += 1;
        let commit = self.commit_as_it_goes && self.batches.is_multiple_of(BATCHES_PER_COMMIT);
        self.in_flight = Some(tokio::task::spawn_blocking(move || {
            let result = write_in_transaction(&conn, batch, commit);
            (conn, result)
        }));
        Ok(previous)
    }

    /// Waits for the last batch and commits; returns what that batch did.
    pub async fn commit(mut self) -> Result<WriteCounts, ApiError> {
        let counts = self.settle().await?;
        if let Some(conn) = &self.conn
            && !conn.is_autocommit()
        {
            conn.execute_batch("COMMIT").map_err(e)?;
        }
        self.db.forget_longest_span();
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
        let (conn, result) = task.await.map_err(|err| DbErr::Custom(format!("the import's writer failed: {err}")))?;
        if conn.is_autocommit() {
            // The batch committed: other writers may go.
            self.gate = None;
            self.db.forget_longest_span();
        }
        self.conn = Some(conn);
        result
    }
}

fn write_in_transaction(conn: &Connection, batch: Vec<NewEvent>, commit: bool) -> Result<WriteCounts, ApiError> {
    if conn.is_autocommit() {
        conn.execute_batch("BEGIN IMMEDIATE").map_err(e)?;
    }
    // Nothing in `SqliteBatch` waits, so the write completes in one poll.
    let written = write_batch(&mut SqliteBatch(conn), batch, Mode::CreateOrReplace)
        .now_or_never()
        .unwrap_or_else(|| Err(DbErr::Custom("a SQLite batch write waited".into()).into()));
    match written {
        Ok(counts) => {
            if commit {
                conn.execute_batch("COMMIT").map_err(e)?;
            }
            Ok(counts)
        }
        Err(err) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(err)
        }
    }
}
