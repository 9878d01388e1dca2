//! A first load into PostgreSQL: a large import into a database that holds
//! few events yet and that no other session is connected to, written in one
//! transaction, with what is cheaper to make from all the rows at once than
//! row by row made at its end: the secondary indexes (the full-text index
//! among them), the link tables' foreign keys, and the kept counts' keys.
//! The write rules are those of any batch (`events.rs`, `PgBatch`); new
//! rows go in by `COPY` on a connection of the load's own
//! (`LoadConnection`), the counts wait for the end, gathered in memory, and
//! sources are found by a digest of their identity, as in SQLite's first
//! load.

use super::batch::LINK_TABLES;
use super::counts::{self, Deltas, TABLES as COUNT_TABLES};
use super::first_load::{AT_MOST, INDEXES, SOURCE_IDENTITIES, SourceIds};
use crate::db::LoadConnection;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use std::time::{Duration, Instant};

/// The full-text index, dropped with the first load's other indexes
/// (`first_load::INDEXES`, which no statement of the write path reads
/// either): without them and the foreign keys, importing 100,000 events
/// took 52.6 s, not 64.
const SEARCH_INDEX: &str = "idx_event_texts_search";

/// The hash index of events by id (`m20261214_000001_events_id_hash`),
/// which reads use: made again at the end like the others, since the
/// primary key answers the same lookups meanwhile.
const ID_LOOKUPS: &str = "events_id_hash";

/// How long `begin` waits for sessions that are closing (this process's
/// own pool, closed just before) to be gone.
const CLOSING: Duration = Duration::from_secs(1);

/// Memory for the statements at the end: the index builds' sorts and the
/// counts' grouping, which spill to disk in PostgreSQL's 4 MB default.
const END_MEMORY: &str = "SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL work_mem = '64MB'";

/// What a first load undid at its start, to do again at its end.
pub struct PgFirstLoad {
    /// The statements that make the indexes, foreign keys and primary keys
    /// it dropped.
    dropped: Vec<String>,
    /// The sources, found by their identity's digest while the index of
    /// identities is dropped (at 1M events, looking sources up by it took
    /// 20 s and keeping it 1.6M inserts at random places).
    pub sources: SourceIds,
    /// The kept counts: those stored before the load, and what each batch
    /// adds (`PgBatch`), written at the end into their emptied tables.
    /// Counting every event again there, from the rows, took 37 s of a 1M
    /// load (`country_pairs` 14 of it, bench/README.md); the batches have
    /// the counts in hand already.
    pub counts: Deltas,
}

impl PgFirstLoad {
    /// In the load's transaction: none when the database holds more than
    /// `AT_MOST` events or another session is connected to it (a server
    /// would wait for the load's locks); otherwise drops what `end` makes.
    pub async fn begin(conn: &LoadConnection) -> Result<Option<PgFirstLoad>, DbErr> {
        // Counted no further than needed: all of a million took 2 s.
        let events = format!("SELECT count(*) AS n FROM (SELECT 1 FROM events LIMIT {}) e", AT_MOST + 1);
        if count(conn, &events).await? > AT_MOST {
            return Ok(None);
        }
        let started = Instant::now();
        let others = "SELECT count(*) AS n FROM pg_stat_activity \
                      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'";
        while count(conn, others).await? > 0 {
            if started.elapsed() > CLOSING {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            // A transaction sees one snapshot of the sessions unless cleared.
            conn.execute_unprepared("SELECT pg_stat_clear_snapshot()").await?;
        }
        let mut dropped = Vec::new();
        let indexes = format!(
            "SELECT pg_get_indexdef(c.oid) AS sql, format('DROP INDEX %I', c.relname) AS undo FROM pg_class c \
             WHERE c.relkind = 'i' AND c.relnamespace = current_schema()::regnamespace AND c.relname IN ({})",
            INDEXES
                .into_iter()
                .chain([SEARCH_INDEX, ID_LOOKUPS, SOURCE_IDENTITIES])
                .map(|name| format!("'{name}'"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        // The link tables' foreign keys: checked once, by a join, at the
        // end, rather than by a trigger per row. The count tables' keys:
        // their rows are written at the end into tables without them, which
        // are then sorted once (1M events: `country_pairs` counted that way
        // took 16 s, into its key row by row 25-29 s, bench/README.md).
        // And `event_countries`' key, by country and date: its rows come
        // event by event, each to a random place in it (18.6 s of a 1M
        // load); the write path finds them by event, by another index.
        let tables = |names: &[&str]| names.iter().map(|t| format!("'{t}'::regclass")).collect::<Vec<_>>().join(", ");
        let keys = format!(
            "SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) \
             AS sql, format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) AS undo \
             FROM pg_constraint WHERE (contype = 'f' AND conrelid IN ({})) OR (contype = 'p' AND conrelid IN ({}))",
            tables(&LINK_TABLES),
            tables(&[COUNT_TABLES.as_slice(), &["event_countries"]].concat())
        );
        for sql in [indexes, keys] {
            for row in conn.query_all_raw(Statement::from_string(DbBackend::Postgres, sql)).await? {
                conn.execute_unprepared(&row.try_get::<String>("", "undo")?).await?;
                dropped.push(row.try_get("", "sql")?);
            }
        }
        let mut sources = SourceIds::default();
        let stored = Statement::from_string(DbBackend::Postgres, "SELECT id, identity FROM sources");
        for row in conn.query_all_raw(stored).await? {
            sources.insert(&row.try_get_by_index::<String>(1)?, row.try_get_by_index(0)?);
        }
        let mut counts = Deltas::default();
        counts::take_stored(conn, &mut counts).await?;
        Ok(Some(PgFirstLoad { dropped, sources, counts }))
    }

    /// Writes the counts and makes what `begin` dropped, the count tables'
    /// keys among it; the caller commits.
    pub async fn end(self, conn: &LoadConnection) -> Result<(), DbErr> {
        conn.execute_unprepared(END_MEMORY).await?;
        // Before the indexes: `event_counts_by_year` is built once, after.
        counts::insert(conn, &self.counts).await?;
        for sql in &self.dropped {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}

async fn count(conn: &LoadConnection, sql: &str) -> Result<i64, DbErr> {
    let row = conn.query_one_raw(Statement::from_string(DbBackend::Postgres, sql)).await?;
    row.ok_or_else(|| DbErr::RecordNotFound(sql.to_owned()))?.try_get("", "n")
}
