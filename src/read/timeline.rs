//! A timeline page: one index range scan that reads each event's stored
//! document.

use crate::db::{Backend, Db, fetch_all, fetch_optional};
use crate::domain::dates::Precision;
use crate::error::ApiError;
use crate::search::{self, POSITION_ID_BITS, SearchQuery, position};
use crate::timeline::{Order as TimelineOrder, Position, TimelineFilter};
use chrono::NaiveDate;
use entity::{event, event_country, event_participant, event_tag, event_text};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, IntoIden, JoinType, Order, PostgresQueryBuilder, Query, QueryBuilder,
    SelectStatement, UnionType,
};
use std::collections::HashMap;

/// A page of stored event documents (JSON), and where to continue when
/// more follow.
pub struct Page {
    pub documents: Vec<String>,
    pub next: Option<Position>,
}

/// The SQL a search is written in: each database indexes the search text
/// its own way (see the migration `m20261203_000001_search`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub(super) fn of(db: &Db) -> Dialect {
        if matches!(db.backend(), Backend::PostgreSql(_)) { Dialect::Postgres } else { Dialect::Sqlite }
    }

    /// `events` rows with the words of `search` and any (or, with `all`,
    /// every one) of `countries`: one lookup in the text index, which holds
    /// each event's countries too.
    fn matches(self, search: &SearchQuery, countries: &[String], all: bool) -> Expr {
        let ids = match self {
            Dialect::Sqlite => Query::select()
                .expr(fts_event_id())
                .from(Alias::new("event_search"))
                .and_where(fts_match(search, countries, all))
                .to_owned(),
            Dialect::Postgres => Query::select()
                .column(event_text::Column::EventId)
                .from(event_text::Entity)
                .and_where(ts_match(search, countries, all))
                .to_owned(),
        };
        Expr::col((event::Entity, event::Column::Id)).in_subquery(ids)
    }
}

/// SQLite: the FTS5 condition for the words of `search` in the text, and,
/// when `countries` are given, for any of them (or, with `all`, every one)
/// among the event's countries.
fn fts_match(search: &SearchQuery, countries: &[String], all: bool) -> Expr {
    let mut expression = format!("text : ({})", search.to_fts5());
    if !countries.is_empty() {
        let quoted: Vec<String> = countries.iter().map(|c| format!("\"{}\"", c.to_lowercase())).collect();
        expression = format!("{expression} AND countries : ({})", quoted.join(if all { " AND " } else { " OR " }));
    }
    Expr::cust_with_values("\"event_search\" MATCH ?", [expression])
}

/// SQLite: the event of a row of the search index, which keeps each event
/// under its timeline position negated, so that newest first is FTS5's
/// forward walk (`m20261212_000001_search_newest_first`).
fn fts_event_id() -> Expr {
    Expr::cust(format!("(-\"event_search\".\"rowid\") & {POSITION_ID_BITS}"))
}

/// PostgreSQL: `event_texts` rows with the words of `search` and the
/// countries, which the vector holds as `cc` and the code
/// (`m20261205_000001_countries_in_search_vector`).
fn ts_match(search: &SearchQuery, countries: &[String], all: bool) -> Expr {
    let mut query = search.to_tsquery();
    if !countries.is_empty() {
        let codes: Vec<String> = countries.iter().map(|c| format!("'{}'", search::country_lexeme(c))).collect();
        query = format!("({query}) & ({})", codes.join(if all { " & " } else { " | " }));
    }
    Expr::cust(format!("\"event_texts\".\"search_vector\" @@ {}", tsquery(query)))
}

