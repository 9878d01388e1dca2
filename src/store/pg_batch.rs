//! `BatchStore` on PostgreSQL: one statement per table per batch, its rows
//! passed as a single JSON parameter and unpacked by `json_to_recordset`.
//!
//! Multi-row `VALUES` and `IN (…)` lists with thousands of parameters made
//! PostgreSQL parse and plan thousands of expressions per statement and left
//! the importer idle most of the time (bench/README.md). One parameter keeps
//! every statement's plan small, and `RETURNING` hands back new ids without
//! a second lookup. A first load sends new rows by `COPY` instead
//! (`pg_copy.rs`), with ids it takes from the sequences beforehand.

use super::batch::{BatchStore, Links, PARTICIPANT_COLUMNS, SOURCE_COLUMNS, STORED_COLUMNS, Stored};
use super::pg_copy::CopyRows;
use super::pg_first_load::PgFirstLoad;
use super::seaorm_batch::stored_links;
use crate::db::LoadConnection;
use crate::search;
use chrono::{DateTime, Utc};
use entity::{event, event_text, participant, source};
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement};
use serde::Serialize;
use std::collections::HashMap;

pub struct PgBatch<'c, C> {
    conn: &'c C,
    /// In a first load: its connection, for `COPY`; the sources by their
    /// identity's digest, while the index of their identities is dropped;
    /// and the counts gathered for its end.
    first_load: Option<(&'c LoadConnection, &'c mut PgFirstLoad)>,
}

impl<'c, C> PgBatch<'c, C> {
    pub fn new(conn: &'c C) -> Self {
        PgBatch { conn, first_load: None }
    }
}

impl<'c> PgBatch<'c, LoadConnection> {
    pub fn first_load(conn: &'c LoadConnection, load: &'c mut PgFirstLoad) -> Self {
        PgBatch { conn, first_load: Some((conn, load)) }
    }
}

