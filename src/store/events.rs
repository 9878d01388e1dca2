//! Writing batches of events: participants and sources resolved (matched
//! or created) for the whole batch at once, then events and their links.
//! The rules live here, once; the statements are a `BatchStore`'s.

use super::batch::{BatchStore, LINK_TABLES, Links, Mode, Stored, WriteCounts, unique_to_conflict};
use super::counts::Counted;
use super::documents::{render, text_row};
use super::pg_batch::PgBatch;
use super::resolve::{People, Sources, resolve_participants, resolve_sources};
use super::seaorm_batch::SeaOrmBatch;
use crate::domain::NewEvent;
use crate::domain::participant::event_countries;
use crate::error::ApiError;
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use entity::{event, event_country, event_participant, event_source, event_tag, participant};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use std::collections::{HashMap, HashSet};

/// Writes a batch of events with their links inside the caller's
/// transaction (an `EventWriter`'s, or the seed's migration), where the
/// connection is all there is to say which statements to run. It costs a
/// fixed number of statements per batch, not per event. Events whose content
/// is unchanged are left as they are; a key given twice keeps the last.
pub async fn write_events<C: ConnectionTrait>(
    txn: &C,
    batch: Vec<NewEvent>,
    mode: Mode,
) -> Result<WriteCounts, ApiError> {
    match txn.get_database_backend() {
        DbBackend::Postgres => write_batch(&mut PgBatch::new(txn), batch, mode).await,
        _ => write_batch(&mut SeaOrmBatch(txn), batch, mode).await,
    }
}

/// The rules of a batch write, over any `BatchStore`.
pub async fn write_batch<S: BatchStore>(
    store: &mut S,
    batch: Vec<NewEvent>,
    mode: Mode,
) -> Result<WriteCounts, ApiError> {
    let mut counts = WriteCounts::default();
    let mut seen = HashSet::new();
    let mut events: Vec<NewEvent> = batch.into_iter().rev().filter(|e| seen.insert(e.key.clone())).collect();
    events.reverse();
    if events.is_empty() {
        return Ok(counts);
    }

    let keys: Vec<String> = events.iter().map(|e| e.key.clone()).collect();
    let stored: HashMap<String, Stored> = store.stored_events(&keys).await?;
    if mode == Mode::CreateOnly
        && let Some(new) = events.iter().find(|new| stored.contains_key(&new.key))
    {
        return Err(ApiError::conflict(
            Some("key"),
            format!("an event with key '{}' exists; PUT /api/v1/events/{} replaces it", new.key, new.key),
        ));
    }
    // An event written again as it is stored is left alone, its
    // participants and sources unread (a file imported again).
    events.retain(|new| {
        let same = stored.get(&new.key).is_some_and(|old| old.content_hash == new.content_hash);
        counts.unchanged += u64::from(same);
        !same
    });
    if events.is_empty() {
        return Ok(counts);
    }
    // Events an import has not stemmed yet (it stems those it parses), half
    // on a second thread: stemming was the largest part of the writing
    // thread's own work, and a large import waits for that thread.
    crate::parallel::for_each(&mut events, NewEvent::stem);

    let people = resolve_participants(store, &events, &mut counts).await?;
    let sources = resolve_sources(store, &events, &mut counts).await?;

    // Both databases keep at least microseconds; a document rendered with
    // nanoseconds would disagree with its row once read back.
    let now = Utc::now().trunc_subsecs(3);
    // The events the batch rewrites, and their derived rows as stored: only
    // the rows that change are written again.
    let rewritten: HashMap<i64, &Stored> =
        events.iter().filter_map(|new| stored.get(&new.key)).map(|old| (old.id, old)).collect();
    let before = store.stored_links(&rewritten.keys().copied().collect::<Vec<_>>()).await?;
    // Rows and documents made on both cores, for the same reason as stems.
    let rows = crate::parallel::map(&events, |new| {
        let (id, created_at) = stored.get(&new.key).map_or((0, now), |old| (old.id, old.created_at));
        let mut row = event_row(new, new.content_hash.clone(), created_at, now);
        row.id = id;
        row.document = document(&row, new, &people, &sources)?;
        Ok::<_, ApiError>(row)
    });
    let mut fresh: Vec<event::Model> = Vec::new();
    let mut fresh_events: Vec<&NewEvent> = Vec::new();
    let mut updated: Vec<event::Model> = Vec::new();
    let mut written: Vec<(i64, &NewEvent)> = Vec::new();
    for (new, row) in events.iter().zip(rows) {
        let row = row?;
        if row.id == 0 {
            fresh.push(row);
            fresh_events.push(new);
        } else {
            written.push((row.id, new));
            updated.push(row);
        }
    }
    if !updated.is_empty() {
        counts.updated = updated.len() as u64;
        store.update_events(&updated).await?;
    }

    if !fresh.is_empty() {
        counts.created = fresh.len() as u64;
        let ids = store
            .insert_events(fresh)
            .await
            .map_err(|e| unique_to_conflict(e, "key", "an event with this key was created concurrently"))?;
        written.extend(ids.into_iter().zip(fresh_events));
    }
    let mut links = links(&written, &people, &sources)?;
    let deleted = keep_changes(&mut links, before, &rewritten);
    let (positioned, whole) = LINK_TABLES.split_at(deleted.positions.len());
    for (table, keys) in positioned.iter().zip(deleted.positions) {
        store.delete_positions(table, &keys).await?;
    }
    for (table, event_ids) in whole.iter().zip(deleted.events) {
        store.delete_links(table, &event_ids).await?;
    }
    store.insert_links(links).await?;
    Ok(counts)
}

