//! The one timeline query: its parameters (`TimelineQuery`), checked into a
//! `TimelineFilter` that the timeline page, the export and `timeline export
//! --filter` all read through.

mod query;

pub use query::{
    DEFAULT_LIMIT, Facet, FacetQuery, MAX_LIMIT, MAX_VALUES, Match, Order, PAGE_ONLY, PRESENTATION, PartnersQuery,
    Period, SharedQuery, TimelineQuery,
};

use crate::cursor;
use crate::domain::EVENT_KINDS;
use crate::domain::countries::{self, Lang};
use crate::domain::dates::{PartialDate, Precision};
use crate::error::ApiError;
use crate::formats::{Format, Presentation};
use crate::search::SearchQuery;
use crate::validate::{country, one_of, partial_date, shown_title};
use chrono::NaiveDate;
use utoipa::IntoParams;
use utoipa::openapi::path::{Parameter, ParameterIn};

/// The filters and position of one timeline page.
#[derive(Debug, Clone)]
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
    /// Only events known at least this finely.
    pub precision: Option<Precision>,
    /// Only events with these words (`q`).
    pub search: Option<SearchQuery>,
    pub order: Order,
    pub limit: u64,
    /// Where the previous page ended.
    pub after: Option<Position>,
}

/// An event's place in a timeline: its earliest day and id, and, in
/// `order=relevance`, first its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    pub start: NaiveDate,
    pub id: i64,
    pub score: Option<f64>,
}

/// What a cursor holds: the order it was given for and the position.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum CursorKey {
    Timeline(String, NaiveDate, i64),
    /// The score as its bits: JSON text would round it (serde_json reads
    /// floats to within an ulp), and a page would then skip its ties.
    Ranked(String, NaiveDate, i64, u64),
}

impl TimelineFilter {
    /// Oldest first; in `order=relevance`, events of one score come newest
    /// first.
    pub fn ascending(&self) -> bool {
        self.order == Order::Asc
    }

    /// The cursor that continues after `at`.
    pub fn cursor_after(&self, at: Position) -> String {
        match at.score {
            Some(score) => cursor::encode(&(self.order.as_str(), at.start, at.id, score.to_bits())),
            None => cursor::encode(&(self.order.as_str(), at.start, at.id)),
        }
    }
}

/// A timeline request: which events, and how to write them.
#[derive(Debug)]
pub struct TimelineRequest {
    pub filter: TimelineFilter,
    /// `format=`, when given; the `Accept` header decides otherwise.
    pub format: Option<Format>,
    pub presentation: Presentation,
    /// Each event with a snippet of where `q`'s words were found.
    pub snippet: bool,
}

/// A page of the timeline: newest first unless asked otherwise.
pub fn page_request(raw_query: &str) -> Result<TimelineRequest, ApiError> {
    request(crate::query_string::parse(raw_query)?, Order::Desc)
}

/// A whole timeline for export: oldest first unless asked otherwise, and
/// with no paging.
pub fn export_request(raw_query: &str) -> Result<TimelineRequest, ApiError> {
    let query: TimelineQuery = crate::query_string::parse(raw_query)?;
    for (name, given) in [("limit", query.limit.is_some()), ("cursor", query.cursor.is_some())] {
        if given {
            return Err(ApiError::invalid(name, "an export streams every matching event; it has no pages"));
        }
    }
    if query.snippet.is_some() {
        return Err(ApiError::invalid("snippet", "is shown in a timeline page's JSON, not in an export"));
    }
    request(query, Order::Asc)
}