impl<C: ConnectionTrait> BatchStore for PgBatch<'_, C> {
    async fn stored_events(&mut self, keys: &[String]) -> Result<HashMap<String, Stored>, DbErr> {
        let sql = format!(
            "SELECT key, {STORED_COLUMNS} FROM events WHERE key IN (SELECT json_array_elements_text($1::json))"
        );
        let mut stored = HashMap::new();
        for row in self.query(&sql, json_array(keys)?).await? {
            let stored_row = Stored {
                id: row.try_get_by_index(1)?,
                content_hash: row.try_get_by_index(2)?,
                created_at: row.try_get_by_index(3)?,
                kind: row.try_get_by_index(4)?,
                start_date: row.try_get_by_index(5)?,
                last_day: row.try_get_by_index(6)?,
                precision: row.try_get_by_index(7)?,
            };
            stored.insert(row.try_get_by_index(0)?, stored_row);
        }
        Ok(stored)
    }

    async fn participants_by_id(&mut self, ids: &[i64]) -> Result<Vec<participant::Model>, DbErr> {
        let sql = format!(
            "SELECT {PARTICIPANT_COLUMNS} FROM participants \
             WHERE id IN (SELECT json_array_elements_text($1::json)::bigint)"
        );
        self.query(&sql, json_array(ids)?).await?.iter().map(participant_row).collect()
    }

    async fn participants_by_identity(&mut self, identities: &[String]) -> Result<Vec<participant::Model>, DbErr> {
        let sql = format!(
            "SELECT {PARTICIPANT_COLUMNS} FROM participants \
             WHERE identity IN (SELECT json_array_elements_text($1::json))"
        );
        self.query(&sql, json_array(identities)?).await?.iter().map(participant_row).collect()
    }

    async fn insert_participants(&mut self, rows: Vec<participant::Model>) -> Result<Vec<participant::Model>, DbErr> {
        let sql = format!(
            "INSERT INTO participants (kind, name, country, identity, folded) \
             SELECT kind, name, country, identity, folded FROM json_to_recordset($1::json) \
             AS r(kind text, name text, country text, identity text, folded text) RETURNING {PARTICIPANT_COLUMNS}"
        );
        self.query(&sql, json_array(&rows)?).await?.iter().map(participant_row).collect()
    }

    async fn sources_by_id(&mut self, ids: &[i64]) -> Result<Vec<source::Model>, DbErr> {
        let sql = format!(
            "SELECT {SOURCE_COLUMNS} FROM sources WHERE id IN (SELECT json_array_elements_text($1::json)::bigint)"
        );
        self.query(&sql, json_array(ids)?).await?.iter().map(source_row).collect()
    }

    async fn sources_by_identity(&mut self, identities: &[String]) -> Result<Vec<source::Model>, DbErr> {
        let sql = format!(
            "SELECT {SOURCE_COLUMNS} FROM sources WHERE identity IN (SELECT json_array_elements_text($1::json))"
        );
        let Some(known) = self.first_load.as_ref().map(|(_, load)| &load.sources) else {
            return self.query(&sql, json_array(identities)?).await?.iter().map(source_row).collect();
        };
        let wanted: Vec<(&String, i64)> = identities.iter().filter_map(|i| known.get(i).map(|id| (i, id))).collect();
        let ids: Vec<i64> = wanted.iter().map(|(_, id)| *id).collect();
        let by_id: HashMap<i64, source::Model> =
            self.sources_by_id(&ids).await?.into_iter().map(|row| (row.id, row)).collect();
        let mut found = Vec::with_capacity(wanted.len());
        let mut collided = Vec::new();
        for (identity, id) in wanted {
            match by_id.get(&id) {
                Some(row) if row.identity == *identity => found.push(row.clone()),
                // Another identity with the same digest: found without its
                // index, by reading them all (1 in 10^7 at 1M sources).
                _ => collided.push(identity),
            }
        }
        if !collided.is_empty() {
            found.extend(
                self.query(&sql, json_array(&collided)?)
                    .await?
                    .iter()
                    .map(source_row)
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        Ok(found)
    }

    async fn insert_sources(&mut self, mut rows: Vec<source::Model>) -> Result<Vec<source::Model>, DbErr> {
        if let Some((copy, load)) = self.first_load.as_mut() {
            let ids = take_ids(copy, "sources", rows.len()).await?;
            let mut data = CopyRows::default();
            for (row, id) in rows.iter_mut().zip(ids) {
                row.id = id;
                data.row(&[
                    &row.id,
                    &row.url,
                    &row.title,
                    &row.publisher,
                    &row.published_at,
                    &row.language,
                    &row.identity,
                    &row.published,
                ]);
                load.sources.insert(&row.identity, row.id);
            }
            copy.copy_in(&format!("COPY sources ({SOURCE_COLUMNS}) FROM STDIN"), data.bytes()).await?;
            return Ok(rows);
        }
        let sql = format!(
            "INSERT INTO sources (url, title, publisher, published_at, language, identity, published) \
             SELECT url, title, publisher, published_at, language, identity, published \
             FROM json_to_recordset($1::json) AS r(url text, title text, publisher text, \
             published_at timestamptz, language text, identity text, published text) \
             RETURNING {SOURCE_COLUMNS}"
        );
        self.query(&sql, json_array(&rows)?).await?.iter().map(source_row).collect()
    }

    async fn update_events(&mut self, rows: &[event::Model]) -> Result<(), DbErr> {
        let sql = "UPDATE events SET key = r.key, kind = r.kind, title = r.title, summary = r.summary, \
                   start_date = r.start_date, end_date = r.end_date, last_day = r.last_day, \
                   span_days = r.span_days, date_precision = r.date_precision, date_edtf = r.date_edtf, \
                   known_precision = r.known_precision, date_text = r.date_text, date_basis = r.date_basis, \
                   location_name = r.location_name, \
                   location_country = r.location_country, lat = r.lat, lon = r.lon, \
                   content_hash = r.content_hash, line_hash = r.line_hash, document = r.document, \
                   updated_at = r.updated_at \
                   FROM json_to_recordset($1::json) AS r(id bigint, key text, kind text, title text, \
                   summary text, start_date date, end_date date, last_day date, span_days integer, \
                   date_precision text, date_edtf text, known_precision text, date_text text, date_basis text, \
                   location_name text, location_country text, lat float8, lon float8, \
                   content_hash text, line_hash bigint, document text, updated_at timestamptz) \
                   WHERE events.id = r.id";
        write_rows(self.conn, sql, rows).await
    }

    async fn insert_events(&mut self, rows: Vec<event::Model>) -> Result<Vec<i64>, DbErr> {
        if let Some((copy, _)) = self.first_load.as_ref() {
            let ids = take_ids(copy, "events", rows.len()).await?;
            let mut data = CopyRows::default();
            for (row, id) in rows.iter().zip(&ids) {
                data.row(&[
                    id,
                    &row.key,
                    &row.kind,
                    &row.title,
                    &row.summary,
                    &row.start_date,
                    &row.end_date,
                    &row.last_day,
                    &row.span_days,
                    &row.date_precision,
                    &row.date_edtf,
                    &row.known_precision,
                    &row.date_text,
                    &row.date_basis,
                    &row.location_name,
                    &row.location_country,
                    &row.lat,
                    &row.lon,
                    &row.content_hash,
                    &row.line_hash,
                    &row.document,
                    &row.created_at,
                    &row.updated_at,
                ]);
            }
            copy.copy_in(&format!("COPY events (id, {EVENT_COLUMNS}) FROM STDIN"), data.bytes()).await?;
            return Ok(ids);
        }
        let sql = format!(
            "INSERT INTO events ({EVENT_COLUMNS}) SELECT {EVENT_COLUMNS} \
                   FROM json_to_recordset($1::json) AS r(key text, kind text, title text, summary text, \
                   start_date date, end_date date, last_day date, span_days integer, date_precision text, \
                   date_edtf text, known_precision text, date_text text, date_basis text, \
                   location_name text, location_country text, lat float8, lon float8, content_hash text, \
                   line_hash bigint, document text, created_at timestamptz, updated_at timestamptz) \
                   RETURNING key, id"
        );
        let keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(rows.len());
        for row in self.query(&sql, json_array(&rows)?).await? {
            ids.insert(row.try_get_by_index(0)?, row.try_get_by_index(1)?);
        }
        keys.iter().map(|k| ids.get(k).copied().ok_or_else(|| DbErr::RecordNotFound(k.clone()))).collect()
    }

    async fn stored_links(&mut self, event_ids: &[i64]) -> Result<Links, DbErr> {
        if event_ids.is_empty() {
            return Ok(Links::default());
        }
        stored_links(self.conn, &[Expr::cust_with_values(OF_EVENTS, [json_array(event_ids)?])]).await
    }

    async fn delete_links(&mut self, table: &str, event_ids: &[i64]) -> Result<(), DbErr> {
        if !event_ids.is_empty() {
            let sql = format!("DELETE FROM {table} WHERE {OF_EVENTS}");
            self.conn.execute_raw(statement(&sql, json_array(event_ids)?)).await?;
        }
        Ok(())
    }

    async fn delete_positions(&mut self, table: &str, keys: &[(i64, i32)]) -> Result<(), DbErr> {
        if !keys.is_empty() {
            let sql = format!(
                "DELETE FROM {table} t USING json_to_recordset($1::json) AS r(event_id bigint, position integer) \
                 WHERE t.event_id = r.event_id AND t.position = r.position"
            );
            let keys: Vec<Position> =
                keys.iter().map(|&(event_id, position)| Position { event_id, position }).collect();
            self.conn.execute_raw(statement(&sql, json_array(&keys)?)).await?;
        }
        Ok(())
    }

    async fn insert_links(&mut self, mut links: Links) -> Result<(), DbErr> {
        let counts = std::mem::take(&mut links.counts);
        if let Some((copy, load)) = self.first_load.as_mut() {
            load.counts.merge(counts);
            return copy_links(copy, &links).await;
        }
        super::counts::add(self.conn, &counts).await?;
        write_rows(
            self.conn,
            "INSERT INTO event_participants (event_id, position, participant_id, role) \
             SELECT * FROM json_to_recordset($1::json) \
             AS r(event_id bigint, position integer, participant_id bigint, role text)",
            &links.participants,
        )
        .await?;
        write_rows(
            self.conn,
            "INSERT INTO event_sources (event_id, position, source_id, quote, note) \
             SELECT * FROM json_to_recordset($1::json) \
             AS r(event_id bigint, position integer, source_id bigint, quote text, note text)",
            &links.sources,
        )
        .await?;
        write_rows(
            self.conn,
            "INSERT INTO event_tags (event_id, position, tag) SELECT * FROM json_to_recordset($1::json) \
             AS r(event_id bigint, position integer, tag text)",
            &links.tags,
        )
        .await?;
        write_rows(
            self.conn,
            "INSERT INTO event_countries (country, start_date, event_id, last_day, partners) \
             SELECT * FROM json_to_recordset($1::json) \
             AS r(country text, start_date date, event_id bigint, last_day date, partners text)",
            &links.countries,
        )
        .await?;
        insert_texts(self.conn, &links.texts).await
    }
}

/// Inserts `event_texts` rows with their search vectors, which PostgreSQL
/// no longer makes itself (`search::tsvector`): a batch's and a rerender's.
pub async fn insert_texts<C: ConnectionTrait>(conn: &C, texts: &[event_text::Model]) -> Result<(), DbErr> {
    #[derive(Serialize)]
    struct Row<'a> {
        event_id: i64,
        position: i64,
        search_text: &'a str,
        countries: &'a str,
        search_vector: String,
    }
    let rows: Vec<Row> = texts
        .iter()
        .map(|t| Row {
            event_id: t.event_id,
            position: t.position,
            search_text: &t.search_text,
            countries: &t.countries,
            search_vector: search::tsvector(&t.search_text, &t.countries),
        })
        .collect();
    let sql = "INSERT INTO event_texts (event_id, position, search_text, countries, search_vector) \
               SELECT * FROM json_to_recordset($1::json) \
               AS r(event_id bigint, position bigint, search_text text, countries text, search_vector tsvector)";
    write_rows(conn, sql, &rows).await
}

