use super::path_id;
use crate::auth::WriteAccess;
use crate::cursor;
use crate::db::Db;
use crate::error::{ApiError, BadRequest, NotFound, Problem};
use crate::extract::JsonBody;
use crate::models::{SourceDetail, SourceInput, SourcePage};
use crate::query_string;
use crate::replica::ReadDb;
use crate::{read, store, validate};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SourceParams {
    /// Page size, 1–500; default 50.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Sources, oldest first
#[utoipa::path(
    tag = "sources",
    params(SourceParams),
    responses(
        (status = 200, description = "A page of sources", body = SourcePage),
        (status = 400, response = BadRequest),
    )
)]
#[get("/sources")]
pub async fn list(req: HttpRequest, db: ReadDb) -> Result<HttpResponse, ApiError> {
    let params: SourceParams = query_string::parse(req.query_string())?;
    let limit = query_string::limit(params.limit, 50, 500)?;
    let after = params.cursor.as_deref().map(cursor::decode::<i64>).transpose()?;
    let (items, more) = read::sources(&db, after, limit).await?;
    let next_cursor = match items.last() {
        Some(last) if more => Some(cursor::encode(&last.id)),
        _ => None,
    };
    Ok(HttpResponse::Ok().json(SourcePage { items, next_cursor }))
}

/// One source, with the events it backs (newest first, at most 500)
#[utoipa::path(
    tag = "sources",
    params(("id" = i64, Path, description = "Source id")),
    responses(
        (status = 200, description = "The source and its events", body = SourceDetail),
        (status = 404, response = NotFound),
    )
)]
#[get("/sources/{id}")]
pub async fn get(id: web::Path<String>, db: ReadDb) -> Result<HttpResponse, ApiError> {
    let (source, events, event_count) = read::source_by_id(&db, path_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(SourceDetail { source, events, event_count }))
}

/// Create a source
#[utoipa::path(
    tag = "sources",
    request_body = SourceInput,
    responses(
        (status = 201, description = "Created", body = SourceDetail, headers(("Location" = String))),
        (status = 400, response = BadRequest),
        (status = 409, description = "A source with this url exists", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sources")]
pub async fn create(_: WriteAccess, body: JsonBody<SourceInput>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    let new = validate::source_in(&body.0)?;
    let id = store::create_source(&db, new).await?;
    let (source, events, event_count) = read::source_by_id(&db, id).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/sources/{id}"))).json(SourceDetail {
        source,
        events,
        event_count,
    }))
}

/// Replace a source
#[utoipa::path(
    tag = "sources",
    params(("id" = i64, Path, description = "Source id")),
    request_body = SourceInput,
    responses(
        (status = 200, description = "Replaced", body = SourceDetail),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, description = "Another source has this url", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/sources/{id}")]
pub async fn update(
    _: WriteAccess,
    id: web::Path<String>,
    body: JsonBody<SourceInput>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let new = validate::source_in(&body.0)?;
    store::update_source(&db, id, new).await?;
    let (source, events, event_count) = read::source_by_id(&db, id).await?;
    Ok(HttpResponse::Ok().json(SourceDetail { source, events, event_count }))
}

/// Delete a source that no event cites
#[utoipa::path(
    tag = "sources",
    params(("id" = i64, Path, description = "Source id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, response = NotFound),
        (status = 409, description = "Events still cite it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sources/{id}")]
pub async fn delete(_: WriteAccess, id: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    store::delete_source(&db, path_id(&id)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
