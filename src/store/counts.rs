//! The counts behind facets and relations (`event_counts`,
//! `country_pairs`): every write takes the events it changes out of them
//! before and puts them back after, with two grouped statements per batch
//! whatever its size. The statements read the stored rows, so they are the
//! same for every way an event is written or deleted.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use std::sync::LazyLock;

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