impl<C: ConnectionTrait> PgBatch<'_, C> {
    async fn query(&self, sql: &str, json: String) -> Result<Vec<QueryResult>, DbErr> {
        self.conn.query_all_raw(statement(sql, json)).await
    }
}

/// Inserts `rows`, one JSON parameter for all of them, unless there are none.
async fn write_rows<C: ConnectionTrait, T: Serialize>(conn: &C, sql: &str, rows: &[T]) -> Result<(), DbErr> {
    if !rows.is_empty() {
        conn.execute_raw(statement(sql, json_array(rows)?)).await?;
    }
    Ok(())
}

/// Ids for `n` new rows of `table`, taken from its sequence at once (a
/// first load has the database to itself).
async fn take_ids(conn: &LoadConnection, table: &str, n: usize) -> Result<Vec<i64>, DbErr> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let sql = "SELECT setval(pg_get_serial_sequence($1, 'id'), nextval(pg_get_serial_sequence($1, 'id')) + $2 - 1)";
    let values = [table.into(), (n as i64).into()];
    let row = conn.query_one_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, values)).await?;
    let last: i64 =
        row.ok_or_else(|| DbErr::RecordNotFound(format!("the sequence of {table}")))?.try_get_by_index(0)?;
    Ok((last + 1 - n as i64..=last).collect())
}