/// Turns the links of written events into what changes: the rewritten
/// events (`stored`) come out of the counts as their stored rows (`before`)
/// have them; of the participant, source and tag rows, a rewritten event
/// keeps those stored as they are, and of its country and search-text rows,
/// all of them when they are the same. Returns the stored rows that are not
/// kept, to be deleted before the rest is inserted. A changed title rewrites
/// the event and its search text; a tag added at the end, one tag row.
/// Neither rewrites its participants, sources, countries or counts (a
/// million-row index each).
fn keep_changes(links: &mut Links, before: Links, stored: &HashMap<i64, &Stored>) -> Deleted {
    let tags = by_event(&before.tags, |t| t.event_id);
    let countries = by_event(&before.countries, |c| c.event_id);
    let participants = by_event(&before.participants, |p| p.event_id);
    for (id, old) in stored {
        let mut old_tags = tags.get(id).cloned().unwrap_or_default();
        old_tags.sort_unstable_by_key(|t| t.position);
        let old_tags: Vec<String> = old_tags.into_iter().map(|t| t.tag.clone()).collect();
        let old_countries: Vec<&str> = countries.get(id).into_iter().flatten().map(|c| c.country.as_str()).collect();
        let old_participants: Vec<i64> = participants.get(id).into_iter().flatten().map(|p| p.participant_id).collect();
        links.counts.take_out(&Counted {
            countries: &old_countries,
            kind: &old.kind,
            start: old.start_date,
            last_day: old.last_day,
            precision: &old.precision,
            tags: &old_tags,
            participants: &old_participants,
        });
    }
    Deleted {
        positions: [
            keep_stored_rows(&mut links.participants, before.participants, |r| (r.event_id, r.position), stored),
            keep_stored_rows(&mut links.sources, before.sources, |r| (r.event_id, r.position), stored),
            keep_stored_rows(&mut links.tags, before.tags, |r| (r.event_id, r.position), stored),
        ],
        events: [
            keep_changed_rows(&mut links.countries, before.countries, |r| r.event_id, stored),
            keep_changed_rows(&mut links.texts, before.texts, |r| r.event_id, stored),
        ],
    }
}