/// PostgreSQL: `query` as a `tsquery`, written into the statement, not
/// bound: reads are planned once for any values (`db::pg_reads`), but how
/// many events have the words decides a search's plan (a rare word: the
/// text index; a common one: the timeline's own walk, probing each event).
/// Bound, a rare word over the whole database took 230 ms of PostgreSQL's
/// CPU, not 0.8. Its terms are stems as the vectors hold them
/// (`search::tsvector`), so they are read as they are, not parsed again.
fn tsquery(query: String) -> String {
    format!("CAST({} AS tsquery)", PostgresQueryBuilder.value_to_string(&query.into()))
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
///
/// With `q` on SQLite, the walk is of the FTS5 index instead, whose rowids
/// are in timeline order (`search_walk`); on PostgreSQL, the words are one
/// more condition on the same plans, which the planner may start from the
/// GIN index. In `order=relevance`, every match is ranked (`ranked_page`).
pub async fn page(db: &Db, f: &TimelineFilter) -> Result<Page, ApiError> {
    let rarest_first;
    let f = if f.match_all && f.countries.len() > 1 {
        rarest_first = TimelineFilter { countries: by_size(db, &f.countries).await?, ..f.clone() };
        &rarest_first
    } else {
        f
    };
    let earliest_start = earliest_start(db, f).await?;
    let dialect = Dialect::of(db);
    let mut page: Vec<(Position, String)> = match &f.search {
        Some(search) if f.order == TimelineOrder::Relevance => {
            let query = ranked_page(f, search, dialect, earliest_start);
            let rows: Vec<(NaiveDate, i64, String, f64)> = fetch_all(db, &query).await?;
            rows.into_iter().map(|(start, id, doc, score)| (Position { start, id, score: Some(score) }, doc)).collect()
        }
        Some(search) if dialect == Dialect::Postgres && (f.countries.len() == 1 || f.match_all) => {
            let probed: Vec<(i64, bool)> = fetch_all(db, &country_walk(f, search, earliest_start)).await?;
            let hits: Vec<i64> = probed.iter().filter(|(_, hit)| *hit).map(|(id, _)| *id).collect();
            let query = if hits.len() as u64 > f.limit || (probed.len() as u64) < walked(f) {
                documents_by_id(&hits[..hits.len().min(f.limit as usize + 1)], f)
            } else {
                search_walk(f, search, dialect, earliest_start)
            };
            let rows: Vec<(NaiveDate, i64, String)> = fetch_all(db, &query).await?;
            rows.into_iter().map(|(start, id, doc)| (Position { start, id, score: None }, doc)).collect()
        }
        search => {
            let query = match (search, f.countries.as_slice()) {
                (Some(search), _) if dialect == Dialect::Sqlite => search_walk(f, search, dialect, earliest_start),
                // On PostgreSQL, words in any of several countries: the
                // GIN index finds the words and the countries together
                // (`search_walk`); without a country, the timeline is
                // walked probing each event's words (`walk_page`): a
                // common word is found in the first few hundred.
                (Some(search), [_, _, ..]) => search_walk(f, search, dialect, earliest_start),
                (_, [_, _, ..]) if !f.match_all => any_country_page(f, dialect, earliest_start),
                _ => walk_page(f, dialect, earliest_start),
            };
            let rows: Vec<(NaiveDate, i64, String)> = fetch_all(db, &query).await?;
            rows.into_iter().map(|(start, id, doc)| (Position { start, id, score: None }, doc)).collect()
        }
    };
    let more = page.len() as u64 > f.limit;
    page.truncate(f.limit as usize);
    let next = if more { page.last().map(|r| r.0) } else { None };
    Ok(Page { documents: page.into_iter().map(|r| r.1).collect(), next })
}

/// Countries, those with the fewest events first (by the kept counts: a
/// few hundred rows each), so that a timeline they all share walks the
/// shortest slice and probes the others, not the other way round.
async fn by_size(db: &Db, countries: &[String]) -> Result<Vec<String>, ApiError> {
    let query = Query::select()
        .column(Alias::new("country"))
        .expr(Expr::cust("CAST(SUM(\"n\") AS BIGINT)"))
        .from(Alias::new("event_counts"))
        .and_where(Expr::col(Alias::new("country")).is_in(countries.iter().map(String::as_str)))
        .group_by_col(Alias::new("country"))
        .to_owned();
    let sizes: HashMap<String, i64> = fetch_all::<(String, i64)>(db, &query).await?.into_iter().collect();
    let mut sorted = countries.to_vec();
    sorted.sort_by_key(|c| sizes.get(c).copied().unwrap_or(0));
    Ok(sorted)
}

/// The earliest start an event overlapping `f`'s window can have: one
/// starting long before the window may still overlap it, and the longest
/// span in the database bounds how long before.
pub(super) async fn earliest_start(db: &Db, f: &TimelineFilter) -> Result<Option<NaiveDate>, ApiError> {
    Ok(match f.from {
        Some(from) => Some(from - chrono::Duration::days(longest_span(db).await?.into())),
        None => None,
    })
}

/// The longest span (end of period minus start, in days) of any event:
/// every windowed page needs it, so it is read at most once a second.
pub(super) async fn longest_span(db: &Db) -> Result<i32, ApiError> {
    if let Some(span) = db.longest_span.get() {
        return Ok(span);
    }
    let query = Query::select().expr(Expr::col(event::Column::SpanDays).max()).from(event::Entity).to_owned();
    let longest: Option<(Option<i32>,)> = fetch_optional(db, &query).await?;
    let span = longest.and_then(|(span,)| span).unwrap_or(0);
    db.longest_span.set(span);
    Ok(span)
}

fn order(f: &TimelineFilter) -> Order {
    if f.ascending() { Order::Asc } else { Order::Desc }
}

/// Walks one index: `events` by start, or one country's slice.
fn walk_page(f: &TimelineFilter, dialect: Dialect, earliest_start: Option<NaiveDate>) -> SelectStatement {
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
        for code in rest {
            q.and_where(also_in(code));
        }
        country_keys()
    } else {
        Keys::of(event::Entity, event::Column::StartDate, event::Column::LastDay, event::Column::Id)
    };
    filter(&mut q, f, &keys, earliest_start);
    if let Some(search) = &f.search {
        q.and_where(dialect.matches(search, &f.countries, f.match_all));
    }
    q.order_by_expr(keys.start.clone(), order(f)).order_by_expr(keys.id.clone(), order(f)).limit(f.limit + 1);
    q
}

