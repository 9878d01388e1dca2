//! Every read the API makes. A page of events costs a fixed number of
//! queries: one for the events (an index range scan), then one each for
//! their participants, sources and tags.

use crate::error::ApiError;
use crate::models::{Country, Event, EventParticipant, EventSummary, Location, Participant, Source};
use chrono::NaiveDate;
use entity::{
    event, event_country, event_participant, event_source, event_tag, participant, participant_member, source,
};
use sea_orm::sea_query::{Expr, ExprTrait, Func, JoinType, Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use std::collections::HashMap;

/// The filters and position of one timeline page.
#[derive(Debug, Default)]
pub struct TimelineFilter {
    pub countries: Vec<String>,
    pub match_all: bool,
    /// First day of the window.
    pub from: Option<NaiveDate>,
    /// Last day of the window.
    pub to: Option<NaiveDate>,
    pub kinds: Vec<String>,
    pub participant: Option<i64>,
    pub tag: Option<String>,
    pub ascending: bool,
    pub limit: u64,
    /// The (start, id) of the last event of the previous page.
    pub after: Option<(NaiveDate, i64)>,
}

/// One page of a timeline, and the (start, id) to continue after when more follow.
pub async fn timeline<C: ConnectionTrait>(
    db: &C,
    f: &TimelineFilter,
) -> Result<(Vec<Event>, Option<(NaiveDate, i64)>), ApiError> {
    let mut select = event::Entity::find();
    // With a country, walk that country's slice of event_countries, whose
    // primary key is (country, start_date, event_id): the page is an index
    // range scan whatever the size of the table. More countries with
    // match=all narrow it with semi-joins; match=any takes the union.
    let (start_col, id_col) = if let [first, rest @ ..] = f.countries.as_slice()
        && (f.match_all || rest.is_empty())
    {
        let query = QueryTrait::query(&mut select);
        query.join_as(
            JoinType::InnerJoin,
            event_country::Entity,
            "ec",
            Expr::col(("ec", event_country::Column::EventId))
                .equals((event::Entity, event::Column::Id))
                .and(Expr::col(("ec", event_country::Column::Country)).eq(first.as_str())),
        );
        for code in rest {
            query.and_where(
                Expr::col((event::Entity, event::Column::Id))
                    .in_subquery(countries_subquery(std::slice::from_ref(code))),
            );
        }
        (Expr::col(("ec", event_country::Column::StartDate)), Expr::col(("ec", event_country::Column::EventId)))
    } else {
        if !f.countries.is_empty() {
            select = select
                .filter(Expr::col((event::Entity, event::Column::Id)).in_subquery(countries_subquery(&f.countries)));
        }
        (Expr::col((event::Entity, event::Column::StartDate)), Expr::col((event::Entity, event::Column::Id)))
    };

    if let Some(to) = f.to {
        select = select.filter(start_col.clone().lte(to));
    }
    if let Some(from) = f.from {
        select = select.filter(event::Column::LastDay.gte(from));
    }
    if !f.kinds.is_empty() {
        select = select.filter(event::Column::Kind.is_in(f.kinds.clone()));
    }
    if let Some(pid) = f.participant {
        let sub = Query::select()
            .column(event_participant::Column::EventId)
            .from(event_participant::Entity)
            .and_where(event_participant::Column::ParticipantId.eq(pid))
            .to_owned();
        select = select.filter(event::Column::Id.in_subquery(sub));
    }
    if let Some(tag) = &f.tag {
        let sub = Query::select()
            .column(event_tag::Column::EventId)
            .from(event_tag::Entity)
            .and_where(event_tag::Column::Tag.eq(tag.as_str()))
            .to_owned();
        select = select.filter(event::Column::Id.in_subquery(sub));
    }
    if let Some((start, id)) = f.after {
        let key = Expr::tuple([start_col.clone(), id_col.clone()]);
        let last = Expr::tuple([Expr::value(start), Expr::value(id)]);
        select = select.filter(if f.ascending { key.gt(last) } else { key.lt(last) });
    }
    let order = if f.ascending { Order::Asc } else { Order::Desc };
    let rows = select.order_by(start_col, order.clone()).order_by(id_col, order).limit(f.limit + 1).all(db).await?;
    let more = rows.len() as u64 > f.limit;
    let rows: Vec<event::Model> = rows.into_iter().take(f.limit as usize).collect();
    let next = if more { rows.last().map(|r| (r.start_date, r.id)) } else { None };
    Ok((with_links(db, rows).await?, next))
}

fn countries_subquery(codes: &[String]) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(event_country::Column::EventId)
        .from(event_country::Entity)
        .and_where(event_country::Column::Country.is_in(codes.iter().map(String::as_str)))
        .to_owned()
}

