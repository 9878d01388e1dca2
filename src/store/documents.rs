//! Each event's stored document: the JSON the API serves, rendered when the
//! event is written and again when a participant or source it names changes.

use super::events::{People, Sources};
use crate::db::Db;
use crate::error::ApiError;
use crate::models::Event;
use crate::queries;
use crate::validate::NewEvent;
use chrono::{DateTime, Utc};
use entity::event;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

/// The event's document, as `GET /events/{key}` and timelines serve it.
pub(super) fn render(
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
