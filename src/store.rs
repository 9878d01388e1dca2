//! The write path: every change to events, participants and sources goes
//! through here, each as one transaction, so a failed write leaves nothing
//! behind and the derived `event_countries` rows always match.

use crate::db::Db;
use crate::error::ApiError;
use crate::models::Event;
use crate::queries;
use crate::validate::{NewEvent, NewParticipant, NewSource, ParticipantSpec, SourceSpec};
use chrono::{DateTime, SubsecRound, Utc};
use entity::derived::participant_identity;
use entity::{
    event, event_country, event_participant, event_source, event_tag, participant, participant_member, source,
};
use sea_orm::ActiveValue::NotSet;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
    SqlErr,
};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Whether a write may replace an existing row.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    CreateOnly,
    CreateOrReplace,
}

/// What a batch of event writes did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct WriteCounts {
    /// Events that did not exist.
    pub created: u64,
    /// Existing events whose content changed.
    pub updated: u64,
    /// Existing events written again with the same content, left alone.
    pub unchanged: u64,
    /// Participants created because no existing one matched.
    pub participants_created: u64,
    /// Sources created because no existing one had the url.
    pub sources_created: u64,
}

/// The most bind parameters one statement may carry (SQLite's limit is
/// 32,766, PostgreSQL's 65,535).
const MAX_BINDS: usize = 12_000;

/// Writes one event in a transaction of its own.
pub async fn save_event(db: &Db, new: NewEvent, mode: Mode) -> Result<WriteCounts, ApiError> {
    let write = db.begin_write().await?;
    let counts = write_events(&write.txn, vec![new], mode).await?;
    write.commit().await?;
    Ok(counts)
}

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
        let per_statement = MAX_BINDS / 16;
        let mut rows = fresh.iter().map(|(row, _)| row.clone()).peekable();
        while rows.peek().is_some() {
            let chunk: Vec<event::ActiveModel> = rows.by_ref().take(per_statement).collect();
            event::Entity::insert_many(chunk)
                .exec(txn)
                .await
                .map_err(|e| unique_to_conflict(e, "key", "an event with this key was created concurrently"))?;
        }
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