/// What a batch deletes of its rewritten events' stored links before it
/// inserts the new ones (`keep_changes`).
struct Deleted {
    /// Keys (event, position) in each of the first three of `LINK_TABLES`.
    positions: [Vec<(i64, i32)>; 3],
    /// Events whose rows go, in each of the last two.
    events: [Vec<i64>; 2],
}

/// Drops from `new` the rows of rewritten events that `old` holds as they
/// are; returns the keys (event, position) of the rows of `old` that `new`
/// does not hold, in order. A key in both, its row changed, is deleted and
/// inserted again.
fn keep_stored_rows<T: PartialEq>(
    new: &mut Vec<T>,
    old: Vec<T>,
    key: fn(&T) -> (i64, i32),
    rewritten: &HashMap<i64, &Stored>,
) -> Vec<(i64, i32)> {
    let old_rows = by_event(&old, |row| key(row).0);
    let new_rows = by_event(new, |row| key(row).0);
    let mut gone: Vec<(i64, i32)> =
        old.iter().filter(|row| !new_rows.get(&key(row).0).is_some_and(|rows| rows.contains(row))).map(key).collect();
    gone.sort_unstable();
    new.retain(|row| {
        let event_id = key(row).0;
        !(rewritten.contains_key(&event_id) && old_rows.get(&event_id).is_some_and(|rows| rows.contains(&row)))
    });
    gone
}

/// Drops from `new` the rows of rewritten events whose rows in this table
/// are those `old` holds, in any order; returns the rewritten events whose
/// rows differ.
fn keep_changed_rows<T: PartialEq>(
    new: &mut Vec<T>,
    old: Vec<T>,
    event_id: fn(&T) -> i64,
    rewritten: &HashMap<i64, &Stored>,
) -> Vec<i64> {
    let old_rows = by_event(&old, event_id);
    let new_rows = by_event(new, event_id);
    // A table's rows of one event are few (tens at most) and unique.
    let same = |id: &i64| {
        let (old, new) =
            (old_rows.get(id).map_or(&[][..], Vec::as_slice), new_rows.get(id).map_or(&[][..], Vec::as_slice));
        old.len() == new.len() && new.iter().all(|row| old.contains(row))
    };
    let mut differing: Vec<i64> = rewritten.keys().copied().filter(|id| !same(id)).collect();
    differing.sort_unstable();
    new.retain(|row| {
        let id = event_id(row);
        !rewritten.contains_key(&id) || differing.binary_search(&id).is_ok()
    });
    differing
}

/// Rows by their event.
fn by_event<T>(rows: &[T], event_id: impl Fn(&T) -> i64) -> HashMap<i64, Vec<&T>> {
    let mut grouped: HashMap<i64, Vec<&T>> = HashMap::new();
    for row in rows {
        grouped.entry(event_id(row)).or_default().push(row);
    }
    grouped
}

/// The row of an event, without its document; `id` is set by the caller or
/// the insert.
fn event_row(new: &NewEvent, hash: String, created_at: DateTime<Utc>, now: DateTime<Utc>) -> event::Model {
    let location = new.location.as_ref();
    let legacy = new.date.legacy();
    event::Model {
        id: 0,
        key: new.key.clone(),
        kind: new.kind.clone(),
        title: new.title.clone(),
        summary: new.summary.clone(),
        start_date: new.date.earliest(),
        end_date: legacy.end,
        last_day: new.date.latest(),
        span_days: new.date.span_days(),
        date_precision: legacy.precision.as_str().to_owned(),
        date_edtf: new.date.to_edtf(),
        known_precision: new.date.precision().as_str().to_owned(),
        date_text: new.date_text.clone(),
        date_basis: new.date_basis.clone(),
        location_name: location.and_then(|l| l.name.clone()),
        location_country: location.and_then(|l| l.country.clone()),
        lat: location.and_then(|l| l.lat),
        lon: location.and_then(|l| l.lon),
        content_hash: hash,
        line_hash: new.line_hash,
        document: String::new(),
        created_at,
        updated_at: now,
    }
}

