//! Participants, sources and countries: the catalog around the events.

use crate::db::Db;
use crate::error::ApiError;
use crate::models::{Country, DateFields, EventSummary, Participant, Source, stored_date};
use entity::{event, event_country, event_participant, event_source, participant, participant_member, source};
use sea_orm::sea_query::{Expr, ExprTrait, Func, JoinType};
use sea_orm::{
    ColumnTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use std::collections::HashMap;

/// Participants ordered by name, optionally of one kind and with a name
/// prefix (case-insensitive). `after` is the (name, id) of the last row.
pub async fn participants(
    db: &Db,
    kind: Option<&str>,
    prefix: Option<&str>,
    after: Option<(String, i64)>,
    limit: u64,
) -> Result<(Vec<Participant>, bool), ApiError> {
    let mut select = participant::Entity::find();
    if let Some(kind) = kind {
        select = select.filter(participant::Column::Kind.eq(kind));
    }
    if let Some(prefix) = prefix {
        let escaped = prefix.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        select = select.filter(
            Expr::expr(Func::lower(Expr::col((participant::Entity, participant::Column::Name))))
                .like(sea_orm::sea_query::LikeExpr::new(format!("{escaped}%")).escape('\\')),
        );
    }
    if let Some((name, id)) = after {
        select = select.filter(
            Expr::tuple([Expr::col(participant::Column::Name), Expr::col(participant::Column::Id)])
                .gt(Expr::tuple([Expr::value(name), Expr::value(id)])),
        );
    }
    let rows = select
        .order_by_asc(participant::Column::Name)
        .order_by_asc(participant::Column::Id)
        .limit(limit + 1)
        .all(db.conn())
        .await?;
    let more = rows.len() as u64 > limit;
    let rows: Vec<participant::Model> = rows.into_iter().take(limit as usize).collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut members = members_of(db, &ids).await?;
    Ok((
        rows.into_iter()
            .map(|p| {
                let members = members.remove(&p.id).unwrap_or_default();
                Participant::from_row(p, members, None)
            })
            .collect(),
        more,
    ))
}

pub async fn participant_by_id(db: &Db, id: i64) -> Result<Participant, ApiError> {
    let row = participant::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no participant with id {id}")))?;
    let count = event_participant::Entity::find()
        .filter(event_participant::Column::ParticipantId.eq(id))
        .select_only()
        .column(event_participant::Column::EventId)
        .distinct()
        .count(db.conn())
        .await?;
    let members = members_of(db, &[id]).await?.remove(&id).unwrap_or_default();
    Ok(Participant::from_row(row, members, Some(count)))
}

async fn members_of(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, ApiError> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = participant_member::Entity::find()
        .filter(participant_member::Column::OrganizationId.is_in(ids.to_vec()))
        .find_also_related(participant::Entity)
        .all(db.conn())
        .await?;
    for (link, member) in rows {
        if let Some(code) = member.and_then(|m| m.country) {
            out.entry(link.organization_id).or_default().push(code);
        }
    }
    Ok(out)
}

/// Sources by id, `after` the last id of the previous page.
pub async fn sources(db: &Db, after: Option<i64>, limit: u64) -> Result<(Vec<Source>, bool), ApiError> {
    let mut select = source::Entity::find();
    if let Some(after) = after {
        select = select.filter(source::Column::Id.gt(after));
    }
    let rows = select.order_by_asc(source::Column::Id).limit(limit + 1).all(db.conn()).await?;
    let more = rows.len() as u64 > limit;
    Ok((rows.into_iter().take(limit as usize).map(Source::from).collect(), more))
}

/// How many events of a source a detail view lists; `event_count` has all.
pub const SOURCE_EVENTS_SHOWN: u64 = 500;

pub async fn source_by_id(db: &Db, id: i64) -> Result<(Source, Vec<EventSummary>, u64), ApiError> {
    let row = source::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no source with id {id}")))?;
    let mut select = event::Entity::find();
    QueryTrait::query(&mut select).join(
        JoinType::InnerJoin,
        event_source::Entity,
        Expr::col((event_source::Entity, event_source::Column::EventId)).equals((event::Entity, event::Column::Id)),
    );
    let select = select.filter(Expr::col((event_source::Entity, event_source::Column::SourceId)).eq(id));
    let count = select.clone().count(db.conn()).await?;
    let events = select
        .order_by_desc(event::Column::StartDate)
        .order_by_desc(event::Column::Id)
        .limit(SOURCE_EVENTS_SHOWN)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| {
            let date = DateFields::from(stored_date(&e)?);
            Ok(EventSummary {
                key: e.key,
                kind: e.kind,
                title: e.title,
                date: date.date,
                display_date: date.display_date,
                start: date.legacy.start,
                date_precision: date.legacy.precision.as_str().to_owned(),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok((Source::from(row), events, count))
}

#[derive(FromQueryResult)]
struct CountryCount {
    country: String,
    events: i64,
}

/// Every country that appears in an event, most frequent first. The name
/// is that of its country participant, or the ISO name.
pub async fn countries(db: &Db) -> Result<Vec<Country>, ApiError> {
    let counts = event_country::Entity::find()
        .select_only()
        .column(event_country::Column::Country)
        .column_as(Expr::col(event_country::Column::EventId).count(), "events")
        .group_by(event_country::Column::Country)
        .into_model::<CountryCount>()
        .all(db.conn())
        .await?;
    let names: HashMap<String, String> = participant::Entity::find()
        .filter(participant::Column::Kind.eq("country"))
        .all(db.conn())
        .await?
        .into_iter()
        .filter_map(|p| p.country.map(|c| (c, p.name)))
        .collect();
    let mut out: Vec<Country> = counts
        .into_iter()
        .map(|c| Country {
            name: names.get(&c.country).cloned().unwrap_or_else(|| crate::domain::countries::name(&c.country, "en")),
            code: c.country,
            event_count: c.events as u64,
        })
        .collect();
    out.sort_by(|a, b| b.event_count.cmp(&a.event_count).then_with(|| a.code.cmp(&b.code)));
    Ok(out)
}