/// The events with the words of `search`, in timeline order by their
/// position in the text index (`crate::search::position`), cut after a
/// page. On SQLite the walk is FTS5's own, in the order of its rowids, so
/// it stops after a page however many events have the words; the other
/// filters are conditions on each event found, but countries, which the
/// index holds too: a common word and a country are then two index lists
/// intersected. On PostgreSQL the GIN index gives every match (words and
/// countries) unordered: their positions are sorted, and only the page's
/// events are read (`texts_found`); reading every match's event before
/// the sort made such pages three times slower (bench/README.md).
fn search_walk(
    f: &TimelineFilter,
    search: &SearchQuery,
    dialect: Dialect,
    earliest_start: Option<NaiveDate>,
) -> SelectStatement {
    // SQLite's index holds each event under its position negated
    // (`fts_event_id`): there every bound and the order turn round.
    let (mut q, walked, negated) = match dialect {
        Dialect::Sqlite => (
            found_events(f, search, earliest_start),
            Expr::col((Alias::new("event_search"), Alias::new("rowid"))),
            true,
        ),
        Dialect::Postgres => (
            texts_found(f, search, earliest_start),
            Expr::col((event_text::Entity, event_text::Column::Position)),
            false,
        ),
    };
    let before = |at: i64| if negated { walked.clone().gt(-at) } else { walked.clone().lt(at) };
    let after = |at: i64| if negated { walked.clone().lt(-at) } else { walked.clone().gt(at) };
    let at_or_after = |at: i64| if negated { walked.clone().lte(-at) } else { walked.clone().gte(at) };
    if let Some(to) = f.to.and_then(|to| to.succ_opt()) {
        q.and_where(before(position(to, 0)));
    }
    if let Some(earliest) = earliest_start {
        q.and_where(at_or_after(position(earliest, 0)));
    }
    if let Some(cursor) = f.after {
        let at = position(cursor.start, cursor.id);
        q.and_where(if f.ascending() { after(at) } else { before(at) });
    }
    let walk = if f.ascending() != negated { Order::Asc } else { Order::Desc };
    q.order_by_expr(walked, walk).limit(f.limit + 1);
    if dialect == Dialect::Sqlite { q } else { documents_of(q, f) }
}

/// PostgreSQL: the ids and positions of the events with the words of
/// `search` and the filter's countries that pass its other filters,
/// reading an event's row only for a filter that needs one (a kind, a
/// window's start, a precision).
fn texts_found(f: &TimelineFilter, search: &SearchQuery, earliest_start: Option<NaiveDate>) -> SelectStatement {
    let mut q = Query::select();
    q.expr_as(Expr::col((event_text::Entity, event_text::Column::EventId)), "eid")
        .expr_as(Expr::col((event_text::Entity, event_text::Column::Position)), "pos")
        .from(event_text::Entity)
        .and_where(ts_match(search, &f.countries, f.match_all));
    if needs_event_row(f) {
        q.inner_join(
            event::Entity,
            Expr::col((event::Entity, event::Column::Id)).equals((event_text::Entity, event_text::Column::EventId)),
        );
        let keys = Keys::of(event::Entity, event::Column::StartDate, event::Column::LastDay, event::Column::Id);
        filter(&mut q, f, &keys, earliest_start);
    } else {
        // The window's end and the cursor are bounds on the position.
        conditions(&mut q, f, &Expr::col((event_text::Entity, event_text::Column::EventId)));
    }
    q
}

