//! Participants, sources and countries: the catalog around the events.

use super::names::other_names;
use crate::db::Db;
use crate::domain::countries::{Lang, fold};
use crate::error::ApiError;
use crate::models::{Country, DateFields, EventSummary, Participant, Source, stored_date};
use entity::{
    event, event_country, event_participant, event_source, participant, participant_member, participant_name, source,
};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Query};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use std::collections::HashMap;

/// Participants ordered by name, optionally of one kind and with a name
/// prefix: how any of its names or aliases begins, folded as names are
/// compared (case, ё/е, diacritics). `after` is the (name, id) of the last
/// row, and the answer's second part that of the page's last when more
/// follow: the name it is ordered by, whichever `lang` shows.
pub async fn participants(
    db: &Db,
    kind: Option<&str>,
    prefix: Option<&str>,
    after: Option<(String, i64)>,
    limit: u64,
    lang: Option<Lang>,
) -> Result<(Vec<Participant>, Option<(String, i64)>), ApiError> {
    let mut select = participant::Entity::find();
    if let Some(kind) = kind {
        select = select.filter(participant::Column::Kind.eq(kind));
    }
    if let Some(prefix) = prefix {
        // A range over the folded names' indexes: every string that begins
        // with the prefix sorts between it and it followed by the last
        // character there is.
        let low = fold(prefix);
        let high = format!("{low}{}", char::MAX);
        let by_other_name = Query::select()
            .column(participant_name::Column::ParticipantId)
            .from(participant_name::Entity)
            .and_where(Expr::col(participant_name::Column::Folded).gte(low.clone()))
            .and_where(Expr::col(participant_name::Column::Folded).lt(high.clone()))
            .to_owned();
        select = select.filter(
            Condition::any()
                .add(participant::Column::Folded.gte(low).and(participant::Column::Folded.lt(high)))
                .add(participant::Column::Id.in_subquery(by_other_name)),
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
    let next = rows.last().filter(|_| more).map(|last| (last.name.clone(), last.id));
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut members = members_of(db, &ids).await?;
    let mut names = other_names(db, &ids).await?;
    Ok((
        rows.into_iter()
            .map(|p| {
                let members = members.remove(&p.id).unwrap_or_default();
                let names = names.remove(&p.id).unwrap_or_default();
                Participant::from_row(p, members, names, None, lang)
            })
            .collect(),
        next,
    ))
}

pub async fn participant_by_id(db: &Db, id: i64, lang: Option<Lang>) -> Result<Participant, ApiError> {
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
    let names = other_names(db, &[id]).await?.remove(&id).unwrap_or_default();
    Ok(Participant::from_row(row, members, names, Some(count), lang))
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
