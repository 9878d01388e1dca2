//! The counts behind facets and relations (`event_counts`,
//! `country_pairs`, `carried_counts`, `value_counts`, `partner_counts`,
//! `partner_totals`). A batch write adds what it wrote and takes out what
//! the events it rewrites were, from the rows it has in hand (`Deltas`,
//! written with the other derived rows), so that a first load never reads
//! back what it wrote, whatever plan the database would pick on tables it
//! has not analysed yet, and a rewrite that leaves an event's countries,
//! kind and dates as they were writes no count. Deleting events takes them
//! out with grouped statements that read the stored rows (`count`).
//!
//! The statements and `Deltas::add` say the same thing twice, once in SQL
//! and once in Rust; `the_kept_counts_follow_every_write` (tests/api)
//! checks that they agree.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use std::collections::HashMap;
use std::sync::LazyLock;

/// An event is carried into at most this many years after the one it
/// began in; readers use `carried_counts` only while no event lasts longer
/// (`CARRIED_DAYS`), and scan otherwise.
const MAX_CARRIED_YEARS: i32 = 100;
/// The longest span (days) whose every year `carried_counts` holds.
pub const CARRIED_DAYS: i32 = 36_000;

/// The kept tables, in the order of the statements below.
pub(super) const TABLES: [&str; 6] =
    ["event_counts", "country_pairs", "carried_counts", "value_counts", "partner_counts", "partner_totals"];

/// One of something for each kept table, in `TABLES`' order.
pub type PerTable<T> = [T; TABLES.len()];

/// One written event, as the counts see it.
pub struct Counted<'a> {
    pub countries: &'a [&'a str],
    pub kind: &'a str,
    pub start: NaiveDate,
    pub last_day: NaiveDate,
    pub precision: &'a str,
    pub tags: &'a [String],
    pub participants: &'a [i64],
}

/// A word of a key (a country, kind, year, facet or value), as its place
/// in `Deltas::words`: an import gathers hundreds of thousands of keys
/// made of a few thousand words, and a key of four numbers is 16 bytes
/// where four strings were four allocations.
type Word = u32;
type Key<const N: usize> = [Word; N];

/// What a batch adds to the counts, keyed as each table is, with the
/// number of events.
#[derive(Debug, Default)]
pub struct Deltas {
    words: Vec<String>,
    word_ids: HashMap<String, Word>,
    events: HashMap<Key<3>, i64>,
    pairs: HashMap<Key<4>, i64>,
    carried: HashMap<Key<4>, i64>,
    values: HashMap<Key<2>, i64>,
    partners: HashMap<Key<3>, i64>,
    totals: HashMap<Key<2>, i64>,
}

/// A year as the statements read it from a stored date: its first four
/// characters, as a number (so that both agree on any date).
fn year_of(date: &str) -> (String, i32) {
    let year: String = date.chars().take(4).collect();
    let number = year.parse().unwrap_or(0);
    (year, number)
}

impl Deltas {
    fn word(&mut self, word: &str) -> Word {
        if let Some(&id) = self.word_ids.get(word) {
            return id;
        }
        let id = self.words.len() as Word;
        self.words.push(word.to_owned());
        self.word_ids.insert(word.to_owned(), id);
        id
    }

    pub fn add(&mut self, e: &Counted) {
        self.add_times(e, 1);
    }

    /// Takes an event out as it was stored: a rewritten event's old rows
    /// and its new ones mostly cancel, and only what differs is written.
    pub fn take_out(&mut self, e: &Counted) {
        self.add_times(e, -1);
    }