/// The event's document, as `GET /events/{key}` and timelines serve it.
fn render(
    new: &NewEvent,
    people: &People,
    sources: &Sources,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> Result<String, ApiError> {
    let missing = || ApiError::Database(DbErr::RecordNotFound("a resolved participant or source".into()));
    let mut participants = Vec::with_capacity(new.participants.len());
    for (spec, role) in &new.participants {
        let p = people.get(spec).ok_or_else(missing)?;
        participants.push(queries::participant_in_event(p, role.clone()));
    }
    let mut cited = Vec::with_capacity(new.sources.len());
    for spec in &new.sources {
        cited.push(queries::source_out(sources.get(spec).ok_or_else(missing)?.clone()));
    }
    let event = Event {
        key: new.key.clone(),
        kind: new.kind.clone(),
        title: new.title.clone(),
        summary: new.summary.clone(),
        start: new.start,
        end: new.end,
        date_precision: new.precision.as_str().to_owned(),
        location: new.location.clone(),
        participants,
        sources: cited,
        tags: new.tags.clone(),
        created_at,
        updated_at,
    };
    serde_json::to_string(&event).map_err(|e| ApiError::Database(DbErr::Custom(e.to_string())))
}

/// Renders the documents of events again from the normalised tables, after
/// a participant or source they name has changed.
pub async fn rerender<C: ConnectionTrait>(txn: &C, event_ids: &[i64]) -> Result<(), ApiError> {
    for chunk in event_ids.chunks(1_000) {
        let rows = event::Entity::find().filter(event::Column::Id.is_in(chunk.to_vec())).all(txn).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let events = queries::render_events(txn, rows).await?;
        for (id, event) in ids.into_iter().zip(events) {
            let document =
                serde_json::to_string(&event).map_err(|e| ApiError::Database(DbErr::Custom(e.to_string())))?;
            event::Entity::update_many()
                .col_expr(event::Column::Document, Expr::value(document))
                .filter(event::Column::Id.eq(id))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

/// Renders events that have no document yet (those the seed migration
/// wrote); run at start-up, it costs one indexed query when there are none.
pub async fn render_missing_documents(db: &Db) -> Result<(), ApiError> {
    let write = db.begin_write().await?;
    let ids: Vec<i64> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .filter(event::Column::Document.eq(""))
        .into_tuple()
        .all(&write.txn)
        .await?;
    if !ids.is_empty() {
        rerender(&write.txn, &ids).await?;
    }
    write.commit().await?;
    Ok(())
}

/// A digest of everything a write says about an event.
fn content_hash(new: &NewEvent) -> String {
    use sha2::Digest;
    let bytes = serde_json::to_vec(new).unwrap_or_default();
    format!("{:x}", sha2::Sha256::digest(&bytes))
}

/// The participants the batch names, by identity (described ones, matched
/// or created) and by id (those named by id, which must exist).
struct People {
    by_identity: HashMap<String, participant::Model>,
    by_id: HashMap<i64, participant::Model>,
}

impl People {
    fn get(&self, spec: &ParticipantSpec) -> Option<&participant::Model> {
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
        let created: Vec<String> = missing.iter().map(|m| m.identity.clone().unwrap()).collect();
        for chunk in missing.chunks(MAX_BINDS / 4) {
            participant::Entity::insert_many(chunk.to_vec())
                .exec(txn)
                .await
                .map_err(|e| unique_to_conflict(e, "participants", "a participant was created concurrently; retry"))?;
        }
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
struct Sources {
    by_url: HashMap<String, source::Model>,
    by_id: HashMap<i64, source::Model>,
}

impl Sources {
    fn get(&self, spec: &SourceSpec) -> Option<&source::Model> {
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
        let created: Vec<String> = missing.iter().map(|m| m.url.clone().unwrap()).collect();
        for chunk in missing.chunks(MAX_BINDS / 6) {
            source::Entity::insert_many(chunk.to_vec())
                .exec(txn)
                .await
                .map_err(|e| unique_to_conflict(e, "sources", "a source was created concurrently; retry"))?;
        }
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
        let mut countries: BTreeSet<&str> = BTreeSet::new();
        for (i, (spec, role)) in new.participants.iter().enumerate() {
            let p = people.get(spec).ok_or_else(|| DbErr::RecordNotFound("participant".into()))?;
            if p.kind != "organization"
                && let Some(code) = p.country.as_deref()
            {
                countries.insert(code);
            }
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
        for code in countries {
            country_rows.push(event_country::ActiveModel {
                country: Set(code.to_owned()),
                start_date: Set(new.start),
                event_id: Set(*event_id),
                last_day: Set(new.last_day),
            });
        }
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

pub async fn delete_event(db: &Db, key: &str) -> Result<(), ApiError> {
    let write = db.begin_write().await?;
    let result = event::Entity::delete_many().filter(event::Column::Key.eq(key)).exec(&write.txn).await?;
    if result.rows_affected == 0 {
        return Err(ApiError::NotFound(format!("no event with key '{key}'")));
    }
    write.commit().await?;
    Ok(())
}

/// Creates a participant; 409 when one with the same identity exists.
pub async fn create_participant(db: &Db, new: NewParticipant) -> Result<i64, ApiError> {
    let write = db.begin_write().await?;
    let identity = participant_identity(&new.kind, &new.name, new.country.as_deref());
    if let Some(found) = find_participant(&write.txn, &identity).await? {
        return Err(ApiError::conflict(None, format!("this participant exists as id {}", found.id)));
    }
    let row = insert_participant(&write.txn, &new).await?;
    write.commit().await?;
    Ok(row.id)
}

/// Replaces a participant's fields and members. A changed country changes
/// which country timelines its events appear in, so those are re-derived.
pub async fn update_participant(db: &Db, id: i64, new: NewParticipant) -> Result<(), ApiError> {
    let write = db.begin_write().await?;
    let txn = &write.txn;
    if participant::Entity::find_by_id(id).one(txn).await?.is_none() {
        return Err(ApiError::NotFound(format!("no participant with id {id}")));
    }
    let identity = participant_identity(&new.kind, &new.name, new.country.as_deref());
    if let Some(other) = find_participant(txn, &identity).await?
        && other.id != id
    {
        return Err(ApiError::conflict(
            None,
            format!("another participant, id {}, has the same kind, name and country", other.id),
        ));
    }
    participant::ActiveModel {
        id: Set(id),
        kind: Set(new.kind.clone()),
        name: Set(new.name.clone()),
        country: Set(new.country.clone()),
        identity: Set(identity),
    }
    .update(txn)
    .await?;
    participant_member::Entity::delete_many()
        .filter(participant_member::Column::OrganizationId.eq(id))
        .exec(txn)
        .await?;
    insert_members(txn, id, &new.members).await?;

    let links =
        event_participant::Entity::find().filter(event_participant::Column::ParticipantId.eq(id)).all(txn).await?;
    let event_ids: BTreeSet<i64> = links.iter().map(|l| l.event_id).collect();
    for event_id in &event_ids {
        rederive_event_countries(txn, *event_id).await?;
    }
    rerender(txn, &event_ids.into_iter().collect::<Vec<_>>()).await?;
    write.commit().await?;
    Ok(())
}

pub async fn delete_participant(db: &Db, id: i64) -> Result<(), ApiError> {
    let write = db.begin_write().await?;
    let uses = event_participant::Entity::find()
        .filter(event_participant::Column::ParticipantId.eq(id))
        .count(&write.txn)
        .await?;
    if uses > 0 {
        return Err(ApiError::conflict(
            None,
            format!("participant {id} takes part in {uses} event(s); remove it from them first"),
        ));
    }
    let result = participant::Entity::delete_by_id(id).exec(&write.txn).await?;
    if result.rows_affected == 0 {
        return Err(ApiError::NotFound(format!("no participant with id {id}")));
    }
    write.commit().await?;
    Ok(())
}

pub async fn create_source(db: &Db, new: NewSource) -> Result<i64, ApiError> {
    let write = db.begin_write().await?;
    if let Some(found) = source::Entity::find().filter(source::Column::Url.eq(&new.url)).one(&write.txn).await? {
        return Err(ApiError::conflict(Some("url"), format!("a source with this url exists as id {}", found.id)));
    }
    let row = source_model(&new).insert(&write.txn).await?;
    write.commit().await?;
    Ok(row.id)
}

pub async fn update_source(db: &Db, id: i64, new: NewSource) -> Result<(), ApiError> {
    let write = db.begin_write().await?;
    if source::Entity::find_by_id(id).one(&write.txn).await?.is_none() {
        return Err(ApiError::NotFound(format!("no source with id {id}")));
    }
    if let Some(other) = source::Entity::find().filter(source::Column::Url.eq(&new.url)).one(&write.txn).await?
        && other.id != id
    {
        return Err(ApiError::conflict(Some("url"), format!("source {} already has this url", other.id)));
    }
    let mut row = source_model(&new);
    row.id = Set(id);
    row.update(&write.txn).await?;
    let citing: Vec<i64> = event_source::Entity::find()
        .select_only()
        .column(event_source::Column::EventId)
        .filter(event_source::Column::SourceId.eq(id))
        .into_tuple()
        .all(&write.txn)
        .await?;
    rerender(&write.txn, &citing).await?;
    write.commit().await?;
    Ok(())
}

pub async fn delete_source(db: &Db, id: i64) -> Result<(), ApiError> {
    let write = db.begin_write().await?;
    let uses = event_source::Entity::find().filter(event_source::Column::SourceId.eq(id)).count(&write.txn).await?;
    if uses > 0 {
        return Err(ApiError::conflict(None, format!("source {id} backs {uses} event(s); remove it from them first")));
    }
    let result = source::Entity::delete_by_id(id).exec(&write.txn).await?;
    if result.rows_affected == 0 {
        return Err(ApiError::NotFound(format!("no source with id {id}")));
    }
    write.commit().await?;
    Ok(())
}

async fn find_participant<C: ConnectionTrait>(txn: &C, identity: &str) -> Result<Option<participant::Model>, DbErr> {
    participant::Entity::find().filter(participant::Column::Identity.eq(identity)).one(txn).await
}

async fn insert_participant<C: ConnectionTrait>(txn: &C, new: &NewParticipant) -> Result<participant::Model, ApiError> {
    let row = participant::ActiveModel {
        kind: Set(new.kind.clone()),
        name: Set(new.name.clone()),
        country: Set(new.country.clone()),
        identity: Set(participant_identity(&new.kind, &new.name, new.country.as_deref())),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| unique_to_conflict(e, "name", "this participant was created concurrently; retry"))?;
    insert_members(txn, row.id, &new.members).await?;
    Ok(row)
}

/// Links an organization to its member countries, creating country
/// participants that do not exist yet.
async fn insert_members<C: ConnectionTrait>(txn: &C, organization_id: i64, codes: &[String]) -> Result<(), ApiError> {
    for code in codes {
        let identity = participant_identity("country", "", Some(code));
        let member = match find_participant(txn, &identity).await? {
            Some(found) => found,
            None => {
                let country = NewParticipant {
                    kind: "country".into(),
                    name: crate::validate::country_name(code),
                    country: Some(code.clone()),
                    members: Vec::new(),
                };
                Box::pin(insert_participant(txn, &country)).await?
            }
        };
        participant_member::ActiveModel { organization_id: Set(organization_id), member_id: Set(member.id) }
            .insert(txn)
            .await?;
    }
    Ok(())
}

fn source_model(new: &NewSource) -> source::ActiveModel {
    source::ActiveModel {
        url: Set(new.url.clone()),
        title: Set(new.title.clone()),
        publisher: Set(new.publisher.clone()),
        published_at: Set(new.published_at),
        language: Set(new.language.clone()),
        ..Default::default()
    }
}

async fn delete_links<C: ConnectionTrait>(txn: &C, event_ids: &[i64]) -> Result<(), DbErr> {
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

/// The countries an event belongs to: its country participants and the
/// nationalities of its persons (organizations do not count).
async fn insert_event_countries<C: ConnectionTrait>(
    txn: &C,
    event_id: i64,
    start: chrono::NaiveDate,
    last_day: chrono::NaiveDate,
    participants: &[&participant::Model],
) -> Result<(), DbErr> {
    let countries: BTreeSet<&str> =
        participants.iter().filter(|p| p.kind != "organization").filter_map(|p| p.country.as_deref()).collect();
    if countries.is_empty() {
        return Ok(());
    }
    let rows = countries.into_iter().map(|code| event_country::ActiveModel {
        country: Set(code.to_owned()),
        start_date: Set(start),
        event_id: Set(event_id),
        last_day: Set(last_day),
    });
    event_country::Entity::insert_many(rows).exec(txn).await?;
    Ok(())
}

async fn rederive_event_countries<C: ConnectionTrait>(txn: &C, event_id: i64) -> Result<(), DbErr> {
    let Some(event) = event::Entity::find_by_id(event_id).one(txn).await? else {
        return Ok(());
    };
    event_country::Entity::delete_many().filter(event_country::Column::EventId.eq(event_id)).exec(txn).await?;
    let rows: Vec<participant::Model> = event_participant::Entity::find()
        .filter(event_participant::Column::EventId.eq(event_id))
        .find_also_related(participant::Entity)
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|(_, p)| p)
        .collect();
    let refs: Vec<&participant::Model> = rows.iter().collect();
    insert_event_countries(txn, event_id, event.start_date, event.last_day, &refs).await
}

/// A unique violation that a concurrent writer caused becomes a 409.
fn unique_to_conflict(err: DbErr, field: &str, detail: &str) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::conflict(Some(field), detail),
        _ => ApiError::Database(err),
    }
}
