//! A first load: a large import into a SQLite file that holds few events
//! yet, written in one transaction under a rollback journal, with what is
//! cheaper to build from all the rows at once than row by row (some
//! indexes, the full-text index) built at its end. `SqliteWriter` runs it;
//! the write rules are the same as for any batch (`events.rs`).

use crate::db::{BUMP_DATA_VERSION, sqlite_error};
use crate::error::ApiError;
use rusqlite::Connection;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Instant;

/// A first load holds at most this many events before it begins (the
/// seed's, say): what it drops and builds again is theirs too.
pub const AT_MOST: i64 = 10_000;

/// Indexes built at the end rather than row by row: each takes its rows in
/// an order of its own (dates, kinds, participants), so built as the load
/// went, every insert landed at a random place in a b-tree larger than the
/// page cache. No statement of the write path reads them; those it does
/// read (keys, identities, `event_countries` by event) stay. PostgreSQL's
/// first load drops them too (`pg_first_load.rs`).
pub const INDEXES: [&str; 7] = [
    "idx_events_start_id",
    "idx_events_kind_start",
    "idx_events_span",
    "idx_event_participants_participant",
    "idx_event_sources_source",
    "idx_event_tags_tag",
    "event_counts_by_year",
];

/// The index of source identities: a first load finds its sources in
/// `SourceIds` instead, and builds it at its end. Built row by row, its
/// 1.6M urls (at 1M events) were lookups and inserts at random places in
/// a b-tree of 180 MB. PostgreSQL's first load drops it too.
pub const SOURCE_IDENTITIES: &str = "idx_sources_identity";

/// The page cache (KiB) while a first load writes rows: half a batch
/// import's (`SqliteFile::open_writer`), since fewer b-trees take rows at
/// random places, and the sources' digests (about 50 MB at 1.6M sources)
/// have to fit in the 300 MiB an import may take. At 1M events: 177 s and
/// a peak of 298 MiB, against 162 s and 358 MiB with 128 MiB of cache.
const LOAD_CACHE_KIB: u32 = 64 << 10;

/// The page cache (KiB) while the dropped indexes are built.
const BUILD_CACHE_KIB: u32 = 16 << 10;

/// How many bytes of terms FTS5 gathers in memory before it writes them
/// out as a segment, while a first load fills it. At 1M events the fill
/// took 8.6 s at FTS5's default of 1 MiB and 6.4 s at 32 MiB, the peak
/// staying under the import's 300 MiB (bench/README.md). The setting is
/// stored in the database, so the load sets the default back after it:
/// the transactions of batch imports keep their memory.
const FTS_LOAD_HASH_BYTES: u32 = 32 << 20;
const FTS_DEFAULT_HASH_BYTES: u32 = 1 << 20;

/// Threads SQLite may sort with while a first load builds its indexes:
/// the rows are all parsed by then, and the other core idles. At 1M
/// events: 7.9 s rather than 10.7. Not while FTS5 is filled: its sort
/// beside FTS5's terms took the import's peak to 313 MiB.
const BUILD_THREADS: u32 = 2;

/// What a first load undid at its start, to do again at its end.
pub struct FirstLoad {
    /// The statements that create the indexes and triggers it dropped.
    dropped: Vec<String>,
    pub sources: SourceIds,
}

/// Source ids by a 64-bit digest of their identity. A digest found gives
/// the one source that may have the identity, which the caller reads to
/// make sure; two identities with one digest keep the first's id, and the
/// second is found without it (`SqliteBatch::sources_by_identity`).
#[derive(Default)]
pub struct SourceIds(HashMap<u64, i64>);

impl SourceIds {
    fn digest(identity: &str) -> u64 {
        // SipHash with fixed keys: the same digest for the same identity.
        let mut hasher = DefaultHasher::new();
        identity.hash(&mut hasher);
        hasher.finish()
    }

    pub fn get(&self, identity: &str) -> Option<i64> {
        self.0.get(&Self::digest(identity)).copied()
    }

    pub fn insert(&mut self, identity: &str, id: i64) {
        self.0.entry(Self::digest(identity)).or_insert(id);
    }
}