    fn add_times(&mut self, e: &Counted, times: i64) {
        let start = e.start.to_string();
        let (year, began) = year_of(&start);
        let (_, ended) = year_of(&e.last_day.to_string());
        let (kind, year) = (self.word(e.kind), self.word(&year));
        let carried_years: Vec<Word> =
            (began + 1..=ended.min(began + MAX_CARRIED_YEARS)).map(|y| self.word(&format!("{y:04}"))).collect();
        let countries: Vec<Word> = e.countries.iter().map(|c| self.word(c)).collect();
        let every_country = self.word("");
        for &country in countries.iter().chain([&every_country]) {
            *self.events.entry([country, kind, year]).or_default() += times;
            for &carried in &carried_years {
                *self.carried.entry([country, kind, carried, year]).or_default() += times;
            }
        }
        for &a in &countries {
            for &b in countries.iter().filter(|&&b| b != a) {
                *self.pairs.entry([a, b, kind, year]).or_default() += times;
                *self.partners.entry([a, b, kind]).or_default() += times;
                *self.totals.entry([a, b]).or_default() += times;
            }
        }
        let month: String = start.chars().take(7).collect();
        let mut values = vec![("month", month), ("precision", e.precision.to_owned())];
        values.extend(e.countries.iter().map(|code| ("country", code.to_string())));
        values.extend(e.tags.iter().map(|tag| ("tag", tag.clone())));
        let mut participants = e.participants.to_vec();
        participants.sort_unstable();
        participants.dedup();
        values.extend(participants.iter().map(|id| ("participant", id.to_string())));
        for (facet, value) in values {
            let key = [self.word(facet), self.word(&value)];
            *self.values.entry(key).or_default() += times;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The rows these would upsert.
    pub fn len(&self) -> usize {
        self.events.len()
            + self.pairs.len()
            + self.carried.len()
            + self.values.len()
            + self.partners.len()
            + self.totals.len()
    }

    /// Adds a stored row of `TABLES[table]`: its key's words in `COLUMNS`'
    /// order, and `n`.
    fn add_row(&mut self, table: usize, key: &[String], n: i64) {
        let words: Vec<Word> = key.iter().map(|word| self.word(word)).collect();
        fn entry<const N: usize>(table: &mut HashMap<Key<N>, i64>, words: &[Word], n: i64) {
            let key = <Key<N>>::try_from(words).expect("a key as wide as its table's");
            *table.entry(key).or_default() += n;
        }
        match table {
            0 => entry(&mut self.events, &words, n),
            1 => entry(&mut self.pairs, &words, n),
            2 => entry(&mut self.carried, &words, n),
            3 => entry(&mut self.values, &words, n),
            4 => entry(&mut self.partners, &words, n),
            _ => entry(&mut self.totals, &words, n),
        }
    }

    /// Adds another batch's deltas to these.
    pub fn merge(&mut self, other: Deltas) {
        let ids: Vec<Word> = other.words.iter().map(|word| self.word(word)).collect();
        fn into<const N: usize>(to: &mut HashMap<Key<N>, i64>, from: HashMap<Key<N>, i64>, ids: &[Word]) {
            for (key, n) in from {
                *to.entry(key.map(|word| ids[word as usize])).or_default() += n;
            }
        }
        into(&mut self.events, other.events, &ids);
        into(&mut self.pairs, other.pairs, &ids);
        into(&mut self.carried, other.carried, &ids);
        into(&mut self.values, other.values, &ids);
        into(&mut self.partners, other.partners, &ids);
        into(&mut self.totals, other.totals, &ids);
    }

    /// The JSON parameters of the `upserts` statements: arrays of rows,
    /// each its key's words, then `n`.
    pub fn params(&self) -> PerTable<String> {
        let quoted = self.quoted();
        std::array::from_fn(|table| {
            self.params_of(table, &quoted, usize::MAX).next().unwrap_or_else(|| "[]".to_owned())
        })
    }

    /// Each word as a JSON string, in `words`' order: what `params_of`
    /// writes keys with.
    pub fn quoted(&self) -> Vec<String> {
        self.words.iter().map(|w| serde_json::Value::from(w.as_str()).to_string()).collect()
    }

    /// The rows of one of `TABLES` as `params` has them, in arrays of at
    /// most `at_most` rows (none when it has no rows), made one at a time:
    /// a first load's `country_pairs` is 1.3M rows. Written straight into
    /// the strings: a `serde_json::Value` per field of ten batches' rows
    /// was 60 MB. `quoted` is `quoted()`'s, made once for every table.
    pub fn params_of<'a>(
        &'a self,
        table: usize,
        quoted: &'a [String],
        at_most: usize,
    ) -> Box<dyn Iterator<Item = String> + Send + 'a> {
        fn arrays<'a, const N: usize>(
            quoted: &'a [String],
            rows: &'a HashMap<Key<N>, i64>,
            at_most: usize,
        ) -> Box<dyn Iterator<Item = String> + Send + 'a> {
            use std::fmt::Write;
            // Keys whose changes cancelled out have nothing to write.
            let mut rows = rows.iter().filter(|(_, n)| **n != 0).peekable();
            Box::new(std::iter::from_fn(move || {
                rows.peek()?;
                let mut out = String::from("[");
                for (key, n) in rows.by_ref().take(at_most) {
                    if out.len() > 1 {
                        out.push(',');
                    }
                    out.push('[');
                    for word in key {
                        out.push_str(&quoted[*word as usize]);
                        out.push(',');
                    }
                    let _ = write!(out, "{n}]");
                }
                out.push(']');
                Some(out)
            }))
        }
        match table {
            0 => arrays(quoted, &self.events, at_most),
            1 => arrays(quoted, &self.pairs, at_most),
            2 => arrays(quoted, &self.carried, at_most),
            3 => arrays(quoted, &self.values, at_most),
            4 => arrays(quoted, &self.partners, at_most),
            _ => arrays(quoted, &self.totals, at_most),
        }
    }
}

