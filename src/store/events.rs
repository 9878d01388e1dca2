//! Writing batches of events: participants and sources resolved (matched
//! or created) for the whole batch at once, then events and their links in
//! multi-row statements.

use super::catalog::source_model;
use super::documents::render;
use super::{MAX_BINDS, Mode, WriteCounts, unique_to_conflict};
use crate::error::ApiError;
use crate::validate::{NewEvent, NewParticipant, NewSource, ParticipantSpec, SourceSpec};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use entity::derived::participant_identity;
use entity::{event, event_country, event_participant, event_source, event_tag, participant, source};
use sea_orm::ActiveValue::NotSet;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Columns of an `events` row, which bounds the rows of one INSERT.
const EVENT_COLUMNS: usize = 18;

/// Writes a batch of events with their links inside the caller's
/// transaction: the one write path of the API and of bulk import. It costs a
/// fixed number of statements per batch, not per event. Events whose content
/// is unchanged are left as they are; a key given twice keeps the last.
pub async fn write_events<C: ConnectionTrait>(
    txn: &C,
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

    let people = resolve_participants(txn, &events, &mut counts).await?;
    let sources = resolve_sources(txn, &events, &mut counts).await?;

    let keys: Vec<String> = events.iter().map(|e| e.key.clone()).collect();
    let mut stored: HashMap<String, (i64, String, DateTime<Utc>)> = HashMap::new();
    for chunk in keys.chunks(MAX_BINDS) {
        let rows: Vec<(String, i64, String, DateTime<Utc>)> = event::Entity::find()
            .select_only()
            .columns([event::Column::Key, event::Column::Id, event::Column::ContentHash, event::Column::CreatedAt])
            .filter(event::Column::Key.is_in(chunk.to_vec()))
            .into_tuple()
            .all(txn)
            .await?;
        stored.extend(rows.into_iter().map(|(key, id, hash, created)| (key, (id, hash, created))));
    }

    // Both databases keep at least microseconds; a document rendered with
    // nanoseconds would disagree with its row once read back.
    let now = Utc::now().trunc_subsecs(3);
    let mut fresh: Vec<(event::ActiveModel, &NewEvent)> = Vec::new();
    let mut rewritten: Vec<(i64, &NewEvent)> = Vec::new();
    for new in &events {
        let hash = content_hash(new);
        match stored.get(&new.key) {
            Some(_) if mode == Mode::CreateOnly => {
                return Err(ApiError::conflict(
                    Some("key"),
                    format!("an event with key '{}' exists; PUT /api/v1/events/{} replaces it", new.key, new.key),
                ));
            }
            Some((_, old_hash, _)) if *old_hash == hash => counts.unchanged += 1,
            Some((id, _, created_at)) => {
                let document = render(new, &people, &sources, *created_at, now)?;
                let mut row = event_row(new, hash, document, now);
                row.id = Set(*id);
                row.created_at = NotSet;
                row.update(txn).await?;
                rewritten.push((*id, new));
                counts.updated += 1;
            }
            None => {
                let document = render(new, &people, &sources, now, now)?;
                fresh.push((event_row(new, hash, document, now), new));
            }
        }
    }

    let ids: Vec<i64> = rewritten.iter().map(|(id, _)| *id).collect();
    for chunk in ids.chunks(MAX_BINDS) {
        delete_links(txn, chunk).await?;
    }
    if !fresh.is_empty() {
        counts.created = fresh.len() as u64;
        let rows: Vec<event::ActiveModel> = fresh.iter().map(|(row, _)| row.clone()).collect();
        insert_chunked(txn, rows, EVENT_COLUMNS)
            .await
            .map_err(|e| unique_to_conflict(e, "key", "an event with this key was created concurrently"))?;
        let new_keys: Vec<String> = fresh.iter().map(|(_, e)| e.key.clone()).collect();
        let mut new_ids: HashMap<String, i64> = HashMap::new();
        for chunk in new_keys.chunks(MAX_BINDS) {
            let rows = event::Entity::find()
                .select_only()
                .column(event::Column::Key)
                .column(event::Column::Id)
                .filter(event::Column::Key.is_in(chunk.to_vec()))
                .into_tuple::<(String, i64)>()
                .all(txn)
                .await?;
            new_ids.extend(rows);
        }
        for (_, new) in &fresh {
            let id = new_ids.get(&new.key).copied().ok_or_else(|| DbErr::RecordNotFound(new.key.clone()))?;
            rewritten.push((id, new));
        }
    }
    insert_links(txn, &rewritten, &people, &sources).await?;
    Ok(counts)
}

