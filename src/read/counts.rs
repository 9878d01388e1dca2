//! Facets and relations from the counts the write path keeps
//! (`event_counts`, `country_pairs`, `carried_counts`, `value_counts`,
//! `partner_counts`, `partner_totals`), for
//! the filters they answer: every event, one country's timeline or two
//! countries' shared one, of any kinds, over every year or a window of
//! whole years, with no words, participant, tag or precision. A few
//! hundred rows read, however many events there are.

use super::timeline::longest_span;
use crate::db::{Db, fetch_all};
use crate::error::ApiError;
use crate::store::CARRIED_DAYS;
use crate::timeline::{Facet, TimelineFilter};
use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement, UnionType};

/// The events a filter the counts answer narrows to.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Every,
    Country(&'a str),
    Shared(&'a str, &'a str),
}

/// A window of whole years, `YYYY`: from 1 January of `first` to 31
/// December of `last`, either open. Its events are those that began in it
/// and, when it has a first year, those carried into that year.
struct Years {
    first: Option<String>,
    last: Option<String>,
}

impl Years {
    fn of(f: &TimelineFilter) -> Option<Years> {
        let year = |day: Option<NaiveDate>, month, date| match day {
            None => Some(None),
            Some(d) if d.month() == month && d.day() == date && (0..=9999).contains(&d.year()) => {
                Some(Some(format!("{:04}", d.year())))
            }
            Some(_) => None,
        };
        Some(Years { first: year(f.from, 1, 1)?, last: year(f.to, 12, 31)? })
    }

    fn is_every_year(&self) -> bool {
        self.first.is_none() && self.last.is_none()
    }

    /// The rows of a table keyed by `year` that began within the window.
    fn narrow(&self, q: &mut SelectStatement) {
        if let Some(first) = &self.first {
            q.and_where(Expr::col("year").gte(first.as_str()));
        }
        if let Some(last) = &self.last {
            q.and_where(Expr::col("year").lte(last.as_str()));
        }
    }
}

/// The scope and window of `f`, when the counts answer it.
async fn answerable<'f>(db: &Db, f: &'f TimelineFilter) -> Result<Option<(Scope<'f>, Years)>, ApiError> {
    let narrowed = f.search.is_some() || f.participant.is_some() || f.tag.is_some() || f.precision.is_some();
    let Some(years) = Years::of(f) else { return Ok(None) };
    let scope = match f.countries.as_slice() {
        _ if narrowed => return Ok(None),
        [] => Scope::Every,
        [one] => Scope::Country(one),
        [a, b] if f.match_all => Scope::Shared(a, b),
        _ => return Ok(None),
    };
    // Pairs are not kept by the years they are carried into; and only
    // events no longer than CARRIED_DAYS are carried into every year.
    let carried = years.first.is_some();
    if carried && (matches!(scope, Scope::Shared(..)) || longest_span(db).await? > CARRIED_DAYS) {
        return Ok(None);
    }
    Ok(Some((scope, years)))
}

/// `SUM(n)` as a BIGINT on both databases (PostgreSQL's would be numeric).
fn total() -> Expr {
    Expr::cust("CAST(SUM(\"n\") AS BIGINT)")
}

/// Rows of a kept table, of the filter's kinds.
fn of_kinds(table: &str, f: &TimelineFilter) -> SelectStatement {
    let mut q = Query::select();
    q.from(Alias::new(table));
    if !f.kinds.is_empty() {
        q.and_where(Expr::col("kind").is_in(f.kinds.iter().map(String::as_str)));
    }
    q
}

/// The counts of the events that began in the window, for a scope.
fn began(f: &TimelineFilter, scope: Scope, years: &Years) -> SelectStatement {
    let mut q = match scope {
        Scope::Every => of_kinds("event_counts", f).and_where(Expr::col("country").eq("")).to_owned(),
        Scope::Country(code) => of_kinds("event_counts", f).and_where(Expr::col("country").eq(code)).to_owned(),
        Scope::Shared(a, b) => of_kinds("country_pairs", f)
            .and_where(Expr::col("country").eq(a))
            .and_where(Expr::col("partner").eq(b))
            .to_owned(),
    };
    years.narrow(&mut q);
    q
}

/// The counts of the events carried into the window's first year.
fn carried(f: &TimelineFilter, country: &str, first: &str) -> SelectStatement {
    of_kinds("carried_counts", f)
        .and_where(Expr::col("country").eq(country))
        .and_where(Expr::col("year").eq(first))
        .to_owned()
}

/// The counts of the events `code` shares with each partner that began
/// in the window: over every year, a row per partner and kind
/// (`partner_counts`); in a window, a row per year too (`country_pairs`).
fn partners(f: &TimelineFilter, code: &str, years: &Years) -> SelectStatement {
    let table = if years.is_every_year() { "partner_counts" } else { "country_pairs" };
    let mut q = of_kinds(table, f).and_where(Expr::col("country").eq(code)).to_owned();
    years.narrow(&mut q);
    q
}

/// `column AS v, n` of `q`.
fn part(mut q: SelectStatement, column: &str) -> SelectStatement {
    q.expr_as(Expr::col(Alias::new(column)), "v").column(Alias::new("n"));
    q
}

