use crate::cursor;
use crate::db::Db;
use crate::error::{ApiError, Problem};
use crate::models::TimelinePage;
use crate::params::Params;
use crate::queries::{self, TimelineFilter};
use crate::validate::{EVENT_KINDS, country_code, one_of, partial_date};
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

/// The filters a timeline and an export share.
pub(super) const FILTERS: [&str; 8] = ["country", "match", "from", "to", "kind", "participant", "tag", "order"];
const KNOWN: [&str; 10] = ["country", "match", "from", "to", "kind", "participant", "tag", "order", "limit", "cursor"];
const MAX_LIMIT: u64 = 500;

/// Timeline filters; all optional and combinable.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(dead_code, reason = "documents the parameters; Params parses them")]
pub struct TimelineParams {
    /// ISO 3166-1 alpha-2 code, any case; repeatable. An event matches when a
    /// participant is that country or a person of that nationality.
    #[param(example = json!(["RU", "KP"]))]
    country: Option<Vec<String>>,
    /// With several countries: `any` (default) or `all` (the bilateral timeline).
    #[serde(rename = "match")]
    #[param(pattern = "^(any|all)$")]
    match_mode: Option<String>,
    /// Window start: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, inclusive. An event is
    /// in the window when its period (its precision taken into account) overlaps it.
    #[param(example = "2024")]
    from: Option<String>,
    /// Window end, same forms, inclusive (`2025` means to the end of 2025).
    #[param(example = "2025-10")]
    to: Option<String>,
    /// Event kind; repeatable.
    kind: Option<Vec<String>>,
    /// Only events with this participant (id).
    participant: Option<i64>,
    /// Only events with this tag.
    tag: Option<String>,
    /// `desc` (newest first, default) or `asc`.
    #[param(pattern = "^(asc|desc)$")]
    order: Option<String>,
    /// Page size, 1–500; default 50.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// A page of the timeline
///
/// Events newest first (or oldest first with `order=asc`), each with its
/// participants, sources and tags. Page with `cursor`: every page costs the
/// same, however deep. The `Link` header carries the next page's URL.
#[utoipa::path(
    tag = "timeline",
    params(TimelineParams),
    responses(
        (status = 200, description = "A page of events", body = TimelinePage,
            headers(("Link" = String, description = "`<url>; rel=\"next\"` when more pages follow"))),
        (status = 400, description = "A bad parameter; `field` names it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/timeline")]
pub async fn timeline(req: HttpRequest, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string(), &KNOWN)?;
    let filter = parse_filter(&params)?;
    check_participant(&db, &filter).await?;
    let (items, next) = queries::timeline(&db, &filter).await?;
    let order = if filter.ascending { "asc" } else { "desc" };
    let next_cursor = next.map(|(start, id)| cursor::encode(&(order, start, id)));
    let mut response = HttpResponse::Ok();
    if let Some(next) = &next_cursor {
        response.insert_header(("Link", format!("<{}>; rel=\"next\"", params.with_cursor(req.path(), next))));
    }
    Ok(response.content_type(ContentType::json()).body(page_body(&items, next_cursor.as_deref())))
}

/// A `TimelinePage` whose items are stored documents, joined as they are
/// rather than parsed and written again.
fn page_body(items: &[String], next_cursor: Option<&str>) -> String {
    let mut body = String::with_capacity(items.iter().map(|d| d.len() + 1).sum::<usize>() + 64);
    body.push_str("{\"items\":[");
    for (i, doc) in items.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(doc);
    }
    body.push_str("],\"next_cursor\":");
    body.push_str(&serde_json::to_string(&next_cursor).unwrap_or_else(|_| "null".into()));
    body.push('}');
    body
}

/// A `participant` filter must name one that exists.
pub(super) async fn check_participant(db: &Db, filter: &TimelineFilter) -> Result<(), ApiError> {
    if let Some(id) = filter.participant
        && !queries::participant_exists(&db.conn, id).await?
    {
        return Err(ApiError::invalid("participant", format!("no participant with id {id}")));
    }
    Ok(())
}

/// The timeline filter of a query string (export shares it, without paging).
pub fn parse_filter(params: &Params) -> Result<TimelineFilter, ApiError> {
    let mut countries: Vec<String> = Vec::new();
    for raw in params.all("country") {
        let code = country_code("country", raw)?;
        if !countries.contains(&code) {
            countries.push(code);
        }
    }
    let match_all = match params.one("match")? {
        None | Some("any") => false,
        Some("all") => true,
        Some(other) => return Err(ApiError::invalid("match", format!("'{other}' is not one of any, all"))),
    };
    let from = params.one("from")?.map(|raw| partial_date("from", raw).map(|(first, _)| first)).transpose()?;
    let to = params
        .one("to")?
        .map(|raw| partial_date("to", raw).map(|(first, precision)| precision.period_end(first)))
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(ApiError::invalid("from", format!("the window starts ({from}) after it ends ({to})")));
    }
    let kinds = params.all("kind").iter().map(|k| one_of("kind", k, &EVENT_KINDS)).collect::<Result<Vec<_>, _>>()?;
    let participant = params.integer("participant")?;
    let tag = params.one("tag")?.map(|t| t.trim().to_lowercase());
    let ascending = match params.one("order")? {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(other) => return Err(ApiError::invalid("order", format!("'{other}' is not one of asc, desc"))),
    };
    let limit = params.limit(50, MAX_LIMIT)?;
    let after = match params.one("cursor")? {
        None => None,
        Some(raw) => {
            let (order, start, id): (String, NaiveDate, i64) = cursor::decode(raw)?;
            if (order == "asc") != ascending || !(order == "asc" || order == "desc") {
                return Err(ApiError::invalid("cursor", "was given for the other order; keep `order` as it was"));
            }
            Some((start, id))
        }
    };
    Ok(TimelineFilter { countries, match_all, from, to, kinds, participant, tag, ascending, limit, after })
}
