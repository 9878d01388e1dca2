//! The timeline's query parameters: the one list of their names, their
//! documentation in the spec, and their bounds.

use crate::domain::countries::Lang;
use crate::domain::dates::Precision;
use crate::formats::{Format, GroupBy};
use crate::models::event_kind;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The most events one page may hold.
pub const MAX_LIMIT: u64 = 500;
/// Events per page when `limit` is not given.
pub const DEFAULT_LIMIT: u64 = 50;
/// The most values of `country` (or of `kind`) one filter may give.
pub const MAX_VALUES: usize = 20;

/// Timeline filters and paging; all optional and combinable.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// A country: its ISO 3166-1 alpha-2 code, or its name or an alias in
    /// English or Russian (`KP`, `North Korea`, `КНДР`, `DPRK`, `Северная
    /// Корея`), in any case, with ё or е; a name of several countries
    /// (`Korea`) is a 400 that lists them. Repeatable, at most 20. An event
    /// matches when a participant is that country or a person of that
    /// nationality.
    #[param(example = json!(["RU", "KP"]), max_items = 20)]
    #[serde(default)]
    pub country: Vec<String>,
    /// With several countries: `any` (default) or `all` (the bilateral timeline).
    #[serde(rename = "match")]
    #[param(rename = "match", inline)]
    pub match_mode: Option<Match>,
    /// Window start: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, inclusive. An event is
    /// in the window when its period (its precision taken into account) overlaps it.
    #[param(example = "2024", pattern = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")]
    pub from: Option<String>,
    /// Window end, same forms, inclusive (`2025` means to the end of 2025).
    #[param(example = "2025-10", pattern = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")]
    pub to: Option<String>,
    /// Event kind; repeatable.
    #[serde(default)]
    #[param(schema_with = kinds_schema)]
    pub kind: Vec<String>,
    /// Only events with this participant (id); 404 when none has it.
    #[param(minimum = 1)]
    pub participant: Option<i64>,
    /// Only events with this tag.
    #[param(max_length = 64)]
    pub tag: Option<String>,
    /// Only events whose date is known at least this finely: `day` for a
    /// chart that needs exact days; `month` keeps days, weeks, parts of a
    /// month and months.
    #[param(inline)]
    pub precision: Option<Precision>,
    /// Words to find, in Russian or English, in the title, summary, place,
    /// participants' names (a country's by any of its names and aliases),
    /// the sources' quotes and tags; inflected forms find each other
    /// (`договора` finds `договор`, `treaties` finds `treaty`), in any case,
    /// with ё or е, without diacritics. Every word must be there;
    /// `"a phrase"` in quotes, `-word` or `-"a phrase"` to exclude, `OR`
    /// between two terms for either, `word*` for any word it begins. At
    /// most 1,000 characters and 32 terms.
    #[param(example = "договор OR treaty", max_length = 1000)]
    pub q: Option<String>,
    /// `desc`: newest first (the timeline's default); `asc`: oldest first
    /// (the export's default); `relevance` (with `q`): the best matches
    /// first, ranked by the database's own measure (BM25 on SQLite,
    /// `ts_rank_cd` on PostgreSQL), then newest first.
    #[param(inline)]
    pub order: Option<Order>,
    /// With `q`: each event of a JSON page carries `snippet`, a passage of
    /// its summary, title, place or a source's quote around the words
    /// found, as HTML: the text escaped, the words in `<mark>`; `null` when
    /// they were found elsewhere (a participant's name, a tag).
    pub snippet: Option<bool>,
    /// Page size, 1–500; default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// The shape of the answer: `json` (a page's default), `ndjson` (an
    /// export's default), `timelinejs`, `vis`, `ics`, `csv` or `geojson`.
    /// Without it, an `Accept` of `application/json`,
    /// `application/x-ndjson`, `text/calendar`, `text/csv` or
    /// `application/geo+json` chooses.
    #[param(inline)]
    pub format: Option<Format>,
    /// Groups for `timelinejs` and `vis`: by `kind`, or by `country` (where
    /// it happened, else its first country participant).
    #[param(inline)]
    pub group_by: Option<GroupBy>,
    /// A title slide (`timelinejs`) or the calendar's name (`ics`).
    #[param(example = "Russia–DPRK", pattern = r"[^\s\u0085]|\uFEFF", max_length = 500)]
    pub title: Option<String>,
    /// `en` or `ru`: the language of participants' names (a person's or
    /// organization's where it has one in it, a country's from CLDR; without
    /// `lang`, names as given) and of country names in group labels and the
    /// default title (English without it). A parameter rather than
    /// `Accept-Language`, so a URL shows the same to everyone and caches
    /// need no `Vary`.
    #[param(inline)]
    pub lang: Option<Lang>,
}

/// `kind` in the spec lists the kinds, so Swagger UI and the page offer them.
fn kinds_schema() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new().items(event_kind()).max_items(Some(MAX_VALUES)).build()
}

/// How several countries combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    Any,
    All,
}

/// Which end of the timeline comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    Asc,
    Desc,
    Relevance,
}

impl Order {
    pub fn as_str(self) -> &'static str {
        match self {
            Order::Asc => "asc",
            Order::Desc => "desc",
            Order::Relevance => "relevance",
        }
    }
}

/// The parameters of a timeline page that an export refuses: paging, and
/// snippets, which only the page's JSON shows.
pub const PAGE_ONLY: [&str; 3] = ["limit", "cursor", "snippet"];

/// A field that `GET /facets` counts events by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Facet {
    /// Each country an event is in (a participant, or a person's
    /// nationality).
    Country,
    Kind,
    /// The year an event began (its earliest possible day).
    Year,
    /// The month an event began, `YYYY-MM`.
    Month,
    Participant,
    Tag,
    /// How finely events' dates are known: for each precision, the events
    /// known at least that finely, as the `precision` filter counts them,
    /// finest first.
    Precision,
}

/// The timeline parameters that shape answers, not the set of events: a
/// facet takes none of them.
pub const PRESENTATION: [&str; 7] = ["limit", "cursor", "order", "format", "group_by", "title", "snippet"];

/// `GET /facets`' own parameters (beside the timeline's filters).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FacetQuery {
    /// A field to count by; repeatable. At least one.
    #[param(inline, required = true, min_items = 1, max_items = 7)]
    #[serde(default)]
    pub facet: Vec<Facet>,
    /// Values listed per facet, the most frequent first: 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub facet_size: Option<u64>,
}

/// `GET /countries/{code}/relations`' own parameter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PartnersQuery {
    /// Countries listed, those sharing the most events first: 1–100,
    /// default 20.
    #[param(minimum = 1, maximum = 100)]
    pub size: Option<u64>,
}

/// `GET /relations`' own parameter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SharedQuery {
    /// Count by the `year` (default) or the `month` an event began.
    #[param(inline)]
    pub by: Option<Period>,
}

/// A period that shared events are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Year,
    Month,
}
