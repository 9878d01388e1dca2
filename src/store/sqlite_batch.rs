//! `BatchStore` on a rusqlite connection, for bulk import into SQLite.
//!
//! Through sqlx every statement crosses to the connection's thread and back,
//! and a multi-row INSERT is built, bound and parsed anew each time. Here
//! each statement is prepared once and stepped per row on the importing
//! thread (bench/README.md has the figures). Values are stored in the text
//! forms sqlx stores, so either driver reads what the other wrote.

use super::batch::{BatchStore, Links, MAX_BINDS, PARTICIPANT_COLUMNS, SOURCE_COLUMNS, STORED_COLUMNS, Stored};
use super::counts::Deltas;
use super::first_load::SourceIds;
use crate::db::{sqlite_error as e, text_date, text_timestamp, timestamp};
use chrono::{DateTime, Utc};
use entity::{event, event_country, event_participant, event_source, event_tag, event_text, participant, source};
use rusqlite::{Connection, Row, ToSql, params};
use sea_orm::DbErr;
use std::collections::HashMap;

/// A batch's statements on `conn`. What the batch adds to the kept counts
/// is gathered in `counts` rather than written at once (`add_counts` writes
/// it, before a commit): an import's batches add to the same rows again and
/// again, so gathering ten batches' worth merges them into fewer upserts,
/// and the counts are sums, so when they are added within the transaction
/// does not matter.
pub struct SqliteBatch<'c> {
    pub conn: &'c Connection,
    pub counts: &'c mut Deltas,
    /// In a first load, the sources by their identity's digest, while the
    /// index of their identities is dropped (`first_load.rs`).
    pub sources: Option<&'c mut SourceIds>,
}

/// The most count rows gathered before they are written anyway (a strict
/// import never commits until its end): about 20 MB, so that a 1M import
/// stays within 300 MiB with a batch's lines held while they are parsed.
const MAX_GATHERED: usize = 400_000;

/// Adds gathered deltas to the kept counts, and empties them.
pub fn add_counts(conn: &Connection, deltas: &mut Deltas) -> Result<(), DbErr> {
    if deltas.is_empty() {
        return Ok(());
    }
    let statements = super::counts::upserts(sea_orm::DbBackend::Sqlite);
    for (sql, rows) in statements.iter().zip(deltas.params()) {
        conn.prepare_cached(sql).map_err(e)?.execute([rows]).map_err(e)?;
    }
    *deltas = Deltas::default();
    Ok(())
}