/// The `limit` most frequent values of `facet` among `f`'s events as
/// (value, label, count), when the counts answer it.
pub async fn facet(
    db: &Db,
    f: &TimelineFilter,
    facet: Facet,
    limit: u64,
) -> Result<Option<Vec<(String, String, i64)>>, ApiError> {
    let Some((scope, years)) = answerable(db, f).await? else { return Ok(None) };
    // Whose carried events: a country's, or every event's (`answerable`
    // carries none into two countries' shared timeline).
    let own = if let Scope::Country(code) = scope { code } else { "" };
    let mut parts = Vec::new();
    match (facet, scope) {
        (Facet::Kind | Facet::Year, _) => {
            let column = if facet == Facet::Kind { "kind" } else { "year" };
            parts.push(part(began(f, scope, &years), column));
            if let Some(first) = &years.first {
                let column = if facet == Facet::Kind { "kind" } else { "began" };
                parts.push(part(carried(f, own, first), column));
            }
        }
        // Every country with its events.
        (Facet::Country, Scope::Every) if !years.is_every_year() || !f.kinds.is_empty() => {
            let mut q = of_kinds("event_counts", f).and_where(Expr::col("country").ne("")).to_owned();
            years.narrow(&mut q);
            parts.push(part(q, "country"));
            if let Some(first) = &years.first {
                let mut q = of_kinds("carried_counts", f);
                q.and_where(Expr::col("country").ne("")).and_where(Expr::col("year").eq(first.as_str()));
                parts.push(part(q, "country"));
            }
        }
        // The country itself, with all its events, and its partners.
        (Facet::Country, Scope::Country(code)) if years.first.is_none() => {
            parts.push(part(began(f, scope, &years), "country"));
            parts.push(part(partners(f, code, &years), "partner"));
        }
        // Over every event of every kind and year.
        (Facet::Country | Facet::Month | Facet::Tag | Facet::Participant | Facet::Precision, Scope::Every)
            if years.is_every_year() && f.kinds.is_empty() =>
        {
            // As the write path names them (`store::counts::Deltas::add`).
            let name = match facet {
                Facet::Country => "country",
                Facet::Month => "month",
                Facet::Tag => "tag",
                Facet::Participant => "participant",
                _ => "precision",
            };
            let mut q = Query::select();
            q.from(Alias::new("value_counts")).and_where(Expr::col("facet").eq(name));
            parts.push(part(q, "value"));
        }
        _ => return Ok(None),
    }
    let mut parts = parts.into_iter();
    let mut union = parts.next().expect("a facet the counts answer has a part");
    for other in parts {
        union.union(UnionType::All, other);
    }
    let mut summed = Query::select();
    summed.column(Alias::new("v")).expr_as(total(), "n").from_subquery(union, "parts").group_by_col(Alias::new("v"));
    let mut q = Query::select();
    q.column(Alias::new("v"))
        .expr_as(Expr::col(Alias::new("v")), "l")
        .column(Alias::new("n"))
        .from_subquery(summed, "counted")
        .and_where(Expr::col(Alias::new("n")).gt(0))
        .order_by("n", Order::Desc)
        .order_by("v", Order::Asc)
        .limit(limit);
    if facet == Facet::Participant {
        q = named_participants(q);
    }
    Ok(Some(fetch_all(db, &q).await?))
}

/// The top participants' ids, labelled with their names.
fn named_participants(top: SelectStatement) -> SelectStatement {
    let mut q = Query::select();
    q.expr_as(Expr::col(("top", "v")), "v")
        .expr_as(Expr::col(("p", "name")), "l")
        .expr_as(Expr::col(("top", "n")), "n")
        .from_subquery(top, "top")
        .join_as(
            sea_orm::sea_query::JoinType::InnerJoin,
            Alias::new("participants"),
            "p",
            Expr::col(("p", "id")).eq(Expr::cust("CAST(\"top\".\"v\" AS BIGINT)")),
        )
        .order_by(("top", "n"), Order::Desc)
        .order_by(("top", "v"), Order::Asc);
    q
}

/// The (partner, kind, shared events) of the `size + 1` partners sharing
/// the most events with the one country of `f` (among equals, the first
/// code in alphabetical order), when the counts answer it.
pub async fn partner_kinds(
    db: &Db,
    f: &TimelineFilter,
    size: u64,
) -> Result<Option<Vec<(String, String, i64)>>, ApiError> {
    let Some((Scope::Country(code), years)) = answerable(db, f).await? else { return Ok(None) };
    if !years.is_every_year() {
        return Ok(None);
    }
    // The top partners are chosen in SQL, so only their rows come back:
    // the US has 2,000 (partner, kind) rows at 1M, and turning each into
    // values was most of what its relations cost on PostgreSQL. Of every
    // kind, they are read from their totals (200 rows for the US), not
    // grouped from those 2,000.
    let mut top = if f.kinds.is_empty() {
        Query::select()
            .from(Alias::new("partner_totals"))
            .and_where(Expr::col("country").eq(code))
            .and_where(Expr::col("n").gt(0))
            .order_by(Alias::new("n"), Order::Desc)
            .to_owned()
    } else {
        partners(f, code, &years)
            .group_by_col(Alias::new("partner"))
            .and_having(Expr::col(Alias::new("n")).sum().gt(0))
            .order_by_expr(Expr::col(Alias::new("n")).sum(), Order::Desc)
            .to_owned()
    };
    top.column(Alias::new("partner")).order_by(Alias::new("partner"), Order::Asc).limit(size + 1);
    let mut q = partners(f, code, &years);
    q.columns([Alias::new("partner"), Alias::new("kind"), Alias::new("n")])
        .and_where(Expr::col(Alias::new("partner")).in_subquery(top));
    let rows: Vec<(String, String, i64)> = fetch_all(db, &q).await?;
    Ok(Some(rows.into_iter().filter(|(_, _, n)| *n > 0).collect()))
}