/// A first load's link rows, by `COPY`.
async fn copy_links(copy: &LoadConnection, links: &Links) -> Result<(), DbErr> {
    let mut rows = CopyRows::default();
    for r in &links.participants {
        rows.row(&[&r.event_id, &r.position, &r.participant_id, &r.role]);
    }
    send(copy, "event_participants (event_id, position, participant_id, role)", rows).await?;
    let mut rows = CopyRows::default();
    for r in &links.sources {
        rows.row(&[&r.event_id, &r.position, &r.source_id, &r.quote, &r.note]);
    }
    send(copy, "event_sources (event_id, position, source_id, quote, note)", rows).await?;
    let mut rows = CopyRows::default();
    for r in &links.tags {
        rows.row(&[&r.event_id, &r.position, &r.tag]);
    }
    send(copy, "event_tags (event_id, position, tag)", rows).await?;
    let mut rows = CopyRows::default();
    for r in &links.countries {
        rows.row(&[&r.country, &r.start_date, &r.event_id, &r.last_day, &r.partners]);
    }
    send(copy, "event_countries (country, start_date, event_id, last_day, partners)", rows).await?;
    let mut rows = CopyRows::default();
    for r in &links.texts {
        rows.row(&[
            &r.event_id,
            &r.position,
            &r.search_text,
            &r.countries,
            &search::tsvector(&r.search_text, &r.countries),
        ]);
    }
    send(copy, "event_texts (event_id, position, search_text, countries, search_vector)", rows).await
}