impl BatchStore for SqliteBatch<'_> {
    async fn stored_events(&mut self, keys: &[String]) -> Result<HashMap<String, Stored>, DbErr> {
        let sql = format!("SELECT key, {STORED_COLUMNS} FROM events WHERE key = ?1");
        let rows = self.lookup(&sql, keys, |r| {
            let old = Stored {
                id: r.get(1)?,
                content_hash: r.get(2)?,
                created_at: stored_timestamp(&r.get::<_, String>(3)?, 3)?,
                kind: r.get(4)?,
                start_date: r.get(5)?,
                last_day: r.get(6)?,
                precision: r.get(7)?,
            };
            Ok((r.get(0)?, old))
        })?;
        Ok(rows.into_iter().collect())
    }

    async fn participants_by_id(&mut self, ids: &[i64]) -> Result<Vec<participant::Model>, DbErr> {
        self.lookup(&format!("SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE id = ?1"), ids, participant_row)
    }

    async fn participants_by_identity(&mut self, identities: &[String]) -> Result<Vec<participant::Model>, DbErr> {
        let sql = format!("SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE identity = ?1");
        self.lookup(&sql, identities, participant_row)
    }

    async fn insert_participants(&mut self, rows: Vec<participant::Model>) -> Result<Vec<participant::Model>, DbErr> {
        let mut insert = self
            .conn
            .prepare_cached(
                "INSERT INTO participants (kind, name, country, identity, folded) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(e)?;
        let mut created = Vec::with_capacity(rows.len());
        for mut row in rows {
            row.id = insert.insert(params![row.kind, row.name, row.country, row.identity, row.folded]).map_err(e)?;
            created.push(row);
        }
        Ok(created)
    }

    async fn sources_by_id(&mut self, ids: &[i64]) -> Result<Vec<source::Model>, DbErr> {
        self.lookup(&format!("SELECT {SOURCE_COLUMNS} FROM sources WHERE id = ?1"), ids, source_row)
    }

    async fn sources_by_identity(&mut self, identities: &[String]) -> Result<Vec<source::Model>, DbErr> {
        let by_identity = format!("SELECT {SOURCE_COLUMNS} FROM sources WHERE identity = ?1");
        let Some(known) = self.sources.as_deref() else {
            return self.lookup(&by_identity, identities, source_row);
        };
        let by_id = format!("SELECT {SOURCE_COLUMNS} FROM sources WHERE id = ?1");
        let mut found = Vec::new();
        for identity in identities {
            let Some(id) = known.get(identity) else { continue };
            match self.lookup(&by_id, &[id], source_row)?.pop() {
                Some(row) if row.identity == *identity => found.push(row),
                // Another identity with the same digest: found without its
                // index, by reading them all (1 in 10^7 at 1M sources).
                _ => found.extend(self.lookup(&by_identity, std::slice::from_ref(identity), source_row)?),
            }
        }
        Ok(found)
    }

    async fn insert_sources(&mut self, rows: Vec<source::Model>) -> Result<Vec<source::Model>, DbErr> {
        let mut insert = self
            .conn
            .prepare_cached(
                "INSERT INTO sources (url, title, publisher, published_at, language, identity, published) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(e)?;
        let mut created = Vec::with_capacity(rows.len());
        for mut row in rows {
            let at = row.published_at.as_ref().map(text_timestamp);
            row.id = insert
                .insert(params![row.url, row.title, row.publisher, at, row.language, row.identity, row.published])
                .map_err(e)?;
            if let Some(known) = self.sources.as_deref_mut() {
                known.insert(&row.identity, row.id);
            }
            created.push(row);
        }
        Ok(created)
    }

    async fn update_events(&mut self, rows: &[event::Model]) -> Result<(), DbErr> {
        // SQLite rewrites the entries of every index on a column a SET
        // names, even with the value it had. The key never changes (the
        // event was found by it), and the kind and dates that the other
        // indexes hold change only for some rows: they are set apart, where
        // they differ.
        let mut update = self
            .conn
            .prepare_cached(
                "UPDATE events SET title = ?3, summary = ?4, end_date = ?6, last_day = ?7, date_precision = ?9, \
                 date_edtf = ?10, known_precision = ?11, date_text = ?12, date_basis = ?13, location_name = ?14, \
                 location_country = ?15, lat = ?16, lon = ?17, content_hash = ?18, line_hash = ?19, \
                 document = ?20, updated_at = ?21 WHERE id = ?22",
            )
            .map_err(e)?;
        let mut moved = self
            .conn
            .prepare_cached(
                "UPDATE events SET kind = ?2, start_date = ?5, span_days = ?8 \
                 WHERE id = ?22 AND (kind <> ?2 OR start_date <> ?5 OR span_days <> ?8)",
            )
            .map_err(e)?;
        for row in rows {
            let last: [&dyn ToSql; 2] = [&text_timestamp(&row.updated_at), &row.id];
            with_event_columns(row, last, |params| {
                update.execute(params)?;
                moved.execute(params)
            })
            .map_err(e)?;
        }
        Ok(())
    }

    async fn insert_events(&mut self, rows: Vec<event::Model>) -> Result<Vec<i64>, DbErr> {
        let mut insert = self
            .conn
            .prepare_cached(
                "INSERT INTO events (key, kind, title, summary, start_date, end_date, last_day, span_days, \
                 date_precision, date_edtf, known_precision, date_text, date_basis, location_name, \
                 location_country, lat, lon, content_hash, line_hash, document, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, \
                 ?20, ?21, ?22)",
            )
            .map_err(e)?;
        let mut ids = Vec::with_capacity(rows.len());
        for row in &rows {
            let times: [&dyn ToSql; 2] = [&text_timestamp(&row.created_at), &text_timestamp(&row.updated_at)];
            ids.push(with_event_columns(row, times, |params| insert.insert(params)).map_err(e)?);
        }
        Ok(ids)
    }

    async fn stored_links(&mut self, event_ids: &[i64]) -> Result<Links, DbErr> {
        let of_event = |table: &str, columns: &str| format!("SELECT {columns} FROM {table} WHERE event_id = ?1");
        let participants = of_event("event_participants", "event_id, position, participant_id, role");
        let sources = of_event("event_sources", "event_id, position, source_id, quote, note");
        let tags = of_event("event_tags", "event_id, position, tag");
        let countries = of_event("event_countries", "country, start_date, event_id, last_day, partners");
        let texts = of_event("event_texts", "event_id, position, search_text, countries");
        Ok(Links {
            participants: self.lookup(&participants, event_ids, |r| {
                Ok(event_participant::Model {
                    event_id: r.get(0)?,
                    position: r.get(1)?,
                    participant_id: r.get(2)?,
                    role: r.get(3)?,
                })
            })?,
            sources: self.lookup(&sources, event_ids, |r| {
                Ok(event_source::Model {
                    event_id: r.get(0)?,
                    position: r.get(1)?,
                    source_id: r.get(2)?,
                    quote: r.get(3)?,
                    note: r.get(4)?,
                })
            })?,
            tags: self.lookup(&tags, event_ids, |r| {
                Ok(event_tag::Model { event_id: r.get(0)?, position: r.get(1)?, tag: r.get(2)? })
            })?,
            countries: self.lookup(&countries, event_ids, |r| {
                Ok(event_country::Model {
                    country: r.get(0)?,
                    start_date: r.get(1)?,
                    event_id: r.get(2)?,
                    last_day: r.get(3)?,
                    partners: r.get(4)?,
                })
            })?,
            texts: self.lookup(&texts, event_ids, |r| {
                Ok(event_text::Model {
                    event_id: r.get(0)?,
                    position: r.get(1)?,
                    search_text: r.get(2)?,
                    countries: r.get(3)?,
                })
            })?,
            counts: Deltas::default(),
        })
    }

    async fn delete_links(&mut self, table: &str, event_ids: &[i64]) -> Result<(), DbErr> {
        if event_ids.is_empty() {
            return Ok(());
        }
        let sql = format!("DELETE FROM {table} WHERE event_id IN (SELECT value FROM json_each(?1))");
        let ids = serde_json::to_string(event_ids).map_err(|e| DbErr::Custom(e.to_string()))?;
        self.conn.prepare_cached(&sql).map_err(e)?.execute([ids]).map_err(e)?;
        Ok(())
    }

    async fn delete_positions(&mut self, table: &str, keys: &[(i64, i32)]) -> Result<(), DbErr> {
        let sql = format!("DELETE FROM {table} WHERE event_id = ?1 AND position = ?2");
        let mut delete = self.conn.prepare_cached(&sql).map_err(e)?;
        for (event_id, position) in keys {
            delete.execute(params![event_id, position]).map_err(e)?;
        }
        Ok(())
    }

    async fn insert_links(&mut self, links: Links) -> Result<(), DbErr> {
        self.counts.merge(links.counts);
        // A first load keeps the sources' digests besides: it gathers less.
        let at_most = if self.sources.is_some() { MAX_GATHERED / 2 } else { MAX_GATHERED };
        if self.counts.len() > at_most {
            add_counts(self.conn, self.counts)?;
        }
        let mut insert = self
            .conn
            .prepare_cached(
                "INSERT INTO event_participants (event_id, position, participant_id, role) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(e)?;
        for r in &links.participants {
            insert.execute(params![r.event_id, r.position, r.participant_id, r.role]).map_err(e)?;
        }
        let mut insert = self
            .conn
            .prepare_cached(
                "INSERT INTO event_sources (event_id, position, source_id, quote, note) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(e)?;
        for r in &links.sources {
            insert.execute(params![r.event_id, r.position, r.source_id, r.quote, r.note]).map_err(e)?;
        }
        let mut insert = self
            .conn
            .prepare_cached("INSERT INTO event_tags (event_id, position, tag) VALUES (?1, ?2, ?3)")
            .map_err(e)?;
        for r in &links.tags {
            insert.execute(params![r.event_id, r.position, r.tag]).map_err(e)?;
        }
        let mut insert = self
            .conn
            .prepare_cached(
                "INSERT INTO event_countries (country, start_date, event_id, last_day, partners) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(e)?;
        for r in &links.countries {
            insert
                .execute(params![r.country, text_date(r.start_date), r.event_id, text_date(r.last_day), r.partners])
                .map_err(e)?;
        }
        // FTS5 writes the terms it holds to a new segment whenever a
        // statement that may need undoing begins (every insert into
        // `event_texts`: its trigger feeds FTS5) and whenever a rowid is not
        // above the last one. So the rows go in many to a statement and in
        // rowid order; one to a statement, in the batch's order, they made
        // a segment, and merges, of each event (100k events: 14 % of the
        // import's time). The index's rowid is the position negated.
        let mut texts = links.texts;
        texts.sort_unstable_by_key(|r| std::cmp::Reverse(r.position));
        for chunk in texts.chunks(MAX_BINDS / 4) {
            let values = vec!["(?, ?, ?, ?)"; chunk.len()].join(", ");
            let sql = format!("INSERT INTO event_texts (event_id, position, search_text, countries) VALUES {values}");
            let mut insert = self.conn.prepare_cached(&sql).map_err(e)?;
            let params: Vec<&dyn ToSql> = chunk
                .iter()
                .flat_map(|r| [&r.event_id as &dyn ToSql, &r.position, &r.search_text, &r.countries])
                .collect();
            insert.execute(params.as_slice()).map_err(e)?;
        }
        Ok(())
    }
}

impl SqliteBatch<'_> {
    /// The rows an indexed lookup finds for each key, with one prepared
    /// statement.
    fn lookup<K: rusqlite::ToSql, T>(
        &self,
        sql: &str,
        keys: &[K],
        map: fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, DbErr> {
        let mut find = self.conn.prepare_cached(sql).map_err(e)?;
        let mut found = Vec::new();
        for key in keys {
            for row in find.query_map([key], map).map_err(e)? {
                found.push(row.map_err(e)?);
            }
        }
        Ok(found)
    }
}

/// Runs `statement` with an event's columns bound as ?1..?20 (those an
/// insert and an update both write, in the order of the insert's SQL) and
/// `last` as ?21 and ?22.
fn with_event_columns<T>(
    row: &event::Model,
    last: [&dyn ToSql; 2],
    statement: impl FnOnce(&[&dyn ToSql]) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let (start, end, last_day) = (text_date(row.start_date), row.end_date.map(text_date), text_date(row.last_day));
    let columns: [&dyn ToSql; 22] = [
        &row.key,
        &row.kind,
        &row.title,
        &row.summary,
        &start,
        &end,
        &last_day,
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
        last[0],
        last[1],
    ];
    statement(&columns)
}

fn participant_row(r: &Row<'_>) -> rusqlite::Result<participant::Model> {
    Ok(participant::Model {
        id: r.get(0)?,
        kind: r.get(1)?,
        name: r.get(2)?,
        country: r.get(3)?,
        identity: r.get(4)?,
        folded: r.get(5)?,
        search_names: r.get(6)?,
    })
}

/// A timestamp read as text from column `column`, in either form sqlx writes.
fn stored_timestamp(text: &str, column: usize) -> rusqlite::Result<DateTime<Utc>> {
    timestamp(text).map_err(|err| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, err.to_string().into())
    })
}

fn source_row(r: &Row<'_>) -> rusqlite::Result<source::Model> {
    let published: Option<String> = r.get(4)?;
    let published_at = published.map(|t| stored_timestamp(&t, 4)).transpose()?;
    Ok(source::Model {
        id: r.get(0)?,
        url: r.get(1)?,
        title: r.get(2)?,
        publisher: r.get(3)?,
        published_at,
        language: r.get(5)?,
        identity: r.get(6)?,
        published: r.get(7)?,
    })
}
