//! Facets and relations from the counts the write path keeps
//! (`event_counts`, `country_pairs`), for the filters they answer: every
//! event, one country's timeline or two countries' shared one, of any
//! kinds, with no window, words, participant, tag or precision. A few
//! hundred rows read, however many events there are.

use crate::db::{Db, fetch_all};
use crate::error::ApiError;
use crate::timeline::{Facet, TimelineFilter};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement, UnionType};

/// The events a filter the counts answer narrows to.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Every,
    Country(&'a str),
    Shared(&'a str, &'a str),
}

fn scope(f: &TimelineFilter) -> Option<Scope<'_>> {
    let narrowed = f.from.is_some()
        || f.to.is_some()
        || f.search.is_some()
        || f.participant.is_some()
        || f.tag.is_some()
        || f.precision.is_some();
    match f.countries.as_slice() {
        _ if narrowed => None,
        [] => Some(Scope::Every),
        [one] => Some(Scope::Country(one)),
        [a, b] if f.match_all => Some(Scope::Shared(a, b)),
        _ => None,
    }
}

/// `SUM(n)` as a BIGINT on both databases (PostgreSQL's would be numeric).
fn total() -> Expr {
    Expr::cust("CAST(SUM(\"n\") AS BIGINT)")
}

/// The counts' rows for a scope, of the filter's kinds.
fn rows_of(f: &TimelineFilter, scope: Scope) -> SelectStatement {
    let mut q = Query::select();
    match scope {
        Scope::Every => q.from(Alias::new("event_counts")).and_where(Expr::col("country").eq("")),
        Scope::Country(code) => q.from(Alias::new("event_counts")).and_where(Expr::col("country").eq(code)),
        Scope::Shared(a, b) => q
            .from(Alias::new("country_pairs"))
            .and_where(Expr::col("country").eq(a))
            .and_where(Expr::col("partner").eq(b)),
    };
    if !f.kinds.is_empty() {
        q.and_where(Expr::col("kind").is_in(f.kinds.iter().map(String::as_str)));
    }
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
    let Some(scope) = scope(f) else { return Ok(None) };
    let counted = match (facet, scope) {
        (Facet::Kind | Facet::Year, _) => {
            let column = if facet == Facet::Kind { "kind" } else { "year" };
            let mut q = rows_of(f, scope);
            q.expr_as(Expr::col(column), "v").expr_as(total(), "n").group_by_col(Alias::new(column));
            q
        }
        // Every country with its events.
        (Facet::Country, Scope::Every) => {
            let mut q = Query::select();
            q.from(Alias::new("event_counts"))
                .expr_as(Expr::col("country"), "v")
                .expr_as(total(), "n")
                .and_where(Expr::col("country").ne(""))
                .group_by_col(Alias::new("country"));
            if !f.kinds.is_empty() {
                q.and_where(Expr::col("kind").is_in(f.kinds.iter().map(String::as_str)));
            }
            q
        }
        // The country itself, with all its events, and its partners.
        (Facet::Country, Scope::Country(code)) => {
            let mut own = rows_of(f, scope);
            own.expr_as(Expr::col("country"), "v").expr_as(total(), "n").group_by_col(Alias::new("country"));
            let mut partners = Query::select();
            partners
                .from(Alias::new("country_pairs"))
                .expr_as(Expr::col("partner"), "v")
                .expr_as(total(), "n")
                .and_where(Expr::col("country").eq(code))
                .group_by_col(Alias::new("partner"));
            if !f.kinds.is_empty() {
                partners.and_where(Expr::col("kind").is_in(f.kinds.iter().map(String::as_str)));
            }
            own.union(UnionType::All, partners);
            own
        }
        _ => return Ok(None),
    };
    let mut q = Query::select();
    q.column(Alias::new("v"))
        .expr_as(Expr::col(Alias::new("v")), "l")
        .column(Alias::new("n"))
        .from_subquery(counted, "counted")
        .and_where(Expr::col(Alias::new("n")).gt(0))
        .order_by("n", Order::Desc)
        .order_by("v", Order::Asc)
        .limit(limit);
    Ok(Some(fetch_all(db, &q).await?))
}

/// The (partner, kind, shared events) of the one country of `f`, when the
/// counts answer it.
pub async fn partner_kinds(db: &Db, f: &TimelineFilter) -> Result<Option<Vec<(String, String, i64)>>, ApiError> {
    let Some(Scope::Country(code)) = scope(f) else { return Ok(None) };
    let mut q = Query::select();
    q.from(Alias::new("country_pairs"))
        .column(Alias::new("partner"))
        .column(Alias::new("kind"))
        .expr_as(total(), "n")
        .and_where(Expr::col("country").eq(code))
        .group_by_col(Alias::new("partner"))
        .group_by_col(Alias::new("kind"));
    if !f.kinds.is_empty() {
        q.and_where(Expr::col("kind").is_in(f.kinds.iter().map(String::as_str)));
    }
    let rows: Vec<(String, String, i64)> = fetch_all(db, &q).await?;
    Ok(Some(rows.into_iter().filter(|(_, _, n)| *n > 0).collect()))
}
