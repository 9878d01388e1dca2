//! Relations between countries: who shares events with a country, and how
//! many events some countries share, period by period. Both are grouped
//! counts over the events a timeline filter matches, as facets are.

use super::counts;
use super::facets::{Counted, grouped};
use super::timeline::{Dialect, documents_by_id, earliest_start, matching_events, page, partners_in_slice};
use crate::db::{Db, fetch_all, fetch_optional};
use crate::error::ApiError;
use crate::timeline::{Facet, Period, TimelineFilter};
use chrono::NaiveDate;
use entity::{event, event_country};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use std::collections::HashMap;

/// A country that shares events with another.
pub struct Partner {
    pub code: String,
    pub shared: i64,
    /// Shared events by kind, the most frequent first.
    pub kinds: Vec<(String, i64)>,
    /// The latest shared event's document.
    pub latest: Option<String>,
}

/// The `size` countries sharing the most of `f`'s events with its one
/// country, and whether more do: one grouped count of (country, kind), and
/// for each country listed its latest shared event (`latest_shared`).
pub async fn partners(db: &Db, f: &TimelineFilter, size: u64) -> Result<(Vec<Partner>, bool), ApiError> {
    let Some(code) = f.countries.first() else { return Ok((Vec::new(), false)) };
    let rows = match counts::partner_kinds(db, f, size).await? {
        Some(rows) => rows,
        None => scanned_partner_kinds(db, f, code).await?,
    };
    let mut by_country: HashMap<String, Vec<(String, i64)>> = HashMap::new();
    for (country, kind, n) in rows {
        by_country.entry(country).or_default().push((kind, n));
    }
    let mut partners: Vec<Partner> = by_country
        .into_iter()
        .map(|(code, mut kinds)| {
            kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            Partner { shared: kinds.iter().map(|k| k.1).sum(), code, kinds, latest: None }
        })
        .collect();
    partners.sort_by(|a, b| b.shared.cmp(&a.shared).then_with(|| a.code.cmp(&b.code)));
    let truncated = partners.len() as u64 > size;
    partners.truncate(size as usize);
    latest_shared(db, f, code, &mut partners).await?;
    Ok((partners, truncated))
}

/// How many events of a country's timeline are walked to find its
/// partners' latest shared events, before each partner not met in them is
/// looked up alone.
const PARTNER_WALK: u64 = 500;

/// Each partner's latest shared event under `f`: the first event of
/// `code`'s timeline it is in. One walk of that timeline's next
/// `PARTNER_WALK` events meets most partners; one not met (or any, under
/// words) gets a bilateral page of one. Twenty such pages, each its own
/// walk, were most of what a country's relations cost.
async fn latest_shared(db: &Db, f: &TimelineFilter, code: &str, partners: &mut [Partner]) -> Result<(), ApiError> {
    if f.search.is_none() && !partners.is_empty() {
        let walk = partners_in_slice(f, Dialect::of(db), earliest_start(db, f).await?, PARTNER_WALK);
        let walked: Option<(Option<String>,)> = fetch_optional(db, &walk).await?;
        // Each partner's first event in the walk.
        let mut first: HashMap<&str, i64> = HashMap::new();
        for event in walked.as_ref().and_then(|(w,)| w.as_deref()).unwrap_or_default().split(';') {
            let mut fields = event.split_whitespace();
            let Some(Ok(id)) = fields.next().map(str::parse) else { continue };
            for country in fields {
                first.entry(country).or_insert(id);
            }
        }
        let mut ids: Vec<i64> = partners.iter().filter_map(|p| first.get(p.code.as_str())).copied().collect();
        ids.sort_unstable();
        ids.dedup();
        let rows: Vec<(NaiveDate, i64, String)> = fetch_all(db, &documents_by_id(&ids, f)).await?;
        let documents: HashMap<i64, String> = rows.into_iter().map(|(_, id, doc)| (id, doc)).collect();
        for partner in partners.iter_mut() {
            if let Some(id) = first.get(partner.code.as_str()) {
                // An event shared with several partners is the latest of each.
                partner.latest = documents.get(id).cloned();
            }
        }
    }
    for partner in partners.iter_mut().filter(|p| p.latest.is_none()) {
        let mut both = f.clone();
        both.countries = vec![code.to_owned(), partner.code.clone()];
        both.match_all = true;
        both.limit = 1;
        partner.latest = page(db, &both).await?.documents.pop();
    }
    Ok(())
}

/// (partner, kind, shared events) of `code` among the events `f` matches,
/// counted over them.
async fn scanned_partner_kinds(
    db: &Db,
    f: &TimelineFilter,
    code: &str,
) -> Result<Vec<(String, String, i64)>, ApiError> {
    let matching = matching_events(f, Dialect::of(db), earliest_start(db, f).await?);
    let mut q = Query::select();
    q.column((Alias::new("ec"), event_country::Column::Country))
        .column((event::Entity, event::Column::Kind))
        .expr_as(Func::count(Expr::col((event::Entity, event::Column::Id))), "n")
        .from_as(event_country::Entity, "ec")
        .inner_join(
            event::Entity,
            Expr::col((event::Entity, event::Column::Id)).equals((Alias::new("ec"), event_country::Column::EventId)),
        )
        .and_where(Expr::col((Alias::new("ec"), event_country::Column::EventId)).in_subquery(matching))
        .and_where(Expr::col((Alias::new("ec"), event_country::Column::Country)).ne(code))
        .group_by_col((Alias::new("ec"), event_country::Column::Country))
        .group_by_col((event::Entity, event::Column::Kind));
    Ok(fetch_all(db, &q).await?)
}

/// The most periods one answer lists: 10,000 years, or months of 800.
const MAX_PERIODS: u64 = 10_000;

/// How many of the events the countries of `f` all share began in each
/// year or month, in order, and whether the list was cut at `MAX_PERIODS`.
pub async fn shared(db: &Db, f: &TimelineFilter, by: Period) -> Result<(Vec<Counted>, bool), ApiError> {
    let facet = match by {
        Period::Year => Facet::Year,
        Period::Month => Facet::Month,
    };
    let rows = match counts::facet(db, f, facet, MAX_PERIODS + 1).await? {
        Some(rows) => rows,
        None => {
            let matching = matching_events(f, Dialect::of(db), earliest_start(db, f).await?);
            fetch_all(db, &grouped(facet, matching, MAX_PERIODS + 1)).await?
        }
    };
    let truncated = rows.len() as u64 > MAX_PERIODS;
    let mut counted: Vec<Counted> = rows
        .into_iter()
        .take(MAX_PERIODS as usize)
        .map(|(value, label, count)| Counted { value, label, count })
        .collect();
    counted.sort_by(|a, b| a.value.cmp(&b.value));
    Ok((counted, truncated))
}