/// Each table's key columns, then `n`.
const COLUMNS: PerTable<&str> = [
    "country, kind, year",
    "country, partner, kind, year",
    "country, kind, year, began",
    "facet, value",
    "country, partner, kind",
    "country, partner",
];

/// `ON CONFLICT … DO UPDATE`: what every statement below ends with.
fn add_to(table: &str, key: &str) -> String {
    format!("ON CONFLICT ({key}) DO UPDATE SET n = {table}.n + excluded.n")
}

/// The statements that add `Deltas::params` to the counts.
pub fn upserts(backend: DbBackend) -> &'static PerTable<String> {
    static SQLITE: LazyLock<PerTable<String>> = LazyLock::new(|| insert_statements(DbBackend::Sqlite, true));
    static POSTGRES: LazyLock<PerTable<String>> = LazyLock::new(|| insert_statements(DbBackend::Postgres, true));
    if backend == DbBackend::Postgres { &POSTGRES } else { &SQLITE }
}

/// The statements that insert `Deltas::params`, adding to existing rows
/// when `upsert`, or into emptied tables, which need no key then.
fn insert_statements(backend: DbBackend, upsert: bool) -> PerTable<String> {
    std::array::from_fn(|t| {
        let (table, key) = (TABLES[t], COLUMNS[t]);
        let width = key.split(',').count();
        // The row's key fields as text, then n.
        let (fields, rows) = match backend {
            DbBackend::Postgres => (
                (0..width).map(|i| format!("r->>{i}")).chain([format!("(r->>{width})::bigint")]).collect::<Vec<_>>(),
                "json_array_elements($1::json) AS r",
            ),
            _ => ((0..=width).map(|i| format!("value ->> {i}")).collect(), "json_each(?1)"),
        };
        // WHERE TRUE: SQLite would read the upsert's ON as a join's.
        format!(
            "INSERT INTO {table} ({key}, n) SELECT {} FROM {rows} WHERE TRUE {}",
            fields.join(", "),
            if upsert { add_to(table, key) } else { String::new() }
        )
    })
}

/// Adds a batch's deltas, on a SeaORM connection.
pub async fn add<C: ConnectionTrait>(conn: &C, deltas: &Deltas) -> Result<(), DbErr> {
    if deltas.is_empty() {
        return Ok(());
    }
    let backend = conn.get_database_backend();
    for (sql, rows) in upserts(backend).iter().zip(deltas.params()) {
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, [rows.into()])).await?;
    }
    Ok(())
}

