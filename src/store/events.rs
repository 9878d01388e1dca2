//! Writing batches of events: participants and sources resolved (matched
//! or created) for the whole batch at once, then events and their links.
//! The rules live here; the statements behind `BatchStore`: JSON-batched
//! statements on PostgreSQL, and on SQLite, SeaORM's multi-row statements
//! for single writes and prepared rusqlite statements for bulk import.

use super::batch_store::{BatchStore, SeaOrmBatch, Stored};
use super::documents::render;
use super::pg_batch::PgBatch;
use super::{Mode, WriteCounts, unique_to_conflict};
use crate::error::ApiError;
use crate::validate::{NewEvent, NewParticipant, NewSource, ParticipantSpec, SourceSpec};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use entity::derived::participant_identity;
use entity::{event, event_country, event_participant, event_source, event_tag, participant, source};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Writes a batch of events with their links inside the caller's
/// transaction: the one write path of the API and of bulk import. It costs a
/// fixed number of statements per batch, not per event. Events whose content
/// is unchanged are left as they are; a key given twice keeps the last.
pub async fn write_events<C: ConnectionTrait>(
    txn: &C,
    batch: Vec<NewEvent>,
    mode: Mode,
) -> Result<WriteCounts, ApiError> {
    match txn.get_database_backend() {
        DbBackend::Postgres => write_batch(&mut PgBatch(txn), batch, mode).await,
        _ => write_batch(&mut SeaOrmBatch(txn), batch, mode).await,
    }
}

/// `write_events` over any `BatchStore`.
pub(crate) async fn write_batch<S: BatchStore>(
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

    let people = resolve_participants(store, &events, &mut counts).await?;
    let sources = resolve_sources(store, &events, &mut counts).await?;

    let keys: Vec<String> = events.iter().map(|e| e.key.clone()).collect();
    let stored: HashMap<String, Stored> = store.stored_events(&keys).await?;

    // Both databases keep at least microseconds; a document rendered with
    // nanoseconds would disagree with its row once read back.
    let now = Utc::now().trunc_subsecs(3);
    let mut fresh: Vec<event::Model> = Vec::new();
    let mut fresh_events: Vec<&NewEvent> = Vec::new();
    let mut written: Vec<(i64, &NewEvent)> = Vec::new();
    for new in &events {
        let hash = new.content_hash.clone();
        match stored.get(&new.key) {
            Some(_) if mode == Mode::CreateOnly => {
                return Err(ApiError::conflict(
                    Some("key"),
                    format!("an event with key '{}' exists; PUT /api/v1/events/{} replaces it", new.key, new.key),
                ));
            }
            Some(old) if old.content_hash == hash => counts.unchanged += 1,
            Some(old) => {
                let document = render(new, &people, &sources, old.created_at, now)?;
                let mut row = event_row(new, hash, document, old.created_at, now);
                row.id = old.id;
                store.update_event(&row).await?;
                written.push((old.id, new));
                counts.updated += 1;
            }
            None => {
                let document = render(new, &people, &sources, now, now)?;
                fresh.push(event_row(new, hash, document, now, now));
                fresh_events.push(new);
            }
        }
    }

    let rewritten: Vec<i64> = written.iter().map(|(id, _)| *id).collect();
    store.delete_links(&rewritten).await?;
    if !fresh.is_empty() {
        counts.created = fresh.len() as u64;
        let ids = store
            .insert_events(fresh)
            .await
            .map_err(|e| unique_to_conflict(e, "key", "an event with this key was created concurrently"))?;
        written.extend(ids.into_iter().zip(fresh_events));
    }
    store.insert_links(links(&written, &people, &sources)?).await?;
    Ok(counts)
}

