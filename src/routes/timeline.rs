use crate::db::Db;
use crate::error::{ApiError, BadRequest};
use crate::formats::json;
use crate::models::TimelinePage;
use crate::timeline::{TimelineFilter, TimelineQuery, page_filter};
use crate::{query_string, read};
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, get, web};

/// A page of the timeline
///
/// Events newest first (or oldest first with `order=asc`), each with its
/// participants, sources and tags. Page with `cursor`: every page costs the
/// same, however deep. The `Link` header carries the next page's URL.
#[utoipa::path(
    tag = "timeline",
    params(TimelineQuery),
    responses(
        (status = 200, description = "A page of events", body = TimelinePage,
            headers(("Link" = String, description = "`<url>; rel=\"next\"` when more pages follow"))),
        (status = 400, response = BadRequest),
    )
)]
#[get("/timeline")]
pub async fn timeline(req: HttpRequest, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let filter = page_filter(req.query_string())?;
    check_participant(&db, &filter).await?;
    let page = read::page(&db, &filter).await?;
    let next_cursor = page.next.map(|after| filter.cursor_after(after));
    let mut response = HttpResponse::Ok();
    if let Some(next) = &next_cursor {
        let link = query_string::with_cursor(req.path(), req.query_string(), next);
        response.insert_header(("Link", format!("<{link}>; rel=\"next\"")));
    }
    Ok(response.content_type(ContentType::json()).body(json::page_body(&page.documents, next_cursor.as_deref())))
}

/// A `participant` filter must name one that exists.
pub(super) async fn check_participant(db: &Db, filter: &TimelineFilter) -> Result<(), ApiError> {
    if let Some(id) = filter.participant
        && !read::participant_exists(db, id).await?
    {
        return Err(ApiError::invalid("participant", format!("no participant with id {id}")));
    }
    Ok(())
}