/// Moves the stored counts into `deltas`, emptying their tables: a first
/// load (`PgFirstLoad`) adds what it writes to them in memory, and writes
/// them back with `insert` at its end.
pub async fn take_stored<C: ConnectionTrait>(conn: &C, deltas: &mut Deltas) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    for (table, (name, key)) in TABLES.iter().zip(COLUMNS).enumerate() {
        let sql = format!("SELECT {key}, n FROM {name}");
        let width = key.split(',').count();
        for row in conn.query_all_raw(Statement::from_string(backend, sql)).await? {
            let words = (0..width).map(|i| row.try_get_by_index(i)).collect::<Result<Vec<String>, _>>()?;
            deltas.add_row(table, &words, row.try_get_by_index(width)?);
        }
        conn.execute_unprepared(&format!("DELETE FROM {name}")).await?;
    }
    Ok(())
}

/// Writes `deltas` into emptied count tables (`take_stored`), 100,000
/// rows to a statement: all 1.3M of `country_pairs` in one took the
/// import's peak RSS from 234 to 422 MiB at 1M events.
pub async fn insert<C: ConnectionTrait>(conn: &C, deltas: &Deltas) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let quoted = deltas.quoted();
    for (table, sql) in insert_statements(backend, false).iter().enumerate() {
        for rows in deltas.params_of(table, &quoted, 100_000) {
            conn.execute_raw(Statement::from_sql_and_values(backend, sql, [rows.into()])).await?;
        }
    }
    Ok(())
}

/// Which events a statement counts: those whose ids the JSON array of the
/// first parameter lists, or every one.
#[derive(Clone, Copy)]
pub enum Events {
    Listed,
    All,
}

