use crate::auth::WriteAccess;
use crate::db::Db;
use crate::error::{ApiError, BadRequest, NotFound, PayloadTooLarge, Problem, UnsupportedMediaType};
use crate::extract::JsonBody;
use crate::models::{Event, EventInput};
use crate::replica::ReadDb;
use crate::store::{self, Mode};
use crate::{read, validate};
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};

/// One event
#[utoipa::path(
    tag = "events",
    params(("key" = String, Path, pattern = r"^[A-Za-z0-9._-]{1,64}$", description = "The event's key", example = "2025-10-27-putin-receives-choe-son-hui"), super::LangParams),
    responses(
        (status = 200, description = "The event", body = Event),
        (status = 404, response = NotFound),
    )
)]
#[get("/events/{key}")]
pub async fn get_event(req: HttpRequest, key: web::Path<String>, db: ReadDb) -> Result<HttpResponse, ApiError> {
    let params: super::LangParams = crate::query_string::parse(req.query_string())?;
    let mut event = read::event_document(&db, &key).await?;
    if let Some(lang) = params.lang {
        event = read::in_language(&db, vec![event], lang).await?.remove(0);
    }
    Ok(HttpResponse::Ok().content_type(ContentType::json()).body(event))
}

/// Create an event
///
/// Participants and sources are named inline and reused when they exist.
/// The whole write is one transaction.
#[utoipa::path(
    tag = "events",
    request_body = EventInput,
    responses(
        (status = 201, description = "Created; `Location` names it", body = Event,
            headers(("Location" = String, description = "/api/v1/events/{key}"))),
        (status = 400, response = BadRequest),
        (status = 409, description = "An event with this key exists", body = Problem, content_type = "application/problem+json"),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
#[post("/events")]
pub async fn create_event(
    _: WriteAccess,
    body: JsonBody<EventInput>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let new = validate::event(body.0, None)?;
    let key = new.key.clone();
    store::save_event(&db, new, Mode::CreateOnly).await?;
    let event = read::event_document(&db, &key).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/events/{key}")))
        .content_type(ContentType::json())
        .body(event))
}

/// Create or replace an event
///
/// Replaces every field and link of the event with this key, or creates it.
#[utoipa::path(
    tag = "events",
    params(("key" = String, Path, pattern = r"^[A-Za-z0-9._-]{1,64}$", description = "The event's key")),
    request_body = EventInput,
    responses(
        (status = 200, description = "Replaced", body = Event),
        (status = 201, description = "Created", body = Event),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
#[put("/events/{key}")]
pub async fn put_event(
    _: WriteAccess,
    key: web::Path<String>,
    body: JsonBody<EventInput>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let key = validate::event_key("key", &key)?;
    let new = validate::event(body.0, Some(&key))?;
    let counts = store::save_event(&db, new, Mode::CreateOrReplace).await?;
    let event = read::event_document(&db, &key).await?;
    if counts.created == 1 {
        Ok(HttpResponse::Created()
            .insert_header(("Location", format!("/api/v1/events/{key}")))
            .content_type(ContentType::json())
            .body(event))
    } else {
        Ok(HttpResponse::Ok().content_type(ContentType::json()).body(event))
    }
}

/// Delete an event
///
/// Its participants and sources stay; only its links to them go.
#[utoipa::path(
    tag = "events",
    params(("key" = String, Path, pattern = r"^[A-Za-z0-9._-]{1,64}$", description = "The event's key")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, response = NotFound),
    )
)]
#[delete("/events/{key}")]
pub async fn delete_event(_: WriteAccess, key: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    store::delete_event(&db, &key).await?;
    Ok(HttpResponse::NoContent().finish())
}
