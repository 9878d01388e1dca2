//! Facets: how many of a timeline's events have each value of a field, the
//! most frequent first. Each is one grouped count over the events the
//! filter matches (`timeline::matching_events`), cut at `size + 1` rows to
//! tell whether the list was truncated.

use super::counts;
use super::timeline::{Dialect, earliest_start, matching_events};
use crate::db::{Db, fetch_all};
use crate::domain::dates::Precision;
use crate::error::ApiError;
use crate::timeline::{Facet, TimelineFilter};
use entity::{event, event_country, event_participant, event_tag, participant};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use std::collections::HashMap;

/// One value of a facet: what the filter would say, what a reader reads,
/// and how many events have it.
pub struct Counted {
    pub value: String,
    pub label: String,
    pub count: i64,
}

/// The `size` most frequent values of `facet` among the events `f`
/// matches, and whether more exist.
pub async fn facet(db: &Db, f: &TimelineFilter, facet: Facet, size: u64) -> Result<(Vec<Counted>, bool), ApiError> {
    // The precision facet sums the counts of every precision (there are
    // eleven), so it needs them all.
    let limit = if facet == Facet::Precision { Precision::ALL.len() as u64 } else { size + 1 };
    let rows = match counts::facet(db, f, facet, limit).await? {
        Some(rows) => rows,
        None => {
            let matching = matching_events(f, Dialect::of(db), earliest_start(db, f).await?);
            fetch_all(db, &grouped(facet, matching, limit)).await?
        }
    };
    if facet == Facet::Precision {
        return Ok(at_least(f, &rows, size));
    }
    let more = rows.len() as u64 > size;
    let values = rows.into_iter().take(size as usize).map(|(value, label, count)| Counted { value, label, count });
    Ok((values.collect(), more))
}

/// For each precision no coarser than the filter's own, the events known
/// at least that finely, finest first, from the events of each precision.
fn at_least(f: &TimelineFilter, rows: &[(String, String, i64)], size: u64) -> (Vec<Counted>, bool) {
    let exact: HashMap<&str, i64> = rows.iter().map(|(value, _, count)| (value.as_str(), *count)).collect();
    let coarsest = f.precision.unwrap_or(Precision::Century);
    let mut total = 0;
    let mut values = Vec::new();
    for precision in Precision::ALL.into_iter().filter(|p| p.rank() <= coarsest.rank()) {
        total += exact.get(precision.as_str()).copied().unwrap_or(0);
        let value = precision.as_str().to_owned();
        let label = if precision == Precision::Day { value.clone() } else { format!("{value} or finer") };
        values.push(Counted { value, label, count: total });
    }
    let more = values.len() as u64 > size;
    values.truncate(size as usize);
    (values, more)
}

/// `SELECT value, label, count … GROUP BY value ORDER BY count DESC, value`.
pub(super) fn grouped(facet: Facet, matching: SelectStatement, limit: u64) -> SelectStatement {
    let mut q = Query::select();
    // The year or month an event began: its earliest possible day's. The
    // lengths are literals, not parameters, so that PostgreSQL sees the
    // label and the grouped value as one expression.
    let start_prefix = |chars: i32| Expr::cust(format!("SUBSTR(CAST(\"events\".\"start_date\" AS TEXT), 1, {chars})"));
    let value: Expr = match facet {
        Facet::Country => {
            q.from(event_country::Entity)
                .and_where(Expr::col(event_country::Column::EventId).in_subquery(matching))
                .expr_as(Func::count_distinct(Expr::col(event_country::Column::EventId)), "n");
            Expr::col(event_country::Column::Country)
        }
        Facet::Tag => {
            q.from(event_tag::Entity)
                .and_where(Expr::col(event_tag::Column::EventId).in_subquery(matching))
                .expr_as(Func::count_distinct(Expr::col(event_tag::Column::EventId)), "n");
            Expr::col(event_tag::Column::Tag)
        }
        Facet::Participant => {
            q.from(event_participant::Entity)
                .inner_join(
                    participant::Entity,
                    Expr::col((participant::Entity, participant::Column::Id))
                        .equals((event_participant::Entity, event_participant::Column::ParticipantId)),
                )
                .and_where(
                    Expr::col((event_participant::Entity, event_participant::Column::EventId)).in_subquery(matching),
                )
                .expr_as(
                    Func::count_distinct(Expr::col((event_participant::Entity, event_participant::Column::EventId))),
                    "n",
                );
            let id = Expr::col((participant::Entity, participant::Column::Id));
            q.group_by_col((participant::Entity, participant::Column::Name));
            return finish(
                q,
                id.cast_as(Alias::new("TEXT")),
                Some(Expr::col((participant::Entity, participant::Column::Name))),
                limit,
            );
        }
        Facet::Kind | Facet::Year | Facet::Month | Facet::Precision => {
            q.from(event::Entity)
                .and_where(Expr::col((event::Entity, event::Column::Id)).in_subquery(matching))
                .expr_as(Func::count(Expr::col((event::Entity, event::Column::Id))), "n");
            match facet {
                Facet::Kind => Expr::col((event::Entity, event::Column::Kind)),
                Facet::Year => start_prefix(4),
                Facet::Month => start_prefix(7),
                _ => Expr::col((event::Entity, event::Column::KnownPrecision)),
            }
        }
    };
    finish(q, value, None, limit)
}

fn finish(mut q: SelectStatement, value: Expr, label: Option<Expr>, limit: u64) -> SelectStatement {
    q.expr_as(value.clone(), "v").expr_as(label.unwrap_or(value), "l");
    // By the output's name: PostgreSQL would not see `SUBSTR(…, $1, $2)`
    // in the GROUP BY as the one selected, with its own parameters.
    q.group_by_col(Alias::new("v"));
    // The count was added first; the answer reads (value, label, count).
    let mut outer = Query::select();
    outer
        .columns([Alias::new("v"), Alias::new("l"), Alias::new("n")])
        .from_subquery(q, "counted")
        .order_by("n", Order::Desc)
        .order_by("v", Order::Asc)
        .limit(limit);
    outer
}