pub async fn event_by_key<C: ConnectionTrait>(db: &C, key: &str) -> Result<Event, ApiError> {
    let row = event::Entity::find().filter(event::Column::Key.eq(key)).one(db).await?;
    let Some(row) = row else {
        return Err(ApiError::NotFound(format!("no event with key '{key}'")));
    };
    let mut events = with_links(db, vec![row]).await?;
    events.pop().ok_or_else(|| ApiError::NotFound(format!("no event with key '{key}'")))
}

/// Attaches participants, sources and tags to events: three queries for
/// the whole batch, never one per event.
async fn with_links<C: ConnectionTrait>(db: &C, rows: Vec<event::Model>) -> Result<Vec<Event>, ApiError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();

    let mut participants: HashMap<i64, Vec<EventParticipant>> = HashMap::new();
    let links = event_participant::Entity::find()
        .filter(event_participant::Column::EventId.is_in(ids.clone()))
        .order_by_asc(event_participant::Column::EventId)
        .order_by_asc(event_participant::Column::Position)
        .find_also_related(participant::Entity)
        .all(db)
        .await?;
    for (link, p) in links {
        if let Some(p) = p {
            let (code, country) = split_country(&p);
            participants.entry(link.event_id).or_default().push(EventParticipant {
                id: p.id,
                kind: p.kind,
                name: p.name,
                code,
                country,
                role: link.role,
            });
        }
    }

    let mut sources: HashMap<i64, Vec<Source>> = HashMap::new();
    let links = event_source::Entity::find()
        .filter(event_source::Column::EventId.is_in(ids.clone()))
        .order_by_asc(event_source::Column::EventId)
        .order_by_asc(event_source::Column::Position)
        .find_also_related(source::Entity)
        .all(db)
        .await?;
    for (link, s) in links {
        if let Some(s) = s {
            sources.entry(link.event_id).or_default().push(source_out(s));
        }
    }

    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    let rows_tags = event_tag::Entity::find()
        .filter(event_tag::Column::EventId.is_in(ids))
        .order_by_asc(event_tag::Column::EventId)
        .order_by_asc(event_tag::Column::Position)
        .all(db)
        .await?;
    for t in rows_tags {
        tags.entry(t.event_id).or_default().push(t.tag);
    }

    Ok(rows
        .into_iter()
        .map(|r| {
            let location = (r.location_name.is_some() || r.location_country.is_some() || r.lat.is_some())
                .then_some(Location { name: r.location_name, country: r.location_country, lat: r.lat, lon: r.lon });
            Event {
                participants: participants.remove(&r.id).unwrap_or_default(),
                sources: sources.remove(&r.id).unwrap_or_default(),
                tags: tags.remove(&r.id).unwrap_or_default(),
                key: r.key,
                kind: r.kind,
                title: r.title,
                summary: r.summary,
                start: r.start_date,
                end: r.end_date,
                date_precision: r.date_precision,
                location,
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect())
}

/// A country participant shows its ISO code as `code`; others show their
/// nationality or home country as `country`.
fn split_country(p: &participant::Model) -> (Option<String>, Option<String>) {
    if p.kind == "country" { (p.country.clone(), None) } else { (None, p.country.clone()) }
}

pub fn source_out(s: source::Model) -> Source {
    Source {
        id: s.id,
        url: s.url,
        title: s.title,
        publisher: s.publisher,
        published_at: s.published_at,
        language: s.language,
    }
}

/// Participants ordered by name, optionally of one kind and with a name
/// prefix (case-insensitive). `after` is the (name, id) of the last row.
pub async fn participants<C: ConnectionTrait>(
    db: &C,
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
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    let rows: Vec<participant::Model> = rows.into_iter().take(limit as usize).collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut members = members_of(db, &ids).await?;
    Ok((
        rows.into_iter()
            .map(|p| {
                let members = members.remove(&p.id).unwrap_or_default();
                participant_out(p, members, None)
            })
            .collect(),
        more,
    ))
}

pub async fn participant_by_id<C: ConnectionTrait>(db: &C, id: i64) -> Result<Participant, ApiError> {
    let row = participant::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no participant with id {id}")))?;
    let count = event_participant::Entity::find()
        .filter(event_participant::Column::ParticipantId.eq(id))
        .select_only()
        .column(event_participant::Column::EventId)
        .distinct()
        .count(db)
        .await?;
    let members = members_of(db, &[id]).await?.remove(&id).unwrap_or_default();
    Ok(participant_out(row, members, Some(count)))
}

pub async fn participant_exists<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, ApiError> {
    Ok(participant::Entity::find_by_id(id).one(db).await?.is_some())
}

async fn members_of<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, ApiError> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = participant_member::Entity::find()
        .filter(participant_member::Column::OrganizationId.is_in(ids.to_vec()))
        .find_also_related(participant::Entity)
        .all(db)
        .await?;
    for (link, member) in rows {
        if let Some(code) = member.and_then(|m| m.country) {
            out.entry(link.organization_id).or_default().push(code);
        }
    }
    Ok(out)
}

fn participant_out(p: participant::Model, members: Vec<String>, event_count: Option<u64>) -> Participant {
    let (code, country) = split_country(&p);
    Participant { id: p.id, kind: p.kind, name: p.name, code, country, members, event_count }
}

/// Sources by id, `after` the last id of the previous page.
pub async fn sources<C: ConnectionTrait>(
    db: &C,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<Source>, bool), ApiError> {
    let mut select = source::Entity::find();
    if let Some(after) = after {
        select = select.filter(source::Column::Id.gt(after));
    }
    let rows = select.order_by_asc(source::Column::Id).limit(limit + 1).all(db).await?;
    let more = rows.len() as u64 > limit;
    Ok((rows.into_iter().take(limit as usize).map(source_out).collect(), more))
}

/// How many events of a source a detail view lists; `event_count` has all.
pub const SOURCE_EVENTS_SHOWN: u64 = 500;

pub async fn source_by_id<C: ConnectionTrait>(db: &C, id: i64) -> Result<(Source, Vec<EventSummary>, u64), ApiError> {
    let row = source::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no source with id {id}")))?;
    let mut select = event::Entity::find();
    QueryTrait::query(&mut select).join(
        JoinType::InnerJoin,
        event_source::Entity,
        Expr::col((event_source::Entity, event_source::Column::EventId)).equals((event::Entity, event::Column::Id)),
    );
    let select = select.filter(Expr::col((event_source::Entity, event_source::Column::SourceId)).eq(id));
    let count = select.clone().count(db).await?;
    let events = select
        .order_by_desc(event::Column::StartDate)
        .order_by_desc(event::Column::Id)
        .limit(SOURCE_EVENTS_SHOWN)
        .all(db)
        .await?
        .into_iter()
        .map(|e| EventSummary {
            key: e.key,
            kind: e.kind,
            title: e.title,
            start: e.start_date,
            date_precision: e.date_precision,
        })
        .collect();
    Ok((source_out(row), events, count))
}

#[derive(FromQueryResult)]
struct CountryCount {
    country: String,
    events: i64,
}

/// Every country that appears in an event, most frequent first. The name
/// is that of its country participant, or the ISO name.
pub async fn countries<C: ConnectionTrait>(db: &C) -> Result<Vec<Country>, ApiError> {
    let counts = event_country::Entity::find()
        .select_only()
        .column(event_country::Column::Country)
        .column_as(Expr::col(event_country::Column::EventId).count(), "events")
        .group_by(event_country::Column::Country)
        .into_model::<CountryCount>()
        .all(db)
        .await?;
    let names: HashMap<String, String> = participant::Entity::find()
        .filter(participant::Column::Kind.eq("country"))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| p.country.map(|c| (c, p.name)))
        .collect();
    let mut out: Vec<Country> = counts
        .into_iter()
        .map(|c| Country {
            name: names.get(&c.country).cloned().unwrap_or_else(|| crate::validate::country_name(&c.country)),
            code: c.country,
            event_count: c.events as u64,
        })
        .collect();
    out.sort_by(|a, b| b.event_count.cmp(&a.event_count).then_with(|| a.code.cmp(&b.code)));
    Ok(out)
}