impl FirstLoad {
    /// Begins the load's transaction on `conn` and drops what it builds at
    /// its end: the indexes above, and the triggers that feed FTS5 from
    /// `event_texts`, whose index it empties. FTS5 fed row by row writes a
    /// segment per statement and merges them again and again; fed every
    /// row at once, in rowid order, it writes a segment per
    /// `FTS_LOAD_HASH_BYTES` of terms, merged once at the end.
    pub fn begin(conn: &Connection) -> Result<FirstLoad, ApiError> {
        conn.execute_batch(&format!("PRAGMA cache_size = -{LOAD_CACHE_KIB}")).map_err(sqlite_error)?;
        conn.execute_batch("BEGIN IMMEDIATE").map_err(sqlite_error)?;
        conn.execute_batch(BUMP_DATA_VERSION).map_err(sqlite_error)?;
        let mut dropped = Vec::new();
        let mut find = conn.prepare("SELECT sql FROM sqlite_schema WHERE name = ?1").map_err(sqlite_error)?;
        for name in INDEXES.into_iter().chain([SOURCE_IDENTITIES]) {
            dropped.push(find.query_row([name], |r| r.get(0)).map_err(sqlite_error)?);
            conn.execute_batch(&format!("DROP INDEX \"{name}\"")).map_err(sqlite_error)?;
        }
        let mut triggers = conn
            .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'event_texts'")
            .map_err(sqlite_error)?;
        let triggers: Vec<(String, String)> = triggers
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(sqlite_error)?;
        for (name, sql) in triggers {
            conn.execute_batch(&format!("DROP TRIGGER \"{name}\"")).map_err(sqlite_error)?;
            dropped.push(sql);
        }
        conn.execute_batch("INSERT INTO event_search (event_search) VALUES ('delete-all')").map_err(sqlite_error)?;
        let mut sources = SourceIds::default();
        let mut stored = conn.prepare("SELECT id, identity FROM sources").map_err(sqlite_error)?;
        let mut rows = stored.query([]).map_err(sqlite_error)?;
        while let Some(row) = rows.next().map_err(sqlite_error)? {
            let (id, identity): (i64, String) = (row.get(0).map_err(sqlite_error)?, row.get(1).map_err(sqlite_error)?);
            sources.insert(&identity, id);
        }
        Ok(FirstLoad { dropped, sources })
    }

    /// Builds what `begin` dropped, refreshes the planner's statistics and
    /// FTS5's segments (what `Db::refresh_statistics` does after any large
    /// import) and commits.
    pub fn end(self, conn: &Connection) -> Result<(), ApiError> {
        let FirstLoad { dropped, sources } = self;
        // Their memory is the index builds' now.
        drop(sources);
        // SQLite sorts an index's rows in as much memory as the page cache
        // may take before it spills them to temporary files: with the
        // writer's 128 MiB cache full, building the indexes took the
        // import's RSS from 300 MiB to 400.
        let started = Instant::now();
        conn.execute_batch(&format!("PRAGMA cache_size = -{BUILD_CACHE_KIB}")).map_err(sqlite_error)?;
        let fts_hash = |bytes| format!("INSERT INTO event_search (event_search, rank) VALUES ('hashsize', {bytes})");
        conn.execute_batch(&fts_hash(FTS_LOAD_HASH_BYTES)).map_err(sqlite_error)?;
        conn.execute_batch(
            "INSERT INTO event_search (rowid, text, countries) \
             SELECT -position, search_text, countries FROM event_texts ORDER BY -position",
        )
        .map_err(sqlite_error)?;
        conn.execute_batch(&fts_hash(FTS_DEFAULT_HASH_BYTES)).map_err(sqlite_error)?;
        let filled = started.elapsed();
        conn.execute_batch(&format!("PRAGMA threads = {BUILD_THREADS}")).map_err(sqlite_error)?;
        for create in &dropped {
            conn.execute_batch(create).map_err(sqlite_error)?;
        }
        conn.execute_batch("PRAGMA threads = 0").map_err(sqlite_error)?;
        let indexed = started.elapsed();
        conn.execute_batch("INSERT INTO event_search (event_search) VALUES ('optimize'); PRAGMA optimize; COMMIT")
            .map_err(sqlite_error)?;
        tracing::info!(
            full_text_s = filled.as_secs_f64(),
            indexes_s = (indexed - filled).as_secs_f64(),
            commit_s = (started.elapsed() - indexed).as_secs_f64(),
            "a first load built its indexes and committed"
        );
        Ok(())
    }
}