fn request(mut q: TimelineQuery, default_order: Order) -> Result<TimelineRequest, ApiError> {
    let format = q.format;
    let title = q.title.take().map(|raw| shown_title(&raw)).transpose()?;
    let group_by = q.group_by;
    let names_in = q.lang;
    let lang = q.lang.unwrap_or_default();
    let snippet = q.snippet == Some(true);
    let filter = filter(q, default_order)?;
    if snippet && filter.search.is_none() {
        return Err(ApiError::invalid("snippet", "shows where the words of `q` were found; give `q` with it"));
    }
    let default_title = match (filter.countries.len(), lang) {
        (0, Lang::En) => "Timeline".to_owned(),
        (0, Lang::Ru) => "Хроника".to_owned(),
        _ => filter.countries.iter().map(|c| countries::name(c, lang.code())).collect::<Vec<_>>().join(" – "),
    };
    let presentation = Presentation { group_by, title, default_title, lang, names_in };
    Ok(TimelineRequest { filter, format, presentation, snippet })
}

/// What `GET /facets` asks: the events of a timeline filter, the fields to
/// count them by, and the filter's parameters as given, from which each
/// value's timeline URL is made.
pub struct FacetsRequest {
    pub filter: TimelineFilter,
    pub facets: Vec<Facet>,
    pub size: u64,
    /// Of country names, English when not given.
    pub lang: Lang,
    /// Of participants' names: as given when not given.
    pub names_in: Option<Lang>,
    pub filter_pairs: Vec<(String, String)>,
}

pub fn facets_request(raw_query: &str) -> Result<FacetsRequest, ApiError> {
    let (own, query, filter_pairs) = split(raw_query, &["facet", "facet_size"], &[])?;
    let own: FacetQuery = crate::query_string::parse(&own)?;
    // One of each facet (the spec's `maxItems` says as much).
    const MAX_FACETS: usize = 7;
    if own.facet.len() > MAX_FACETS {
        return Err(ApiError::invalid("facet", format!("given {} times; at most {MAX_FACETS}", own.facet.len())));
    }
    let mut facets: Vec<Facet> = Vec::with_capacity(own.facet.len());
    for facet in own.facet {
        if !facets.contains(&facet) {
            facets.push(facet);
        }
    }
    if facets.is_empty() {
        return Err(ApiError::invalid(
            "facet",
            "is required: country, kind, year, month, participant, tag or precision",
        ));
    }
    let size = crate::query_string::count("facet_size", own.facet_size, 20, 100)?;
    let (names_in, lang) = (query.lang, query.lang.unwrap_or_default());
    let filter = filter(query, Order::Desc)?;
    Ok(FacetsRequest { filter, facets, size, lang, names_in, filter_pairs })
}

/// A query string's parameters, in order, as given.
type Pairs = Vec<(String, String)>;

/// A query string of counts over a timeline filter (facets, relations):
/// the endpoint's `own` parameters (as a query string), the timeline
/// filters, and those filters' pairs as given. A parameter that shapes a
/// timeline's answer, or one in `refused`, is a 400.
fn split(raw_query: &str, own: &[&str], refused: &[&str]) -> Result<(String, TimelineQuery, Pairs), ApiError> {
    let (mine, filter_pairs): (Vec<_>, Vec<_>) =
        crate::query_string::pairs(raw_query)?.into_iter().partition(|(name, _)| own.contains(&name.as_str()));
    if let Some((name, _)) = filter_pairs.iter().find(|(name, _)| PRESENTATION.contains(&name.as_str())) {
        return Err(ApiError::invalid(name, "shapes a timeline's answer, not its events: counts take none"));
    }
    if let Some((name, _)) = filter_pairs.iter().find(|(name, _)| refused.contains(&name.as_str())) {
        return Err(ApiError::invalid(name, "is said by the path here"));
    }
    let encode = |pairs: &[(String, String)]| serde_urlencoded::to_string(pairs).unwrap_or_default();
    let query: TimelineQuery = crate::query_string::parse(&encode(&filter_pairs))?;
    Ok((encode(&mine), query, filter_pairs))
}

/// What `GET /countries/{code}/relations` asks: the countries that share
/// events with one, among the events of a timeline filter.
pub struct PartnersRequest {
    /// The filter, with the country of the path as its one country.
    pub filter: TimelineFilter,
    pub size: u64,
    pub lang: Lang,
    pub filter_pairs: Vec<(String, String)>,
}