/// The row of an event; `id` is set by the caller or the insert.
fn event_row(
    new: &NewEvent,
    hash: String,
    document: String,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> event::Model {
    let location = new.location.as_ref();
    event::Model {
        id: 0,
        key: new.key.clone(),
        kind: new.kind.clone(),
        title: new.title.clone(),
        summary: new.summary.clone(),
        start_date: new.start,
        end_date: new.end,
        last_day: new.last_day,
        span_days: entity::derived::span_days(new.start, new.last_day),
        date_precision: new.precision.as_str().to_owned(),
        location_name: location.and_then(|l| l.name.clone()),
        location_country: location.and_then(|l| l.country.clone()),
        lat: location.and_then(|l| l.lat),
        lon: location.and_then(|l| l.lon),
        content_hash: hash,
        document,
        created_at,
        updated_at: now,
    }
}

/// The participants the batch names, by identity (described ones, matched
/// or created) and by id (those named by id, which must exist).
pub(super) struct People {
    by_identity: HashMap<String, participant::Model>,
    by_id: HashMap<i64, participant::Model>,
}

impl People {
    pub(super) fn get(&self, spec: &ParticipantSpec) -> Option<&participant::Model> {
        match spec {
            ParticipantSpec::Existing(id) => self.by_id.get(id),
            ParticipantSpec::Described(p) => {
                self.by_identity.get(&participant_identity(&p.kind, &p.name, p.country.as_deref()))
            }
        }
    }
}

async fn resolve_participants<S: BatchStore>(
    store: &mut S,
    events: &[NewEvent],
    counts: &mut WriteCounts,
) -> Result<People, ApiError> {
    let mut described: HashMap<String, &NewParticipant> = HashMap::new();
    let mut ids: BTreeSet<i64> = BTreeSet::new();
    for (spec, _) in events.iter().flat_map(|e| &e.participants) {
        match spec {
            ParticipantSpec::Existing(id) => {
                ids.insert(*id);
            }
            ParticipantSpec::Described(p) => {
                described.entry(participant_identity(&p.kind, &p.name, p.country.as_deref())).or_insert(p);
            }
        }
    }
    let ids: Vec<i64> = ids.into_iter().collect();
    let by_id: HashMap<i64, participant::Model> =
        store.participants_by_id(&ids).await?.into_iter().map(|r| (r.id, r)).collect();
    for event in events {
        for (i, (spec, _)) in event.participants.iter().enumerate() {
            if let ParticipantSpec::Existing(id) = spec
                && !by_id.contains_key(id)
            {
                return Err(ApiError::invalid(format!("participants[{i}].id"), format!("no participant with id {id}")));
            }
        }
    }

    let identities: Vec<String> = described.keys().cloned().collect();
    let mut by_identity: HashMap<String, participant::Model> =
        store.participants_by_identity(&identities).await?.into_iter().map(|r| (r.identity.clone(), r)).collect();
    let missing: Vec<participant::Model> = identities
        .iter()
        .filter(|identity| !by_identity.contains_key(*identity))
        .map(|identity| {
            let p = described[identity];
            participant::Model {
                id: 0,
                kind: p.kind.clone(),
                name: p.name.clone(),
                country: p.country.clone(),
                identity: identity.clone(),
            }
        })
        .collect();
    if !missing.is_empty() {
        counts.participants_created += missing.len() as u64;
        let created = store
            .insert_participants(missing)
            .await
            .map_err(|e| unique_to_conflict(e, "participants", "a participant was created concurrently; retry"))?;
        by_identity.extend(created.into_iter().map(|r| (r.identity.clone(), r)));
    }
    Ok(People { by_identity, by_id })
}

/// The sources of the batch: by url (matched or created) and by id.
pub(super) struct Sources {
    by_url: HashMap<String, source::Model>,
    by_id: HashMap<i64, source::Model>,
}

impl Sources {
    pub(super) fn get(&self, spec: &SourceSpec) -> Option<&source::Model> {
        match spec {
            SourceSpec::Existing(id) => self.by_id.get(id),
            SourceSpec::Described(s) => self.by_url.get(&s.url),
        }
    }
}

async fn resolve_sources<S: BatchStore>(
    store: &mut S,
    events: &[NewEvent],
    counts: &mut WriteCounts,
) -> Result<Sources, ApiError> {
    let mut described: HashMap<&str, &NewSource> = HashMap::new();
    let mut ids: BTreeSet<i64> = BTreeSet::new();
    for spec in events.iter().flat_map(|e| &e.sources) {
        match spec {
            SourceSpec::Existing(id) => {
                ids.insert(*id);
            }
            SourceSpec::Described(s) => {
                described.entry(s.url.as_str()).or_insert(s);
            }
        }
    }
    let ids: Vec<i64> = ids.into_iter().collect();
    let by_id: HashMap<i64, source::Model> = store.sources_by_id(&ids).await?.into_iter().map(|r| (r.id, r)).collect();
    for event in events {
        for (i, spec) in event.sources.iter().enumerate() {
            if let SourceSpec::Existing(id) = spec
                && !by_id.contains_key(id)
            {
                return Err(ApiError::invalid(format!("sources[{i}].id"), format!("no source with id {id}")));
            }
        }
    }

    let urls: Vec<String> = described.keys().map(|u| (*u).to_owned()).collect();
    let mut by_url: HashMap<String, source::Model> =
        store.sources_by_url(&urls).await?.into_iter().map(|r| (r.url.clone(), r)).collect();
    let missing: Vec<source::Model> =
        urls.iter().filter(|u| !by_url.contains_key(*u)).map(|u| source_row(described[u.as_str()])).collect();
    if !missing.is_empty() {
        counts.sources_created += missing.len() as u64;
        let created = store
            .insert_sources(missing)
            .await
            .map_err(|e| unique_to_conflict(e, "sources", "a source was created concurrently; retry"))?;
        by_url.extend(created.into_iter().map(|r| (r.url.clone(), r)));
    }
    Ok(Sources { by_url, by_id })
}

/// The row of a source; `id` is set by the insert.
pub(super) fn source_row(new: &NewSource) -> source::Model {
    source::Model {
        id: 0,
        url: new.url.clone(),
        title: new.title.clone(),
        publisher: new.publisher.clone(),
        published_at: new.published_at,
        language: new.language.clone(),
    }
}

/// The `event_countries` rows of an event: one per country that takes part
/// or is the nationality of a person taking part (organizations do not count).
pub(super) fn event_country_rows<'a>(
    event_id: i64,
    start: NaiveDate,
    last_day: NaiveDate,
    participants: impl IntoIterator<Item = &'a participant::Model>,
) -> Vec<event_country::Model> {
    let countries: BTreeSet<&str> =
        participants.into_iter().filter(|p| p.kind != "organization").filter_map(|p| p.country.as_deref()).collect();
    countries
        .into_iter()
        .map(|code| event_country::Model { country: code.to_owned(), start_date: start, event_id, last_day })
        .collect()
}

/// The participant, source, tag and country rows of written events.
#[derive(Default)]
pub(crate) struct Links {
    pub participants: Vec<event_participant::Model>,
    pub sources: Vec<event_source::Model>,
    pub tags: Vec<event_tag::Model>,
    pub countries: Vec<event_country::Model>,
}

fn links(written: &[(i64, &NewEvent)], people: &People, sources: &Sources) -> Result<Links, DbErr> {
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
        for (i, spec) in new.sources.iter().enumerate() {
            let id = sources.get(spec).ok_or_else(|| DbErr::RecordNotFound("source".into()))?.id;
            links.sources.push(event_source::Model { event_id, position: i as i32, source_id: id });
        }
        for (i, tag) in new.tags.iter().enumerate() {
            links.tags.push(event_tag::Model { event_id, position: i as i32, tag: tag.clone() });
        }
        links.countries.extend(event_country_rows(event_id, new.start, new.last_day, rows));
    }
    Ok(links)
}