fn event_row(new: &NewEvent, hash: String, document: String, now: DateTime<Utc>) -> event::ActiveModel {
    let location = new.location.as_ref();
    event::ActiveModel {
        id: NotSet,
        key: Set(new.key.clone()),
        kind: Set(new.kind.clone()),
        title: Set(new.title.clone()),
        summary: Set(new.summary.clone()),
        start_date: Set(new.start),
        end_date: Set(new.end),
        last_day: Set(new.last_day),
        span_days: Set(entity::derived::span_days(new.start, new.last_day)),
        date_precision: Set(new.precision.as_str().to_owned()),
        location_name: Set(location.and_then(|l| l.name.clone())),
        location_country: Set(location.and_then(|l| l.country.clone())),
        lat: Set(location.and_then(|l| l.lat)),
        lon: Set(location.and_then(|l| l.lon)),
        content_hash: Set(hash),
        document: Set(document),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// A digest of everything a write says about an event.
fn content_hash(new: &NewEvent) -> String {
    use sha2::Digest;
    let bytes = serde_json::to_vec(new).unwrap_or_default();
    format!("{:x}", sha2::Sha256::digest(&bytes))
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

async fn resolve_participants<C: ConnectionTrait>(
    txn: &C,
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
    let mut people = People { by_identity: HashMap::new(), by_id: HashMap::new() };
    let ids: Vec<i64> = ids.into_iter().collect();
    for chunk in ids.chunks(MAX_BINDS) {
        let rows = participant::Entity::find().filter(participant::Column::Id.is_in(chunk.to_vec())).all(txn).await?;
        people.by_id.extend(rows.into_iter().map(|r| (r.id, r)));
    }
    for event in events {
        for (i, (spec, _)) in event.participants.iter().enumerate() {
            if let ParticipantSpec::Existing(id) = spec
                && !people.by_id.contains_key(id)
            {
                return Err(ApiError::invalid(format!("participants[{i}].id"), format!("no participant with id {id}")));
            }
        }
    }

    let identities: Vec<String> = described.keys().cloned().collect();
    find_participants(txn, &identities, &mut people.by_identity).await?;
    let missing: Vec<participant::ActiveModel> = identities
        .iter()
        .filter(|identity| !people.by_identity.contains_key(*identity))
        .map(|identity| {
            let p = described[identity];
            participant::ActiveModel {
                id: NotSet,
                kind: Set(p.kind.clone()),
                name: Set(p.name.clone()),
                country: Set(p.country.clone()),
                identity: Set(identity.clone()),
            }
        })
        .collect();
    if !missing.is_empty() {
        counts.participants_created += missing.len() as u64;
        let created: Vec<String> =
            identities.iter().filter(|identity| !people.by_identity.contains_key(*identity)).cloned().collect();
        insert_chunked(txn, missing, 4)
            .await
            .map_err(|e| unique_to_conflict(e, "participants", "a participant was created concurrently; retry"))?;
        find_participants(txn, &created, &mut people.by_identity).await?;
    }
    Ok(people)
}

async fn find_participants<C: ConnectionTrait>(
    txn: &C,
    identities: &[String],
    into: &mut HashMap<String, participant::Model>,
) -> Result<(), DbErr> {
    for chunk in identities.chunks(MAX_BINDS) {
        let rows =
            participant::Entity::find().filter(participant::Column::Identity.is_in(chunk.to_vec())).all(txn).await?;
        into.extend(rows.into_iter().map(|r| (r.identity.clone(), r)));
    }
    Ok(())
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

async fn resolve_sources<C: ConnectionTrait>(
    txn: &C,
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
    let mut sources = Sources { by_url: HashMap::new(), by_id: HashMap::new() };
    for chunk in ids.chunks(MAX_BINDS) {
        let rows = source::Entity::find().filter(source::Column::Id.is_in(chunk.to_vec())).all(txn).await?;
        sources.by_id.extend(rows.into_iter().map(|r| (r.id, r)));
    }
    for event in events {
        for (i, spec) in event.sources.iter().enumerate() {
            if let SourceSpec::Existing(id) = spec
                && !sources.by_id.contains_key(id)
            {
                return Err(ApiError::invalid(format!("sources[{i}].id"), format!("no source with id {id}")));
            }
        }
    }

    let urls: Vec<String> = described.keys().map(|u| (*u).to_owned()).collect();
    find_sources(txn, &urls, &mut sources.by_url).await?;
    let missing: Vec<source::ActiveModel> =
        urls.iter().filter(|u| !sources.by_url.contains_key(*u)).map(|u| source_model(described[u.as_str()])).collect();
    if !missing.is_empty() {
        counts.sources_created += missing.len() as u64;
        let created: Vec<String> = urls.iter().filter(|u| !sources.by_url.contains_key(*u)).cloned().collect();
        insert_chunked(txn, missing, 6)
            .await
            .map_err(|e| unique_to_conflict(e, "sources", "a source was created concurrently; retry"))?;
        find_sources(txn, &created, &mut sources.by_url).await?;
    }
    Ok(sources)
}

async fn find_sources<C: ConnectionTrait>(
    txn: &C,
    urls: &[String],
    into: &mut HashMap<String, source::Model>,
) -> Result<(), DbErr> {
    for chunk in urls.chunks(MAX_BINDS) {
        let rows = source::Entity::find().filter(source::Column::Url.is_in(chunk.to_vec())).all(txn).await?;
        into.extend(rows.into_iter().map(|r| (r.url.clone(), r)));
    }
    Ok(())
}

/// The `event_countries` rows of an event: one per country that takes part
/// or is the nationality of a person taking part (organizations do not count).
pub(super) fn event_country_rows<'a>(
    event_id: i64,
    start: NaiveDate,
    last_day: NaiveDate,
    participants: impl IntoIterator<Item = &'a participant::Model>,
) -> Vec<event_country::ActiveModel> {
    let countries: BTreeSet<&str> =
        participants.into_iter().filter(|p| p.kind != "organization").filter_map(|p| p.country.as_deref()).collect();
    countries
        .into_iter()
        .map(|code| event_country::ActiveModel {
            country: Set(code.to_owned()),
            start_date: Set(start),
            event_id: Set(event_id),
            last_day: Set(last_day),
        })
        .collect()
}

/// Inserts the participant, source, tag and country rows of written events.
async fn insert_links<C: ConnectionTrait>(
    txn: &C,
    written: &[(i64, &NewEvent)],
    people: &People,
    sources: &Sources,
) -> Result<(), DbErr> {
    let mut participant_rows = Vec::new();
    let mut source_rows = Vec::new();
    let mut tag_rows = Vec::new();
    let mut country_rows = Vec::new();
    for (event_id, new) in written {
        let mut rows = Vec::with_capacity(new.participants.len());
        for (i, (spec, role)) in new.participants.iter().enumerate() {
            let p = people.get(spec).ok_or_else(|| DbErr::RecordNotFound("participant".into()))?;
            rows.push(p);
            participant_rows.push(event_participant::ActiveModel {
                event_id: Set(*event_id),
                position: Set(i as i32),
                participant_id: Set(p.id),
                role: Set(role.clone()),
            });
        }
        for (i, spec) in new.sources.iter().enumerate() {
            let id = sources.get(spec).ok_or_else(|| DbErr::RecordNotFound("source".into()))?.id;
            source_rows.push(event_source::ActiveModel {
                event_id: Set(*event_id),
                position: Set(i as i32),
                source_id: Set(id),
            });
        }
        for (i, tag) in new.tags.iter().enumerate() {
            tag_rows.push(event_tag::ActiveModel {
                event_id: Set(*event_id),
                position: Set(i as i32),
                tag: Set(tag.clone()),
            });
        }
        country_rows.extend(event_country_rows(*event_id, new.start, new.last_day, rows));
    }
    insert_chunked(txn, participant_rows, 4).await?;
    insert_chunked(txn, source_rows, 3).await?;
    insert_chunked(txn, tag_rows, 3).await?;
    insert_chunked(txn, country_rows, 4).await?;
    Ok(())
}

async fn insert_chunked<C, A>(txn: &C, rows: Vec<A>, columns: usize) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(MAX_BINDS / columns).collect();
        <A::Entity as EntityTrait>::insert_many(chunk).exec_without_returning(txn).await?;
    }
    Ok(())
}

pub(super) async fn delete_links<C: ConnectionTrait>(txn: &C, event_ids: &[i64]) -> Result<(), DbErr> {
    let ids = event_ids.to_vec();
    event_participant::Entity::delete_many()
        .filter(event_participant::Column::EventId.is_in(ids.clone()))
        .exec(txn)
        .await?;
    event_source::Entity::delete_many().filter(event_source::Column::EventId.is_in(ids.clone())).exec(txn).await?;
    event_tag::Entity::delete_many().filter(event_tag::Column::EventId.is_in(ids.clone())).exec(txn).await?;
    event_country::Entity::delete_many().filter(event_country::Column::EventId.is_in(ids)).exec(txn).await?;
    Ok(())
}
