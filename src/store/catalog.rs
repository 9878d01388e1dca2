//! Participants and sources on their own: create, replace, delete; and the
//! deletions that undoing the seed makes.

use super::batch::unique_to_conflict;
use super::counts;
use super::documents::rerender;
use super::events::event_country_rows;
use super::resolve::source_row;
use super::seaorm_batch::all_set;
use crate::db::Db;
use crate::domain::countries::fold;
use crate::domain::participant::{OtherNames, identity};
use crate::domain::{NewParticipant, NewSource};
use crate::error::ApiError;
use crate::search::indexed_text;
use entity::{
    event, event_country, event_participant, event_source, participant, participant_member, participant_name, source,
};
use sea_orm::ActiveValue::NotSet;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QuerySelect, Set,
};
use std::collections::BTreeSet;

/// Creates a participant; 409 when one with the same identity exists.
pub async fn create_participant(db: &Db, new: NewParticipant) -> Result<i64, ApiError> {
    let write = db.begin_write().await?;
    let identity = new.identity();
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
    let identity = new.identity();
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
        folded: Set(Some(fold(&new.name))),
        // Written with the names it is made of, below.
        search_names: NotSet,
    }
    .update(txn)
    .await?;
    write_other_names(txn, id, &new.other_names).await?;
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

/// The field a clash of two sources' identities is about.
fn identity_field(new: &NewSource) -> &'static str {
    if new.url.is_some() { "url" } else { "title" }
}

