use crate::db::Db;
use crate::domain::countries;
use crate::error::{ApiError, BadRequest, Problem};
use crate::formats::schema::{FeatureCollection, JsonPage};
use crate::formats::{self, Format};
use crate::models::{FacetValue, FacetValues, Facets};
use crate::replica::ReadDb;
use crate::timeline::{Facet, FacetParams, TimelineFilter, TimelineQuery, facets_request, page_request};
use crate::{query_string, read};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get};

/// A page of the timeline
///
/// Events newest first (or oldest first with `order=asc`), each with its
/// participants, sources and tags. Page with `cursor`: every page costs the
/// same, however deep. The `Link` header carries the next page's URL.
///
/// `format` (or `Accept`) gives the page in a widget's shape: `timelinejs`,
/// `vis`, `ics`, `csv`, `geojson` or `ndjson`; the filters and the paging
/// are the same. A widget that loads what scrolls into view asks for the
/// window it shows, with a margin: `from` and `to` keep every event whose
/// dates overlap the window, so an event that began before it still shows.
#[utoipa::path(
    tag = "timeline",
    params(TimelineQuery),
    responses(
        (status = 200, description = "A page of events, in the API's JSON or the format asked for",
            content(
                (JsonPage = "application/json"),
                (String = "application/x-ndjson"),
                (String = "text/calendar"),
                (String = "text/csv"),
                (FeatureCollection = "application/geo+json"),
            ),
            headers(
                ("Link" = String, description = "`<url>; rel=\"next\"` when more pages follow"),
                ("ETag" = String, description = "Changes when anything on the page does; send it back as `If-None-Match`"),
                ("Cache-Control" = String, description = "`public, max-age=60` unless configured otherwise"),
            )),
        (status = 304, description = "The page is unchanged since the `ETag` given in `If-None-Match`"),
        (status = 400, response = BadRequest),
        (status = 404, description = "No participant has the id `participant` gives", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/timeline")]
pub async fn timeline(req: HttpRequest, db: ReadDb) -> Result<HttpResponse, ApiError> {
    let request = page_request(req.query_string())?;
    let filter = &request.filter;
    check_participant(&db, filter).await?;
    let format = Format::chosen(request.format, &req, Format::Json);
    if request.snippet && format != Format::Json {
        return Err(ApiError::invalid("snippet", "is shown in the API's JSON only (`format=json`)"));
    }
    let mut page = read::page(&db, filter).await?;
    if let Some(lang) = request.presentation.names_in {
        page.documents = read::in_language(&db, page.documents, lang).await?;
    }
    if let (true, Some(search)) = (request.snippet, &filter.search) {
        page.documents = formats::with_snippets(page.documents, search)?;
    }
    let next_cursor = page.next.map(|after| filter.cursor_after(after));
    let mut response = HttpResponse::Ok();
    if let Some(next) = &next_cursor {
        let link = query_string::with_cursor(req.path(), req.query_string(), next);
        response.insert_header((header::LINK, format!("<{link}>; rel=\"next\"")));
    }
    let body = formats::page(format, request.presentation, &page.documents, next_cursor.as_deref())?;
    Ok(response.insert_header((header::VARY, "Accept")).content_type(format.media_type()).body(body))
}

/// A `participant` filter must name one that exists: 404 otherwise, as
/// for a path that names nothing.
pub(super) async fn check_participant(db: &Db, filter: &TimelineFilter) -> Result<(), ApiError> {
    if let Some(id) = filter.participant
        && !read::participant_exists(db, id).await?
    {
        return Err(ApiError::NotFound(format!("participant: no participant with id {id}")));
    }
    Ok(())
}

/// Facets of a timeline
///
/// How many of the events a timeline filter matches have each country,
/// kind, year or month (of their beginning), participant or tag: the most
/// frequent first, each with its label (country and participant names in
/// `lang`) and the
/// timeline URL that narrows the filter to it, and whether the list was
/// cut at `facet_size`. Takes every filter of `/timeline`.
#[utoipa::path(
    tag = "timeline",
    params(FacetParams),
    responses(
        (status = 200, description = "The counts", body = Facets),
        (status = 400, response = BadRequest),
        (status = 404, description = "No participant has the id `participant` gives", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/facets")]
pub async fn facets(req: HttpRequest, db: ReadDb) -> Result<HttpResponse, ApiError> {
    let request = facets_request(req.query_string())?;
    check_participant(&db, &request.filter).await?;
    let mut answer = Facets { facets: Vec::with_capacity(request.facets.len()) };
    for &facet in &request.facets {
        let (counted, truncated) = read::facet(&db, &request.filter, facet, request.size).await?;
        let participants = match (facet, request.names_in) {
            (Facet::Participant, Some(lang)) => {
                let ids: Vec<i64> = counted.iter().filter_map(|c| c.value.parse().ok()).collect();
                read::names_in(&db, &ids, lang).await?
            }
            _ => Default::default(),
        };
        let values = counted
            .into_iter()
            .map(|read::Counted { value, label, count }| FacetValue {
                timeline: request.narrowed(facet, &value),
                label: match facet {
                    Facet::Country => countries::name(&value, request.lang.code()),
                    Facet::Participant => {
                        value.parse().ok().and_then(|id| participants.get(&id).cloned()).unwrap_or(label)
                    }
                    _ => label,
                },
                value,
                count,
            })
            .collect();
        answer.facets.push(FacetValues { facet, values, truncated });
    }
    Ok(HttpResponse::Ok().json(answer))
}
