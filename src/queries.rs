//! Every read the API makes. A page of events is one query, an index range
//! scan reading each event's stored document; rendering those documents
//! from the normalised tables (`render_events`) takes three batched queries
//! more, never one per event.

use crate::db::Db;
use crate::error::ApiError;
use crate::models::{Country, Event, EventParticipant, EventSummary, Location, Participant, Source};
use chrono::NaiveDate;
use entity::{
    event, event_country, event_participant, event_source, event_tag, participant, participant_member, source,
};
use sea_orm::sea_query::{
    Asterisk, Expr, ExprTrait, Func, IntoIden, JoinType, Order, Query, SelectStatement, UnionType,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
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

/// One page of a timeline as rendered event documents (JSON), and the
/// (start, id) to continue after when more follow.
///
/// Every plan is an index range scan that stops after `limit + 1` rows:
/// - no country: `events (start_date, id)`;
/// - one country, or several with `match=all`: that country's slice of
///   `event_countries (country, start_date, event_id)`, the others as
///   semi-joins;
/// - several with `match=any`: the first `limit + 1` of each country's
///   slice, merged; never a sort of every matching event.
pub async fn timeline(db: &Db, f: &TimelineFilter) -> Result<(Vec<String>, Option<(NaiveDate, i64)>), ApiError> {
    // An event starting long before the window may still overlap it; the
    // longest span in the database bounds how long before.
    let earliest_start = match f.from {
        Some(from) => Some(from - chrono::Duration::days(db.longest_span().await?.into())),
        None => None,
    };
    let query = match f.countries.as_slice() {
        [_, _, ..] if !f.match_all => any_country_page(f, earliest_start),
        _ => walk_page(f, earliest_start),
    };
    let mut page: Vec<(NaiveDate, i64, String)> = match &db.sqlite_file {
        Some(file) => file.query(&query, |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?,
        None => {
            let mut page = Vec::new();
            for row in db.conn.query_all(&query).await? {
                page.push((row.try_get_by_index(0)?, row.try_get_by_index(1)?, row.try_get_by_index(2)?));
            }
            page
        }
    };
    let more = page.len() as u64 > f.limit;
    page.truncate(f.limit as usize);
    let next = if more { page.last().map(|r| (r.0, r.1)) } else { None };
    Ok((page.into_iter().map(|r| r.2).collect(), next))
}

/// The longest span (end of period minus start, in days) of any event.
pub async fn longest_span<C: ConnectionTrait>(db: &C) -> Result<i32, DbErr> {
    let longest: Option<Option<i32>> = event::Entity::find()
        .select_only()
        .column_as(Expr::col(event::Column::SpanDays).max(), "longest")
        .into_tuple()
        .one(db)
        .await?;
    Ok(longest.flatten().unwrap_or(0))
}

fn order(f: &TimelineFilter) -> Order {
    if f.ascending { Order::Asc } else { Order::Desc }
}

/// Walks one index: `events` by start, or one country's slice.
fn walk_page(f: &TimelineFilter, earliest_start: Option<NaiveDate>) -> SelectStatement {
    let mut q = Query::select();
    q.column((event::Entity, event::Column::StartDate))
        .column((event::Entity, event::Column::Id))
        .column((event::Entity, event::Column::Document))
        .from(event::Entity);
    let keys = if let [first, rest @ ..] = f.countries.as_slice() {
        q.join_as(
            JoinType::InnerJoin,
            event_country::Entity,
            "ec",
            Expr::col(("ec", event_country::Column::EventId))
                .equals((event::Entity, event::Column::Id))
                .and(Expr::col(("ec", event_country::Column::Country)).eq(first.as_str())),
        );
        // Each other country is a primary-key probe per candidate event.
        for code in rest {
            let also = Query::select()
                .expr(Expr::val(1))
                .from_as(event_country::Entity, "x")
                .and_where(Expr::col(("x", event_country::Column::Country)).eq(code.as_str()))
                .and_where(
                    Expr::col(("x", event_country::Column::StartDate)).equals(("ec", event_country::Column::StartDate)),
                )
                .and_where(
                    Expr::col(("x", event_country::Column::EventId)).equals(("ec", event_country::Column::EventId)),
                )
                .to_owned();
            q.and_where(Expr::exists(also));
        }
        Keys::of("ec", event_country::Column::StartDate, event_country::Column::LastDay, event_country::Column::EventId)
    } else {
        Keys::of(event::Entity, event::Column::StartDate, event::Column::LastDay, event::Column::Id)
    };
    filter(&mut q, f, &keys, earliest_start);
    q.order_by_expr(keys.start.clone(), order(f)).order_by_expr(keys.id.clone(), order(f)).limit(f.limit + 1);
    q
}

/// The first `limit + 1` events of each country, merged and cut to a page.
fn any_country_page(f: &TimelineFilter, earliest_start: Option<NaiveDate>) -> SelectStatement {
    let keys = Keys::of(
        "ec",
        event_country::Column::StartDate,
        event_country::Column::LastDay,
        event_country::Column::EventId,
    );
    let mut parts = f.countries.iter().enumerate().map(|(i, code)| {
        let mut part = Query::select();
        part.expr_as(keys.id.clone(), "eid")
            .expr_as(keys.start.clone(), "sd")
            .from_as(event_country::Entity, "ec")
            .join(
                JoinType::InnerJoin,
                event::Entity,
                Expr::col((event::Entity, event::Column::Id)).equals(("ec", event_country::Column::EventId)),
            )
            .and_where(Expr::col(("ec", event_country::Column::Country)).eq(code.as_str()));
        filter(&mut part, f, &keys, earliest_start);
        part.order_by_expr(keys.start.clone(), order(f)).order_by_expr(keys.id.clone(), order(f)).limit(f.limit + 1);
        Query::select().column(Asterisk).from_subquery(part, format!("p{i}")).to_owned()
    });
    let mut union = parts.next().unwrap_or_else(Query::select);
    for part in parts {
        // UNION, not UNION ALL: an event of two of the countries is listed once.
        union.union(UnionType::Distinct, part);
    }
    let mut ids = Query::select();
    ids.columns(["eid", "sd"])
        .from_subquery(union, "merged")
        .order_by("sd", order(f))
        .order_by("eid", order(f))
        .limit(f.limit + 1);
    let mut q = Query::select();
    q.column((event::Entity, event::Column::StartDate))
        .column((event::Entity, event::Column::Id))
        .column((event::Entity, event::Column::Document))
        .from(event::Entity)
        .join_subquery(
            JoinType::InnerJoin,
            ids,
            "page",
            Expr::col(("page", "eid")).equals((event::Entity, event::Column::Id)),
        )
        .order_by(("page", "sd"), order(f))
        .order_by(("page", "eid"), order(f));
    q
}

/// The columns a plan filters and sorts on.
struct Keys {
    start: Expr,
    last_day: Expr,
    id: Expr,
}

impl Keys {
    fn of<T: IntoIden + Clone + 'static>(
        table: T,
        start: impl IntoIden,
        last_day: impl IntoIden,
        id: impl IntoIden,
    ) -> Keys {
        Keys {
            start: Expr::col((table.clone(), start)),
            last_day: Expr::col((table.clone(), last_day)),
            id: Expr::col((table, id)),
        }
    }
}

/// The window, kind, participant, tag and cursor conditions of a page.
fn filter(q: &mut SelectStatement, f: &TimelineFilter, keys: &Keys, earliest_start: Option<NaiveDate>) {
    if let Some(to) = f.to {
        q.and_where(keys.start.clone().lte(to));
    }
    if let Some(from) = f.from {
        q.and_where(keys.last_day.clone().gte(from));
    }
    if let Some(earliest) = earliest_start {
        q.and_where(keys.start.clone().gte(earliest));
    }
    if !f.kinds.is_empty() {
        q.and_where(Expr::col((event::Entity, event::Column::Kind)).is_in(f.kinds.iter().map(String::as_str)));
    }
    if let Some(pid) = f.participant {
        let sub = Query::select()
            .column(event_participant::Column::EventId)
            .from(event_participant::Entity)
            .and_where(Expr::col(event_participant::Column::ParticipantId).eq(pid))
            .to_owned();
        q.and_where(keys.id.clone().in_subquery(sub));
    }
    if let Some(tag) = &f.tag {
        let sub = Query::select()
            .column(event_tag::Column::EventId)
            .from(event_tag::Entity)
            .and_where(Expr::col(event_tag::Column::Tag).eq(tag.as_str()))
            .to_owned();
        q.and_where(keys.id.clone().in_subquery(sub));
    }
    if let Some((start, id)) = f.after {
        let key = Expr::tuple([keys.start.clone(), keys.id.clone()]);
        let last = Expr::tuple([Expr::value(start), Expr::value(id)]);
        q.and_where(if f.ascending { key.gt(last) } else { key.lt(last) });
    }
}

/// The rendered document (JSON) of one event.
pub async fn event_by_key(db: &Db, key: &str) -> Result<String, ApiError> {
    let query = event::Entity::find()
        .select_only()
        .column(event::Column::Document)
        .filter(event::Column::Key.eq(key))
        .into_query();
    let document = match &db.sqlite_file {
        Some(file) => file.query(&query, |row| row.get::<_, String>(0))?.pop(),
        None => db.conn.query_one(&query).await?.map(|row| row.try_get_by_index::<String>(0)).transpose()?,
    };
    document.ok_or_else(|| ApiError::NotFound(format!("no event with key '{key}'")))
}

/// Renders events from the normalised tables, attaching participants,
/// sources and tags: three queries for the whole batch, never one per
/// event. The write path stores the result as each event's document.
pub async fn render_events<C: ConnectionTrait>(db: &C, rows: Vec<event::Model>) -> Result<Vec<Event>, ApiError> {
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
            participants.entry(link.event_id).or_default().push(participant_in_event(&p, link.role));
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

/// A participant as an event lists it.
pub fn participant_in_event(p: &participant::Model, role: Option<String>) -> EventParticipant {
    let (code, country) = split_country(p);
    EventParticipant { id: p.id, kind: p.kind.clone(), name: p.name.clone(), code, country, role }
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