/// Events with the words of `search` (SQLite: from the FTS5 index, which
/// also holds each event's countries) that pass every other filter: the
/// start, id and document of each.
fn found_events(f: &TimelineFilter, search: &SearchQuery, earliest_start: Option<NaiveDate>) -> SelectStatement {
    let mut q = Query::select();
    q.column((event::Entity, event::Column::StartDate))
        .column((event::Entity, event::Column::Id))
        .column((event::Entity, event::Column::Document))
        .from(Alias::new("event_search"))
        .join(JoinType::InnerJoin, event::Entity, Expr::col((event::Entity, event::Column::Id)).eq(fts_event_id()))
        .and_where(fts_match(search, &f.countries, f.match_all));
    let keys = Keys::of(event::Entity, event::Column::StartDate, event::Column::LastDay, event::Column::Id);
    filter(&mut q, f, &keys, earliest_start);
    q
}

/// A page of the events with the words of `search`, the best first: every
/// match is scored (BM25 on SQLite, `ts_rank_cd` on PostgreSQL; higher is
/// better), then cut after the cursor's (score, start, id).
fn ranked_page(
    f: &TimelineFilter,
    search: &SearchQuery,
    dialect: Dialect,
    earliest_start: Option<NaiveDate>,
) -> SelectStatement {
    let mut scored = match dialect {
        Dialect::Sqlite => {
            let mut q = found_events(f, search, earliest_start);
            // The countries column counts for nothing in the rank.
            q.expr_as(Expr::cust("-bm25(\"event_search\", 1.0, 0.0)"), "score");
            q
        }
        Dialect::Postgres => {
            let mut q = Query::select();
            q.column((event::Entity, event::Column::StartDate))
                .column((event::Entity, event::Column::Id))
                .column((event::Entity, event::Column::Document))
                .expr_as(
                    Expr::cust(format!(
                        "CAST(ts_rank_cd(\"event_texts\".\"search_vector\", {}) AS double precision)",
                        tsquery(search.to_tsquery())
                    )),
                    "score",
                )
                .from(event::Entity)
                .inner_join(
                    event_text::Entity,
                    Expr::col((event_text::Entity, event_text::Column::EventId))
                        .equals((event::Entity, event::Column::Id)),
                )
                .and_where(Expr::col((event::Entity, event::Column::Id)).in_subquery(matching_events(
                    f,
                    dialect,
                    earliest_start,
                )));
            q
        }
    };
    let mut q = Query::select();
    q.columns([Alias::new("start_date"), Alias::new("id"), Alias::new("document"), Alias::new("score")])
        .from_subquery(scored.take(), "ranked");
    let key = || Expr::tuple([Expr::col("score"), Expr::col("start_date"), Expr::col("id")]);
    if let Some(Position { start, id, score: Some(score) }) = f.after {
        q.and_where(key().lt(Expr::tuple([Expr::value(score), Expr::value(start), Expr::value(id)])));
    }
    q.order_by("score", Order::Desc).order_by("start_date", Order::Desc).order_by("id", Order::Desc).limit(f.limit + 1);
    q
}