/// The stored document of an event about to be written.
fn document(row: &event::Model, new: &NewEvent, people: &People, sources: &Sources) -> Result<String, ApiError> {
    let missing = || ApiError::Database(DbErr::RecordNotFound("a resolved participant or source".into()));
    let mut taking_part = Vec::with_capacity(new.participants.len());
    for (spec, role) in &new.participants {
        taking_part.push((people.get(spec).ok_or_else(missing)?, role.as_deref()));
    }
    let cited = new
        .sources
        .iter()
        .map(|(s, evidence)| Ok((sources.get(s).ok_or_else(missing)?, evidence)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    render(row, &taking_part, &cited, &new.tags)
}

/// The `event_countries` rows of an event (see `event_countries`).
pub fn event_country_rows<'a>(
    event_id: i64,
    start: NaiveDate,
    last_day: NaiveDate,
    participants: impl IntoIterator<Item = &'a participant::Model>,
) -> Vec<event_country::Model> {
    let codes = event_countries(participants.into_iter().map(|p| (p.kind.as_str(), p.country.as_deref())));
    let partners_of = |own: &str| codes.iter().filter(|c| **c != own).copied().collect::<Vec<_>>().join(" ");
    codes
        .iter()
        .map(|code| event_country::Model {
            country: (*code).to_owned(),
            start_date: start,
            event_id,
            last_day,
            partners: partners_of(code),
        })
        .collect()
}

/// The links of written events, made on both cores (as rows are).
fn links(written: &[(i64, &NewEvent)], people: &People, sources: &Sources) -> Result<Links, DbErr> {
    let (first, second) = crate::parallel::halves(written, |half| links_of(half, people, sources));
    let (mut links, second) = (first?, second?);
    links.participants.extend(second.participants);
    links.sources.extend(second.sources);
    links.tags.extend(second.tags);
    links.countries.extend(second.countries);
    links.texts.extend(second.texts);
    links.counts.merge(second.counts);
    Ok(links)
}

fn links_of(written: &[(i64, &NewEvent)], people: &People, sources: &Sources) -> Result<Links, DbErr> {
    let mut links = Links::default();
    for &(event_id, new) in written {
        let mut rows = Vec::with_capacity(new.participants.len());
        for (i, (spec, role)) in new.participants.iter().enumerate() {
            let p = people.get(spec).ok_or_else(|| DbErr::RecordNotFound("participant".into()))?;
            rows.push(p);
            links.participants.push(event_participant::Model {
                event_id,
                position: i as i32,
                participant_id: p.id,
                role: role.clone(),
            });
        }
        for (i, (spec, evidence)) in new.sources.iter().enumerate() {
            let id = sources.get(spec).ok_or_else(|| DbErr::RecordNotFound("source".into()))?.id;
            links.sources.push(event_source::Model {
                event_id,
                position: i as i32,
                source_id: id,
                quote: evidence.quote.clone(),
                note: evidence.note.clone(),
            });
        }
        for (i, tag) in new.tags.iter().enumerate() {
            links.tags.push(event_tag::Model { event_id, position: i as i32, tag: tag.clone() });
        }
        links.texts.push(text_row(event_id, new.date.earliest(), &new.stems, &rows));
        let participants: Vec<i64> = rows.iter().map(|p| p.id).collect();
        let countries = event_country_rows(event_id, new.date.earliest(), new.date.latest(), rows);
        let codes: Vec<&str> = countries.iter().map(|c| c.country.as_str()).collect();
        links.counts.add(&Counted {
            countries: &codes,
            kind: &new.kind,
            start: new.date.earliest(),
            last_day: new.date.latest(),
            precision: new.date.precision().as_str(),
            tags: &new.tags,
            participants: &participants,
        });
        links.countries.extend(countries);
    }
    Ok(links)
}