/// The statements that add `sign` (the second parameter: 1 or -1) times
/// the counted events to the counts.
fn statements(backend: DbBackend, events: Events) -> PerTable<String> {
    let (ids, sign, year_text, least) = match backend {
        DbBackend::Postgres => (
            "SELECT json_array_elements_text($1::json)::bigint",
            "$2::bigint",
            "lpad(CAST(s.y AS TEXT), 4, '0')",
            "LEAST",
        ),
        _ => ("SELECT value FROM json_each(?1)", "?2", "printf('%04d', s.y)", "MIN"),
    };
    let (of_events, of_links, of_pairs) = match events {
        Events::Listed => (format!("id IN ({ids})"), format!("event_id IN ({ids})"), format!("a.event_id IN ({ids})")),
        Events::All => ("TRUE".to_owned(), "TRUE".to_owned(), "TRUE".to_owned()),
    };
    let sign = if matches!(events, Events::All) { "1" } else { sign };
    // Counting every event fills emptied tables, one row per key: nothing
    // to add to, and no unique index needed (a first load makes the keys
    // after the rows, `PgFirstLoad`).
    let add_to = |table: &str, key: &str| match events {
        Events::Listed => add_to(table, key),
        Events::All => String::new(),
    };
    let prefix = |column: &str, chars: u8| format!("SUBSTR(CAST({column} AS TEXT), 1, {chars})");
    let year = prefix("e.start_date", 4);
    // Each event once under each of its countries and once under ''.
    let countries = format!(
        "SELECT event_id, country FROM event_countries WHERE {of_links} UNION ALL SELECT id, '' FROM events WHERE {of_events}"
    );
    let [events_key, pairs_key, carried_key, values_key, partners_key, totals_key] = COLUMNS;
    // Each ordered pair of an event's countries, then `by` (`country_pairs`
    // by kind and year, `partner_counts` by kind, `partner_totals` by
    // neither, so without the events).
    let pairs = |table: &str, key: &str, by: &str| {
        let events = if by.is_empty() { "" } else { "JOIN events e ON e.id = a.event_id " };
        format!(
            "INSERT INTO {table} ({key}, n) \
             SELECT a.country, b.country{by}, {sign} * COUNT(*) FROM event_countries a \
             JOIN event_countries b ON b.event_id = a.event_id AND b.country <> a.country \
             {events}WHERE {of_pairs} GROUP BY a.country, b.country{by} {}",
            add_to(table, key)
        )
    };
    [
        format!(
            "INSERT INTO event_counts ({events_key}, n) \
             SELECT c.country, e.kind, {year}, {sign} * COUNT(*) FROM events e \
             JOIN ({countries}) c ON c.event_id = e.id \
             WHERE TRUE GROUP BY c.country, e.kind, {year} {}",
            add_to("event_counts", events_key)
        ),
        pairs("country_pairs", pairs_key, &format!(", e.kind, {year}")),
        // Each year after the one it began in, up to the one its last
        // possible day is in (at most MAX_CARRIED_YEARS).
        format!(
            "WITH RECURSIVE s (id, kind, began, y, last) AS ( \
               SELECT id, kind, {began}, CAST({began} AS INTEGER) + 1, \
                      {least}(CAST({ended} AS INTEGER), CAST({began} AS INTEGER) + {MAX_CARRIED_YEARS}) \
               FROM events WHERE {of_events} AND CAST({ended} AS INTEGER) > CAST({began} AS INTEGER) \
               UNION ALL SELECT id, kind, began, y + 1, last FROM s WHERE y < last) \
             INSERT INTO carried_counts ({carried_key}, n) \
             SELECT c.country, s.kind, {year_text}, s.began, {sign} * COUNT(*) FROM s \
             JOIN ({countries}) c ON c.event_id = s.id \
             WHERE TRUE GROUP BY c.country, s.kind, s.y, s.began {}",
            add_to("carried_counts", carried_key),
            began = prefix("start_date", 4),
            ended = prefix("last_day", 4),
        ),
        format!(
            "INSERT INTO value_counts ({values_key}, n) \
             SELECT facet, value, {sign} * COUNT(*) FROM ( \
               SELECT 'month' AS facet, {month} AS value FROM events WHERE {of_events} \
               UNION ALL SELECT 'country', country FROM event_countries WHERE {of_links} \
               UNION ALL SELECT 'precision', known_precision FROM events WHERE {of_events} \
               UNION ALL SELECT 'tag', tag FROM event_tags WHERE {of_links} \
               UNION ALL SELECT 'participant', CAST(participant_id AS TEXT) \
                 FROM (SELECT DISTINCT event_id, participant_id FROM event_participants WHERE {of_links}) p) v \
             WHERE TRUE GROUP BY facet, value {}",
            add_to("value_counts", values_key),
            month = prefix("start_date", 7),
        ),
        pairs("partner_counts", partners_key, ", e.kind"),
        pairs("partner_totals", totals_key, ""),
    ]
}

static SQLITE: LazyLock<PerTable<String>> = LazyLock::new(|| statements(DbBackend::Sqlite, Events::Listed));
static POSTGRES: LazyLock<PerTable<String>> = LazyLock::new(|| statements(DbBackend::Postgres, Events::Listed));

/// The statements for listed events on a backend, prepared once.
pub fn listed(backend: DbBackend) -> &'static PerTable<String> {
    if backend == DbBackend::Postgres { &POSTGRES } else { &SQLITE }
}

/// Adds (`sign` 1) or takes out (-1) these events from the counts, as they
/// are stored now, on a SeaORM connection.
pub async fn count<C: ConnectionTrait>(conn: &C, event_ids: &[i64], sign: i64) -> Result<(), DbErr> {
    if event_ids.is_empty() {
        return Ok(());
    }
    let backend = conn.get_database_backend();
    let ids = serde_json::to_string(event_ids).map_err(|e| DbErr::Custom(e.to_string()))?;
    for sql in listed(backend) {
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, [ids.clone().into(), sign.into()])).await?;
    }
    Ok(())
}

/// Counts every event anew, into emptied tables.
pub async fn recount<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    for table in TABLES {
        conn.execute_unprepared(&format!("DELETE FROM {table}")).await?;
    }
    for sql in statements(conn.get_database_backend(), Events::All) {
        conn.execute_unprepared(&sql).await?;
    }
    Ok(())
}