/// The first `limit + 1` events of each country, merged and cut to a page.
fn any_country_page(f: &TimelineFilter, dialect: Dialect, earliest_start: Option<NaiveDate>) -> SelectStatement {
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
        if let Some(search) = &f.search {
            part.and_where(dialect.matches(search, std::slice::from_ref(code), false));
        }
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

/// The ids of every event that `f` matches, paging aside: for facets to
/// count over. `earliest_start` as for a page.
pub(super) fn matching_events(
    f: &TimelineFilter,
    dialect: Dialect,
    earliest_start: Option<NaiveDate>,
) -> SelectStatement {
    let mut q = Query::select();
    q.column((event::Entity, event::Column::Id)).from(event::Entity);
    let keys = Keys::of(event::Entity, event::Column::StartDate, event::Column::LastDay, event::Column::Id);
    let in_country = |codes: &[String]| {
        Query::select()
            .column(event_country::Column::EventId)
            .from(event_country::Entity)
            .and_where(Expr::col(event_country::Column::Country).is_in(codes.iter().map(String::as_str)))
            .to_owned()
    };
    if f.match_all {
        for code in &f.countries {
            q.and_where(keys.id.clone().in_subquery(in_country(std::slice::from_ref(code))));
        }
    } else if !f.countries.is_empty() {
        q.and_where(keys.id.clone().in_subquery(in_country(&f.countries)));
    }
    filter(&mut q, f, &keys, earliest_start);
    if let Some(search) = &f.search {
        q.and_where(dialect.matches(search, &f.countries, f.match_all));
    }
    q
}

/// The keys of a walk of `event_countries` as `ec`.
fn country_keys() -> Keys {
    Keys::of("ec", event_country::Column::StartDate, event_country::Column::LastDay, event_country::Column::EventId)
}

/// The event at `ec` is in country `code` too: a primary-key probe per
/// candidate event.
fn also_in(code: &str) -> Expr {
    let also = Query::select()
        .expr(Expr::val(1))
        .from_as(event_country::Entity, "x")
        .and_where(Expr::col(("x", event_country::Column::Country)).eq(code))
        .and_where(Expr::col(("x", event_country::Column::StartDate)).equals(("ec", event_country::Column::StartDate)))
        .and_where(Expr::col(("x", event_country::Column::EventId)).equals(("ec", event_country::Column::EventId)))
        .to_owned();
    Expr::exists(also)
}

/// Whether a filter needs an event's own row (its kind, last day or
/// precision) beside the keys of a walk.
fn needs_event_row(f: &TimelineFilter) -> bool {
    !f.kinds.is_empty() || f.from.is_some() || f.precision.is_some_and(|p| p != Precision::Century)
}

/// The page's documents, for `found`'s events (`eid`) in the order of
/// their positions (`pos`): only the page's events are read.
fn documents_of(found: SelectStatement, f: &TimelineFilter) -> SelectStatement {
    let mut page = Query::select();
    page.column((event::Entity, event::Column::StartDate))
        .column((event::Entity, event::Column::Id))
        .column((event::Entity, event::Column::Document))
        .from_subquery(found, "found")
        .inner_join(event::Entity, Expr::col((event::Entity, event::Column::Id)).equals(("found", "eid")))
        .order_by(("found", "pos"), order(f));
    page
}

/// How many pages' worth of a country's slice a PostgreSQL search walks
/// before it asks the GIN index instead: a walk pays while at least one
/// event in this many has the words (at 1M, 500 probes cost about what
/// the index does for a word that rare; bench/README.md).
const WALKED_PAGES: u64 = 10;

/// The events of a country's slice a PostgreSQL search walks.
fn walked(f: &TimelineFilter) -> u64 {
    WALKED_PAGES * (f.limit + 1)
}

/// PostgreSQL: words in the timeline of one country, or of several all
/// share, first by walking the slice of the first (the rarest,
/// `by_size`): its next `walked(f)` events, each with whether it has the
/// words (a primary-key probe of its text). A word common in the country
/// fills a page within them; when it does not, and the slice goes on,
/// the GIN index finds the words and the country together
/// (`search_walk`), which costs what the matches number. Either alone
/// was slow on half the searches: the walk for a name rare in the
/// country's slice (all of it walked), the index for a word common in it
/// (every match read and sorted; bench/README.md has the figures).
fn country_walk(f: &TimelineFilter, search: &SearchQuery, earliest_start: Option<NaiveDate>) -> SelectStatement {
    let has_words = Query::select()
        .expr(Expr::val(1))
        .from(event_text::Entity)
        .and_where(Expr::col((event_text::Entity, event_text::Column::EventId)).equals(("walked", "eid")))
        .and_where(ts_match(search, &[], false))
        .to_owned();
    let mut q = Query::select();
    q.column(("walked", "eid"))
        .expr_as(Expr::exists(has_words), "hit")
        .from_subquery(country_slice(f, earliest_start, walked(f)), "walked")
        .order_by(("walked", "sd"), order(f))
        .order_by(("walked", "eid"), order(f));
    q
}

/// The next `length` events (`eid`, `sd`) of the slice of `f`'s first
/// country that its filters keep (its other countries as probes), in
/// timeline order; its words aside.
fn country_slice(f: &TimelineFilter, earliest_start: Option<NaiveDate>, length: u64) -> SelectStatement {
    let keys = country_keys();
    let mut slice = Query::select();
    slice.expr_as(keys.id.clone(), "eid").expr_as(keys.start.clone(), "sd").from_as(event_country::Entity, "ec");
    if let [first, rest @ ..] = f.countries.as_slice() {
        slice.and_where(Expr::col(("ec", event_country::Column::Country)).eq(first.as_str()));
        for code in rest {
            slice.and_where(also_in(code));
        }
    }
    if needs_event_row(f) {
        slice.inner_join(
            event::Entity,
            Expr::col((event::Entity, event::Column::Id)).equals(("ec", event_country::Column::EventId)),
        );
    }
    filter(&mut slice, f, &keys, earliest_start);
    slice.order_by_expr(keys.start, order(f)).order_by_expr(keys.id, order(f)).limit(length);
    slice
}

/// The next `length` events of the timeline of `f`'s one country, each
/// with its other countries (`event_countries.partners`), as one text in
/// timeline order: `id partner partner…` per event, `;` between events
/// (NULL when there are none). Its words aside, as `country_slice`. One
/// row, not `length`: decoding 500 rows was most of what the service
/// spent on a country's relations from PostgreSQL.
pub(super) fn partners_in_slice(
    f: &TimelineFilter,
    dialect: Dialect,
    earliest_start: Option<NaiveDate>,
    length: u64,
) -> SelectStatement {
    let mut slice = country_slice(f, earliest_start, length);
    slice.expr_as(Expr::col(("ec", event_country::Column::Partners)), "partners");
    let aggregate = match dialect {
        Dialect::Sqlite => "group_concat",
        Dialect::Postgres => "string_agg",
    };
    let direction = if f.ascending() { "ASC" } else { "DESC" };
    let mut q = Query::select();
    q.expr(Expr::cust(format!(
        "{aggregate}(CAST(\"eid\" AS TEXT) || ' ' || \"partners\", ';' ORDER BY \"sd\" {direction}, \"eid\" {direction})"
    )))
    .from_subquery(slice, "walked");
    q
}

/// The start, id and document of these events, in the page's order.
pub(super) fn documents_by_id(ids: &[i64], f: &TimelineFilter) -> SelectStatement {
    let mut q = Query::select();
    q.column((event::Entity, event::Column::StartDate))
        .column((event::Entity, event::Column::Id))
        .column((event::Entity, event::Column::Document))
        .from(event::Entity)
        .and_where(Expr::col((event::Entity, event::Column::Id)).is_in(ids.iter().copied()))
        .order_by((event::Entity, event::Column::StartDate), order(f))
        .order_by((event::Entity, event::Column::Id), order(f));
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

/// The window, kind, precision, participant, tag and cursor conditions of
/// a page (the cursor in timeline order; `ranked_page` has its own).
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
    conditions(q, f, &keys.id);
    if let Some(Position { start, id, score: None }) = f.after {
        let key = Expr::tuple([keys.start.clone(), keys.id.clone()]);
        let last = Expr::tuple([Expr::value(start), Expr::value(id)]);
        q.and_where(if f.ascending() { key.gt(last) } else { key.lt(last) });
    }
}

/// The kind, precision, participant and tag conditions of a page: on
/// `events` for the first two, on the event's `id` for the others.
fn conditions(q: &mut SelectStatement, f: &TimelineFilter, id: &Expr) {
    if !f.kinds.is_empty() {
        q.and_where(Expr::col((event::Entity, event::Column::Kind)).is_in(f.kinds.iter().map(String::as_str)));
    }
    if let Some(precision) = f.precision
        && precision != Precision::Century
    {
        let known: Vec<&str> = precision.at_least().into_iter().map(Precision::as_str).collect();
        q.and_where(Expr::col((event::Entity, event::Column::KnownPrecision)).is_in(known));
    }
    if let Some(pid) = f.participant {
        let sub = Query::select()
            .column(event_participant::Column::EventId)
            .from(event_participant::Entity)
            .and_where(Expr::col(event_participant::Column::ParticipantId).eq(pid))
            .to_owned();
        q.and_where(id.clone().in_subquery(sub));
    }
    if let Some(tag) = &f.tag {
        let sub = Query::select()
            .column(event_tag::Column::EventId)
            .from(event_tag::Entity)
            .and_where(Expr::col(event_tag::Column::Tag).eq(tag.as_str()))
            .to_owned();
        q.and_where(id.clone().in_subquery(sub));
    }
}