/// Copies `rows` into `table` (its name and columns), unless there are none.
async fn send(copy: &LoadConnection, table: &str, rows: CopyRows) -> Result<(), DbErr> {
    if !rows.bytes().is_empty() {
        copy.copy_in(&format!("COPY {table} FROM STDIN"), rows.bytes()).await?;
    }
    Ok(())
}

/// A row's key in a table of `delete_positions`, as a JSON object.
#[derive(Serialize)]
struct Position {
    event_id: i64,
    position: i32,
}

/// The columns `insert_events` writes, in `event::Model`'s order.
const EVENT_COLUMNS: &str = "key, kind, title, summary, start_date, end_date, last_day, span_days, date_precision, \
                             date_edtf, known_precision, date_text, date_basis, location_name, location_country, \
                             lat, lon, content_hash, line_hash, document, created_at, updated_at";

/// Rows of the events whose ids are the JSON array of the parameter.
const OF_EVENTS: &str = "event_id IN (SELECT json_array_elements_text($1::json)::bigint)";

/// Items as a JSON array; rows become objects keyed by column.
fn json_array<T: Serialize>(rows: &[T]) -> Result<String, DbErr> {
    serde_json::to_string(rows).map_err(|e| DbErr::Custom(e.to_string()))
}

/// JSON goes as text: sqlx sends a JSON value as `jsonb`, which PostgreSQL
/// would parse, sort by key and print again to make the `json` that the
/// statement parses (22 % of its CPU in a first load).
fn statement(sql: &str, json: String) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, sql, [json.into()])
}

fn participant_row(row: &QueryResult) -> Result<participant::Model, DbErr> {
    Ok(participant::Model {
        id: row.try_get_by_index(0)?,
        kind: row.try_get_by_index(1)?,
        name: row.try_get_by_index(2)?,
        country: row.try_get_by_index(3)?,
        identity: row.try_get_by_index(4)?,
        folded: row.try_get_by_index(5)?,
        search_names: row.try_get_by_index(6)?,
    })
}

fn source_row(row: &QueryResult) -> Result<source::Model, DbErr> {
    Ok(source::Model {
        id: row.try_get_by_index(0)?,
        url: row.try_get_by_index(1)?,
        title: row.try_get_by_index(2)?,
        publisher: row.try_get_by_index(3)?,
        published_at: row.try_get_by_index::<Option<DateTime<Utc>>>(4)?,
        language: row.try_get_by_index(5)?,
        identity: row.try_get_by_index(6)?,
        published: row.try_get_by_index(7)?,
    })
}