pub async fn create_source(db: &Db, new: NewSource) -> Result<i64, ApiError> {
    let write = db.begin_write().await?;
    if let Some(found) = find_source(&write.txn, &new.identity()).await? {
        let what = if new.url.is_some() { "this url" } else { "this title, publisher and date" };
        return Err(ApiError::conflict(
            Some(identity_field(&new)),
            format!("a source with {what} exists as id {}", found.id),
        ));
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
    if let Some(other) = find_source(&write.txn, &new.identity()).await?
        && other.id != id
    {
        return Err(ApiError::conflict(
            Some(identity_field(&new)),
            format!("source {} is already this source (same url, or same title, publisher and date)", other.id),
        ));
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

async fn find_source<C: ConnectionTrait>(txn: &C, identity: &str) -> Result<Option<source::Model>, DbErr> {
    source::Entity::find().filter(source::Column::Identity.eq(identity)).one(txn).await
}

async fn find_participant<C: ConnectionTrait>(txn: &C, identity: &str) -> Result<Option<participant::Model>, DbErr> {
    participant::Entity::find().filter(participant::Column::Identity.eq(identity)).one(txn).await
}

async fn insert_participant<C: ConnectionTrait>(txn: &C, new: &NewParticipant) -> Result<participant::Model, ApiError> {
    let row = participant::ActiveModel {
        kind: Set(new.kind.clone()),
        name: Set(new.name.clone()),
        country: Set(new.country.clone()),
        identity: Set(new.identity()),
        folded: Set(Some(fold(&new.name))),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| unique_to_conflict(e, "name", "this participant was created concurrently; retry"))?;
    insert_members(txn, row.id, &new.members).await?;
    write_other_names(txn, row.id, &new.other_names).await?;
    Ok(row)
}

/// Replaces the `participant_names` rows of a participant, and the stems
/// of those names that its events' search texts take in (`search_names`).
pub async fn write_other_names<C: ConnectionTrait>(txn: &C, id: i64, names: &OtherNames) -> Result<(), DbErr> {
    let stems = Some(indexed_text(names.all())).filter(|text| !text.is_empty());
    participant::Entity::update_many()
        .col_expr(participant::Column::SearchNames, Expr::value(stems))
        .filter(participant::Column::Id.eq(id))
        .exec(txn)
        .await?;
    participant_name::Entity::delete_many().filter(participant_name::Column::ParticipantId.eq(id)).exec(txn).await?;
    let rows: Vec<_> = names
        .rows()
        .into_iter()
        .enumerate()
        .map(|(position, (lang, name, folded))| participant_name::ActiveModel {
            participant_id: Set(id),
            position: Set(position as i32),
            lang: Set(lang.map(|l| l.code().to_owned())),
            name: Set(name.to_owned()),
            folded: Set(folded),
        })
        .collect();
    if !rows.is_empty() {
        participant_name::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// Links an organization to its member countries, creating country
/// participants that do not exist yet.
async fn insert_members<C: ConnectionTrait>(
    txn: &C,
    organization_id: i64,
    codes: &[impl AsRef<str>],
) -> Result<(), ApiError> {
    for code in codes {
        let code = code.as_ref();
        let member = match find_participant(txn, &identity("country", "", Some(code))).await? {
            Some(found) => found,
            None => Box::pin(insert_participant(txn, &NewParticipant::country(code))).await?,
        };
        participant_member::ActiveModel { organization_id: Set(organization_id), member_id: Set(member.id) }
            .insert(txn)
            .await?;
    }
    Ok(())
}

pub(super) fn source_model(new: &NewSource) -> source::ActiveModel {
    let mut row = source_row(new).into_active_model().reset_all();
    row.id = NotSet;
    row
}

async fn rederive_event_countries<C: ConnectionTrait>(txn: &C, event_id: i64) -> Result<(), DbErr> {
    let Some(event) = event::Entity::find_by_id(event_id).one(txn).await? else {
        return Ok(());
    };
    counts::count(txn, &[event_id], -1).await?;
    event_country::Entity::delete_many().filter(event_country::Column::EventId.eq(event_id)).exec(txn).await?;
    let rows: Vec<participant::Model> = event_participant::Entity::find()
        .filter(event_participant::Column::EventId.eq(event_id))
        .find_also_related(participant::Entity)
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|(_, p)| p)
        .collect();
    let countries = event_country_rows(event_id, event.start_date, event.last_day, &rows);
    if !countries.is_empty() {
        event_country::Entity::insert_many(all_set::<_, event_country::ActiveModel>(countries)).exec(txn).await?;
    }
    counts::count(txn, &[event_id], 1).await
}

/// Events' keys among `keys` that exist with a content digest other than
/// `digests`.
pub async fn existing_keys_unless_digest<C: ConnectionTrait>(
    txn: &C,
    keys: &[String],
    digests: &[&str],
) -> Result<Vec<String>, DbErr> {
    event::Entity::find()
        .select_only()
        .column(event::Column::Key)
        .filter(event::Column::Key.is_in(keys.to_vec()))
        .filter(event::Column::ContentHash.is_not_in(digests.iter().copied()))
        .into_tuple()
        .all(txn)
        .await
}

/// Deletes the events with these keys; their links go with them. Returns
/// how many there were.
pub async fn delete_events<C: ConnectionTrait>(txn: &C, keys: &[String]) -> Result<u64, ApiError> {
    let ids: Vec<i64> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .filter(event::Column::Key.is_in(keys.to_vec()))
        .into_tuple()
        .all(txn)
        .await?;
    counts::count(txn, &ids, -1).await?;
    let result = event::Entity::delete_many().filter(event::Column::Key.is_in(keys.to_vec())).exec(txn).await?;
    Ok(result.rows_affected)
}

/// Gives the organization with this identity these member countries, when
/// it exists and has none.
pub async fn add_members<C: ConnectionTrait>(txn: &C, organization: &str, codes: &[&str]) -> Result<(), ApiError> {
    let Some(org) = find_participant(txn, organization).await? else {
        return Ok(());
    };
    let has_members = participant_member::Entity::find()
        .filter(participant_member::Column::OrganizationId.eq(org.id))
        .one(txn)
        .await?
        .is_some();
    if !has_members {
        insert_members(txn, org.id, codes).await?;
    }
    Ok(())
}

/// Gives the participant with this identity these names in other
/// languages and aliases, when it exists and has none, and writes the
/// search texts of its events again.
pub async fn add_other_names<C: ConnectionTrait>(txn: &C, identity: &str, names: &OtherNames) -> Result<(), ApiError> {
    let Some(row) = find_participant(txn, identity).await? else {
        return Ok(());
    };
    let named = participant_name::Entity::find()
        .filter(participant_name::Column::ParticipantId.eq(row.id))
        .one(txn)
        .await?
        .is_some();
    if named {
        return Ok(());
    }
    write_other_names(txn, row.id, names).await?;
    let events: Vec<i64> = event_participant::Entity::find()
        .select_only()
        .column(event_participant::Column::EventId)
        .filter(event_participant::Column::ParticipantId.eq(row.id))
        .into_tuple()
        .all(txn)
        .await?;
    rerender(txn, &events).await
}

/// Deletes the sources with these identities that no event cites.
pub async fn delete_unused_sources<C: ConnectionTrait>(txn: &C, identities: &[String]) -> Result<(), ApiError> {
    for identity in identities {
        let Some(row) = find_source(txn, identity).await? else {
            continue;
        };
        let cited = event_source::Entity::find().filter(event_source::Column::SourceId.eq(row.id)).one(txn).await?;
        if cited.is_none() {
            source::Entity::delete_by_id(row.id).exec(txn).await?;
        }
    }
    Ok(())
}

/// Deletes the participants with these identities, in this order, that
/// take part in no event and belong to no organization.
pub async fn delete_unused_participants<C: ConnectionTrait>(txn: &C, identities: &[String]) -> Result<(), ApiError> {
    for identity in identities {
        let Some(row) = find_participant(txn, identity).await? else {
            continue;
        };
        let in_event = event_participant::Entity::find()
            .filter(event_participant::Column::ParticipantId.eq(row.id))
            .one(txn)
            .await?;
        let in_organization =
            participant_member::Entity::find().filter(participant_member::Column::MemberId.eq(row.id)).one(txn).await?;
        if in_event.is_none() && in_organization.is_none() {
            participant::Entity::delete_by_id(row.id).exec(txn).await?;
        }
    }
    Ok(())
}
