//! The counts behind facets and relations (`event_counts`,
//! `country_pairs`): every write takes the events it changes out of them
//! before, with two grouped statements per batch that read the stored rows
//! (`count`), and adds what it wrote after, from the rows it has in hand
//! (`Deltas`, written with the other derived rows), so that a first load
//! never reads back what it wrote, whatever plan the database would pick
//! on tables it has not analysed yet.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use std::collections::HashMap;
use std::sync::LazyLock;

/// What a batch adds to the counts: (country or '', kind, year) and
/// (country, partner, kind, year), each with its number of events.
#[derive(Debug, Default)]
pub struct Deltas {
    events: HashMap<(String, String, String), i64>,
    pairs: HashMap<(String, String, String, String), i64>,
}

impl Deltas {
    /// One event of `kind` beginning on `start`, in these countries.
    pub fn add(&mut self, countries: &[&str], kind: &str, start: NaiveDate) {
        // The year as the statements below cut it from the stored date.
        let date = start.to_string();
        let year: String = date.chars().take(4).collect();
        for country in countries.iter().chain([&""]) {
            *self.events.entry((country.to_string(), kind.to_owned(), year.clone())).or_default() += 1;
        }
        for a in countries {
            for b in countries.iter().filter(|b| *b != a) {
                *self.pairs.entry((a.to_string(), b.to_string(), kind.to_owned(), year.clone())).or_default() += 1;
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The JSON parameters of the `upserts` statements: arrays of rows.
    pub fn params(&self) -> [String; 2] {
        let events: Vec<_> = self.events.iter().map(|((c, k, y), n)| serde_json::json!([c, k, y, n])).collect();
        let pairs: Vec<_> = self.pairs.iter().map(|((c, p, k, y), n)| serde_json::json!([c, p, k, y, n])).collect();
        [serde_json::Value::from(events).to_string(), serde_json::Value::from(pairs).to_string()]
    }
}

/// The statements that add `Deltas::params` to the counts.
pub fn upserts(backend: DbBackend) -> [&'static str; 2] {
    match backend {
        DbBackend::Postgres => [
            "INSERT INTO event_counts (country, kind, year, n) \
             SELECT r->>0, r->>1, r->>2, (r->>3)::bigint FROM json_array_elements($1::json) AS r \
             ON CONFLICT (country, kind, year) DO UPDATE SET n = event_counts.n + excluded.n",
            "INSERT INTO country_pairs (country, partner, kind, year, n) \
             SELECT r->>0, r->>1, r->>2, r->>3, (r->>4)::bigint FROM json_array_elements($1::json) AS r \
             ON CONFLICT (country, partner, kind, year) DO UPDATE SET n = country_pairs.n + excluded.n",
        ],
        _ => [
            "INSERT INTO event_counts (country, kind, year, n) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?1) WHERE TRUE \
             ON CONFLICT (country, kind, year) DO UPDATE SET n = event_counts.n + excluded.n",
            "INSERT INTO country_pairs (country, partner, kind, year, n) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?1) WHERE TRUE \
             ON CONFLICT (country, partner, kind, year) DO UPDATE SET n = country_pairs.n + excluded.n",
        ],
    }
}

/// Adds a batch's deltas, on a SeaORM connection.
pub async fn add<C: ConnectionTrait>(conn: &C, deltas: &Deltas) -> Result<(), DbErr> {
    if deltas.is_empty() {
        return Ok(());
    }
    let backend = conn.get_database_backend();
    for (sql, rows) in upserts(backend).into_iter().zip(deltas.params()) {
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, [rows.into()])).await?;
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
fn statements(backend: DbBackend, events: Events) -> [String; 2] {
    let (ids, sign) = match backend {
        DbBackend::Postgres => ("SELECT json_array_elements_text($1::json)::bigint", "$2::bigint"),
        _ => ("SELECT value FROM json_each(?1)", "?2"),
    };
    let (of_events, of_countries, of_pairs, sign) = match events {
        Events::Listed => {
            (format!("id IN ({ids})"), format!("event_id IN ({ids})"), format!("a.event_id IN ({ids})"), sign)
        }
        Events::All => ("TRUE".to_owned(), "TRUE".to_owned(), "TRUE".to_owned(), "1"),
    };
    let year = "SUBSTR(CAST(e.start_date AS TEXT), 1, 4)";
    [
        // Each event once under its countries and once under ''. (WHERE
        // TRUE: SQLite would read the upsert's ON as a join's.)
        format!(
            "INSERT INTO event_counts (country, kind, year, n) \
             SELECT c.country, e.kind, {year}, {sign} * COUNT(*) FROM events e \
             JOIN (SELECT event_id, country FROM event_countries WHERE {of_countries} \
                   UNION ALL SELECT id, '' FROM events WHERE {of_events}) c ON c.event_id = e.id \
             WHERE TRUE GROUP BY c.country, e.kind, {year} \
             ON CONFLICT (country, kind, year) DO UPDATE SET n = event_counts.n + excluded.n",
        ),
        format!(
            "INSERT INTO country_pairs (country, partner, kind, year, n) \
             SELECT a.country, b.country, e.kind, {year}, {sign} * COUNT(*) FROM event_countries a \
             JOIN event_countries b ON b.event_id = a.event_id AND b.country <> a.country \
             JOIN events e ON e.id = a.event_id \
             WHERE {of_pairs} GROUP BY a.country, b.country, e.kind, {year} \
             ON CONFLICT (country, partner, kind, year) DO UPDATE SET n = country_pairs.n + excluded.n",
        ),
    ]
}

static SQLITE: LazyLock<[String; 2]> = LazyLock::new(|| statements(DbBackend::Sqlite, Events::Listed));
static POSTGRES: LazyLock<[String; 2]> = LazyLock::new(|| statements(DbBackend::Postgres, Events::Listed));

/// The statements for listed events on a backend, prepared once.
pub fn listed(backend: DbBackend) -> &'static [String; 2] {
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

/// Counts every event anew.
pub async fn recount<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    conn.execute_unprepared("DELETE FROM event_counts").await?;
    conn.execute_unprepared("DELETE FROM country_pairs").await?;
    for sql in statements(conn.get_database_backend(), Events::All) {
        conn.execute_unprepared(&sql).await?;
    }
    Ok(())
}
