//! The write path: every change to events, participants and sources goes
//! through here, each as one transaction, so a failed write leaves nothing
//! behind and the derived `event_countries` rows always match.

use crate::db::Db;
use crate::error::ApiError;
use crate::validate::{NewEvent, NewParticipant, NewSource, ParticipantSpec, SourceSpec};
use chrono::Utc;
use entity::derived::participant_identity;
use entity::{
    event, event_country, event_participant, event_source, event_tag, participant, participant_member, source,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Set, SqlErr,
};
use std::collections::BTreeSet;

/// Whether a write may replace an existing row.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    CreateOnly,
    CreateOrReplace,
}

/// Writes an event with its links. Returns its id and whether it was created.
pub async fn save_event(db: &Db, new: NewEvent, mode: Mode) -> Result<(i64, bool), ApiError> {
    let write = db.begin_write().await?;
    let txn = &write.txn;
    let existing = event::Entity::find().filter(event::Column::Key.eq(&new.key)).one(txn).await?;
    if existing.is_some() && mode == Mode::CreateOnly {
        return Err(ApiError::conflict(
            Some("key"),
            format!("an event with key '{}' exists; PUT /api/v1/events/{} replaces it", new.key, new.key),
        ));
    }

    let mut participants = Vec::with_capacity(new.participants.len());
    for (i, (spec, role)) in new.participants.iter().enumerate() {
        let row = resolve_participant(txn, spec, &format!("participants[{i}].id")).await?;
        participants.push((row, role.clone()));
    }
    let mut source_ids = Vec::with_capacity(new.sources.len());
    for (i, spec) in new.sources.iter().enumerate() {
        source_ids.push(resolve_source(txn, spec, &format!("sources[{i}].id")).await?);
    }

    let now = Utc::now();
    let location = new.location.clone();
    let mut row = event::ActiveModel {
        key: Set(new.key.clone()),
        kind: Set(new.kind.clone()),
        title: Set(new.title.clone()),
        summary: Set(new.summary.clone()),
        start_date: Set(new.start),
        end_date: Set(new.end),
        last_day: Set(new.last_day),
        date_precision: Set(new.precision.as_str().to_owned()),
        location_name: Set(location.as_ref().and_then(|l| l.name.clone())),
        location_country: Set(location.as_ref().and_then(|l| l.country.clone())),
        lat: Set(location.as_ref().and_then(|l| l.lat)),
        lon: Set(location.as_ref().and_then(|l| l.lon)),
        updated_at: Set(now),
        ..Default::default()
    };
    let (event_id, created) = match existing {
        Some(old) => {
            row.id = Set(old.id);
            row.update(txn).await?;
            delete_links(txn, old.id).await?;
            (old.id, false)
        }
        None => {
            row.created_at = Set(now);
            let inserted =
                row.insert(txn).await.map_err(|e| unique_to_conflict(e, "key", "an event with this key exists"))?;
            (inserted.id, true)
        }
    };

    if !participants.is_empty() {
        let links = participants.iter().enumerate().map(|(i, (p, role))| event_participant::ActiveModel {
            event_id: Set(event_id),
            position: Set(i as i32),
            participant_id: Set(p.id),
            role: Set(role.clone()),
        });
        event_participant::Entity::insert_many(links).exec(txn).await?;
    }
    if !source_ids.is_empty() {
        let links = source_ids.iter().enumerate().map(|(i, id)| event_source::ActiveModel {
            event_id: Set(event_id),
            position: Set(i as i32),
            source_id: Set(*id),
        });
        event_source::Entity::insert_many(links).exec(txn).await?;
    }
    if !new.tags.is_empty() {
        let tags = new.tags.iter().enumerate().map(|(i, tag)| event_tag::ActiveModel {
            event_id: Set(event_id),
            position: Set(i as i32),
            tag: Set(tag.clone()),
        });
        event_tag::Entity::insert_many(tags).exec(txn).await?;
    }
    let rows: Vec<&participant::Model> = participants.iter().map(|(p, _)| p).collect();
    insert_event_countries(txn, event_id, new.start, new.last_day, &rows).await?;
    write.commit().await?;
    Ok((event_id, created))
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
    for event_id in event_ids {
        rederive_event_countries(txn, event_id).await?;
    }
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

async fn resolve_participant<C: ConnectionTrait>(
    txn: &C,
    spec: &ParticipantSpec,
    field: &str,
) -> Result<participant::Model, ApiError> {
    match spec {
        ParticipantSpec::Existing(id) => participant::Entity::find_by_id(*id)
            .one(txn)
            .await?
            .ok_or_else(|| ApiError::invalid(field, format!("no participant with id {id}"))),
        ParticipantSpec::Described(new) => {
            let identity = participant_identity(&new.kind, &new.name, new.country.as_deref());
            match find_participant(txn, &identity).await? {
                Some(found) => Ok(found),
                None => insert_participant(txn, new).await,
            }
        }
    }
}

async fn resolve_source<C: ConnectionTrait>(txn: &C, spec: &SourceSpec, field: &str) -> Result<i64, ApiError> {
    match spec {
        SourceSpec::Existing(id) => match source::Entity::find_by_id(*id).one(txn).await? {
            Some(found) => Ok(found.id),
            None => Err(ApiError::invalid(field, format!("no source with id {id}"))),
        },
        SourceSpec::Described(new) => {
            match source::Entity::find().filter(source::Column::Url.eq(&new.url)).one(txn).await? {
                Some(found) => Ok(found.id),
                None => Ok(source_model(new).insert(txn).await?.id),
            }
        }
    }
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

async fn delete_links<C: ConnectionTrait>(txn: &C, event_id: i64) -> Result<(), DbErr> {
    event_participant::Entity::delete_many().filter(event_participant::Column::EventId.eq(event_id)).exec(txn).await?;
    event_source::Entity::delete_many().filter(event_source::Column::EventId.eq(event_id)).exec(txn).await?;
    event_tag::Entity::delete_many().filter(event_tag::Column::EventId.eq(event_id)).exec(txn).await?;
    event_country::Entity::delete_many().filter(event_country::Column::EventId.eq(event_id)).exec(txn).await?;
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