/// `code` as the path gives it: a code, or a name or alias as `country=`
/// takes them.
pub fn partners_request(code: &str, raw_query: &str) -> Result<PartnersRequest, ApiError> {
    let code = country("code", code)?;
    let (own, mut query, filter_pairs) = split(raw_query, &["size"], &["country", "match"])?;
    let own: PartnersQuery = crate::query_string::parse(&own)?;
    let size = crate::query_string::count("size", own.size, 20, 100)?;
    let lang = query.lang.unwrap_or_default();
    query.country = vec![code];
    let filter = filter(query, Order::Desc)?;
    Ok(PartnersRequest { filter, size, lang, filter_pairs })
}

/// What `GET /relations` asks: the events the countries share (every
/// country given, as `match=all`), counted by year or month.
pub struct SharedRequest {
    pub filter: TimelineFilter,
    pub by: Period,
    pub filter_pairs: Vec<(String, String)>,
}

pub fn shared_request(raw_query: &str) -> Result<SharedRequest, ApiError> {
    let (own, query, filter_pairs) = split(raw_query, &["by"], &["match"])?;
    let own: SharedQuery = crate::query_string::parse(&own)?;
    if query.country.is_empty() {
        return Err(ApiError::invalid("country", "is required: the countries whose shared events are counted"));
    }
    let mut filter = filter(query, Order::Desc)?;
    filter.match_all = true;
    Ok(SharedRequest { filter, by: own.by.unwrap_or(Period::Year), filter_pairs })
}

impl FacetsRequest {
    /// The timeline of the filter narrowed to one value of a facet, as a
    /// URL; `None` where the filter cannot say it (a country added to
    /// several matched with `any`). A year or month narrows the window to
    /// it, so the timeline also shows the events that began before it and
    /// went on into it, which the facet, counting by beginning, does not.
    pub fn narrowed(&self, facet: Facet, value: &str) -> Option<String> {
        let f = &self.filter;
        let mut pairs = self.filter_pairs.clone();
        match facet {
            Facet::Country if f.countries.len() > 1 && !f.match_all => {
                if !f.countries.iter().any(|c| c == value) {
                    return None;
                }
                set(&mut pairs, "match", "any".into());
                set(&mut pairs, "country", value.to_owned());
            }
            Facet::Country => {
                if !f.countries.iter().any(|c| c == value) {
                    pairs.push(("country".into(), value.to_owned()));
                    if !f.countries.is_empty() {
                        set(&mut pairs, "match", "all".into());
                    }
                }
            }
            Facet::Kind => set(&mut pairs, "kind", value.to_owned()),
            Facet::Participant => set(&mut pairs, "participant", value.to_owned()),
            Facet::Tag => set(&mut pairs, "tag", value.to_owned()),
            Facet::Precision => set(&mut pairs, "precision", value.to_owned()),
            Facet::Year | Facet::Month => narrow_to_period(f, &mut pairs, value)?,
        }
        Some(timeline_url(&pairs))
    }
}

fn set(pairs: &mut Vec<(String, String)>, name: &str, value: String) {
    pairs.retain(|(n, _)| n != name);
    pairs.push((name.to_owned(), value));
}

