use super::LangParams;
use super::path_id;
use crate::auth::WriteAccess;
use crate::cursor;
use crate::db::Db;
use crate::domain::PARTICIPANT_KINDS;
use crate::domain::countries::Lang;
use crate::error::{ApiError, BadRequest, NotFound, Problem};
use crate::extract::JsonBody;
use crate::models::participant_kind;
use crate::models::{Participant, ParticipantInput, ParticipantPage};
use crate::query_string;
use crate::replica::ReadDb;
use crate::validate::{self, one_of};
use crate::{read, store};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

/// Participant filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ParticipantParams {
    /// `country`, `person` or `organization`.
    #[param(schema_with = participant_kind)]
    kind: Option<String>,
    /// How a name of it begins: its name, its name in another language, or
    /// an alias; in any case, with ё or е, without diacritics.
    #[param(example = "Ким")]
    q: Option<String>,
    /// The language of the names shown: `en` or `ru`; without it, each
    /// participant's name as it was given.
    #[param(inline)]
    lang: Option<Lang>,
    /// Page size, 1–500; default 50.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Participants by name
#[utoipa::path(
    tag = "participants",
    params(ParticipantParams),
    responses(
        (status = 200, description = "A page of participants, by name", body = ParticipantPage),
        (status = 400, response = BadRequest),
    )
)]
#[get("/participants")]
pub async fn list(req: HttpRequest, db: ReadDb) -> Result<HttpResponse, ApiError> {
    let params: ParticipantParams = query_string::parse(req.query_string())?;
    let kind = params.kind.as_deref().map(|k| one_of("kind", k, &PARTICIPANT_KINDS)).transpose()?;
    let prefix = params.q.as_deref().filter(|q| !q.is_empty());
    let limit = query_string::limit(params.limit, 50, 500)?;
    let after = params.cursor.as_deref().map(cursor::decode::<(String, i64)>).transpose()?;
    let (items, next) = read::participants(&db, kind.as_deref(), prefix, after, limit, params.lang).await?;
    let next_cursor = next.map(|after| cursor::encode(&after));
    Ok(HttpResponse::Ok().json(ParticipantPage { items, next_cursor }))
}

/// One participant, with its number of events
#[utoipa::path(
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id"), LangParams),
    responses(
        (status = 200, description = "The participant", body = Participant),
        (status = 404, response = NotFound),
    )
)]
#[get("/participants/{id}")]
pub async fn get(req: HttpRequest, id: web::Path<String>, db: ReadDb) -> Result<HttpResponse, ApiError> {
    let params: LangParams = query_string::parse(req.query_string())?;
    let participant = read::participant_by_id(&db, path_id(&id)?, params.lang).await?;
    Ok(HttpResponse::Ok().json(participant))
}

/// Create a participant
#[utoipa::path(
    tag = "participants",
    request_body = ParticipantInput,
    responses(
        (status = 201, description = "Created", body = Participant, headers(("Location" = String))),
        (status = 400, response = BadRequest),
        (status = 409, description = "The same participant exists", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/participants")]
pub async fn create(
    _: WriteAccess,
    body: JsonBody<ParticipantInput>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let new = validate::participant_in(&body.0)?;
    let id = store::create_participant(&db, new).await?;
    let participant = read::participant_by_id(&db, id, None).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/participants/{id}"))).json(participant))
}

/// Replace a participant
///
/// Changing a person's nationality moves their events between country timelines.
#[utoipa::path(
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id")),
    request_body = ParticipantInput,
    responses(
        (status = 200, description = "Replaced", body = Participant),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, description = "Another participant is the same", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/participants/{id}")]
pub async fn update(
    _: WriteAccess,
    id: web::Path<String>,
    body: JsonBody<ParticipantInput>,
    db: web::Data<Db>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id)?;
    let new = validate::participant_in(&body.0)?;
    store::update_participant(&db, id, new).await?;
    Ok(HttpResponse::Ok().json(read::participant_by_id(&db, id, None).await?))
}

/// Delete a participant that no event uses
#[utoipa::path(
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, response = NotFound),
        (status = 409, description = "Events still use it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/participants/{id}")]
pub async fn delete(_: WriteAccess, id: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    store::delete_participant(&db, path_id(&id)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