/// The timeline of these parameters, as a URL.
fn timeline_url(pairs: &[(String, String)]) -> String {
    format!("/api/v1/timeline?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

/// Narrows the window of `f` (given as `pairs`) to a year or month
/// (`YYYY`, `YYYY-MM`).
fn narrow_to_period(f: &TimelineFilter, pairs: &mut Vec<(String, String)>, value: &str) -> Option<()> {
    let period = PartialDate::parse(value).ok()?;
    let (first, last) = (period.first_day, period.last_day());
    let from = f.from.map_or(first, |from| from.max(first));
    let to = f.to.map_or(last, |to| to.min(last));
    set(pairs, "from", if from == first { value.to_owned() } else { from.to_string() });
    set(pairs, "to", if to == last { value.to_owned() } else { to.to_string() });
    Some(())
}

impl PartnersRequest {
    /// The bilateral timeline of the path's country and `partner`.
    pub fn timeline(&self, partner: &str) -> String {
        let mut pairs = self.filter_pairs.clone();
        pairs.extend(self.filter.countries.iter().map(|c| ("country".to_owned(), c.clone())));
        pairs.push(("country".into(), partner.to_owned()));
        pairs.push(("match".into(), "all".into()));
        timeline_url(&pairs)
    }
}

impl SharedRequest {
    /// The timeline of the shared events of one period (which also shows
    /// those that began before it and went on into it).
    pub fn timeline(&self, period: &str) -> Option<String> {
        let mut pairs = self.filter_pairs.clone();
        if self.filter.countries.len() > 1 {
            pairs.push(("match".into(), "all".into()));
        }
        narrow_to_period(&self.filter, &mut pairs, period)?;
        Some(timeline_url(&pairs))
    }
}

/// `GET /facets`' parameters in the spec: its own and the timeline's
/// filters.
pub struct FacetParams;

impl IntoParams for FacetParams {
    fn into_params(parameter_in: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut params = FacetQuery::into_params(&parameter_in);
        params.extend(count_params(parameter_in, &[]));
        params
    }
}

/// The filters of the timeline, as the spec lists them for an endpoint of
/// counts, less `refused`.
fn count_params(parameter_in: impl Fn() -> Option<ParameterIn>, refused: &[&str]) -> Vec<Parameter> {
    TimelineQuery::into_params(parameter_in)
        .into_iter()
        .filter(|p| !PRESENTATION.contains(&p.name.as_str()) && !refused.contains(&p.name.as_str()))
        .collect()
}

/// `GET /countries/{code}/relations`' parameters: its own and the
/// timeline's filters but the countries.
pub struct PartnersParams;

impl IntoParams for PartnersParams {
    fn into_params(parameter_in: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut params = PartnersQuery::into_params(&parameter_in);
        params.extend(count_params(parameter_in, &["country", "match"]));
        params
    }
}

/// `GET /relations`' parameters: its own and the timeline's filters.
pub struct SharedParams;

impl IntoParams for SharedParams {
    fn into_params(parameter_in: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut params = SharedQuery::into_params(&parameter_in);
        params.extend(count_params(parameter_in, &["match"]));
        params
    }
}

/// The export's parameters in the spec: the timeline's, less those of a
/// page alone.
pub struct ExportParams;

impl IntoParams for ExportParams {
    fn into_params(parameter_in: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        TimelineQuery::into_params(parameter_in).into_iter().filter(|p| !PAGE_ONLY.contains(&p.name.as_str())).collect()
    }
}

fn filter(q: TimelineQuery, default_order: Order) -> Result<TimelineFilter, ApiError> {
    for (field, given) in [("country", q.country.len()), ("kind", q.kind.len())] {
        if given > MAX_VALUES {
            return Err(ApiError::invalid(field, format!("given {given} times; at most {MAX_VALUES}")));
        }
    }
    let mut countries: Vec<String> = Vec::new();
    for raw in &q.country {
        let code = country("country", raw)?;
        if !countries.contains(&code) {
            countries.push(code);
        }
    }
    let from = q.from.as_deref().map(|raw| partial_date("from", raw)).transpose()?.map(|d| d.first_day);
    let to = q.to.as_deref().map(|raw| partial_date("to", raw)).transpose()?.map(|d| d.last_day());
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(ApiError::invalid("from", format!("the window starts ({from}) after it ends ({to})")));
    }
    if let Some(tag) = &q.tag
        && tag.chars().count() > 64
    {
        return Err(ApiError::invalid("tag", "is longer than a tag may be (64 characters)"));
    }
    let kinds = q.kind.iter().map(|k| one_of("kind", k, &EVENT_KINDS)).collect::<Result<Vec<_>, _>>()?;
    let search = q.q.as_deref().map(|raw| SearchQuery::parse(raw).map_err(|why| ApiError::invalid("q", why)));
    let search = search.transpose()?;
    let order = q.order.unwrap_or(default_order);
    if order == Order::Relevance && search.is_none() {
        return Err(ApiError::invalid("order", "relevance ranks the matches of `q`; give `q` with it"));
    }
    let limit = crate::query_string::limit(q.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = match q.cursor.as_deref() {
        None => None,
        Some(raw) => {
            let (given, start, id, score) = match cursor::decode(raw)? {
                CursorKey::Timeline(given, start, id) => (given, start, id, None),
                CursorKey::Ranked(given, start, id, bits) => (given, start, id, Some(f64::from_bits(bits))),
            };
            if given != order.as_str() || score.is_some() != (order == Order::Relevance) {
                return Err(ApiError::invalid("cursor", "was given for another order; keep `order` as it was"));
            }
            Some(Position { start, id, score })
        }
    };
    Ok(TimelineFilter {
        countries,
        match_all: q.match_mode == Some(Match::All),
        from,
        to,
        kinds,
        participant: q.participant,
        tag: q.tag.map(|t| t.trim().to_lowercase()),
        precision: q.precision,
        search,
        order,
        limit,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_covers_whole_periods() {
        let f = page_request("from=2024-06&to=2025").unwrap().filter;
        assert_eq!(f.from, NaiveDate::from_ymd_opt(2024, 6, 1));
        assert_eq!(f.to, NaiveDate::from_ymd_opt(2025, 12, 31));
    }

    #[test]
    fn the_page_and_the_export_differ_only_in_order_and_paging() {
        assert_eq!(page_request("").unwrap().filter.order, Order::Desc);
        assert_eq!(export_request("").unwrap().filter.order, Order::Asc);
        assert_eq!(export_request("order=desc").unwrap().filter.order, Order::Desc);
        assert!(export_request("limit=5").is_err());
        assert!(page_request("limit=5").is_ok());
    }

    #[test]
    fn countries_are_upper_cased_and_given_once() {
        assert_eq!(page_request("country=ru&country=RU&country=kp").unwrap().filter.countries, ["RU", "KP"]);
    }

    #[test]
    fn a_cursor_round_trips_and_keeps_its_order() {
        let first = page_request("order=asc").unwrap().filter;
        let day = NaiveDate::from_ymd_opt(2025, 10, 27).unwrap();
        let at = Position { start: day, id: 7, score: None };
        let cursor = first.cursor_after(at);
        assert_eq!(page_request(&format!("order=asc&cursor={cursor}")).unwrap().filter.after, Some(at));
        assert!(page_request(&format!("cursor={cursor}")).is_err(), "a desc page refuses an asc cursor");
    }

    #[test]
    fn the_export_lists_the_timeline_parameters_less_paging() {
        let names: Vec<String> =
            ExportParams::into_params(|| Some(ParameterIn::Query)).into_iter().map(|p| p.name).collect();
        assert!(names.contains(&"country".to_owned()) && names.contains(&"match".to_owned()));
        assert!(!names.contains(&"limit".to_owned()) && !names.contains(&"cursor".to_owned()));
    }

    proptest::proptest! {
        /// Any query string is a filter or a 400, never a panic: random
        /// text, and strings made of the parameters' own names and values.
        #[test]
        fn any_query_string_is_a_filter_or_a_clean_error(raw in "\\PC{0,120}") {
            let _ = page_request(&raw);
            let _ = export_request(&raw);
        }

        #[test]
        fn near_miss_query_strings_are_a_filter_or_a_clean_error(
            raw in "((country|kind|from|to|limit|cursor|order|match|participant|tag|format|group_by|title|precision|q|snippet)=[A-Za-z0-9%+._~:-]{0,12}&?){0,8}"
        ) {
            if let Err(e) = page_request(&raw) {
                proptest::prop_assert!(matches!(e, ApiError::Invalid { .. }), "{e:?}");
            }
        }

        #[test]
        fn any_cursor_decodes_or_is_refused(raw in "[A-Za-z0-9_=-]{0,300}") {
            let _ = cursor::decode::<CursorKey>(&raw);
        }
    }
}
