//! The OpenAPI document: the root description here; paths and schemas are
//! collected from the handlers as they are registered (`routes::configure`),
//! so the spec and the routing cannot drift.

use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, scope};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Timeline API",
        description = "World events (meetings, summits, treaties, visits, statements…), their participants and sources, served as timelines filtered by country, date, kind, participant and tag.\n\nErrors are RFC 9457 `application/problem+json` documents whose `field` names the parameter or body field at fault.",
        license(name = "MIT OR Apache-2.0")
    ),
    components(responses(
        crate::error::BadRequest,
        crate::error::NotFound,
        crate::error::PayloadTooLarge,
        crate::error::UnsupportedMediaType
    )),
    tags(
        (name = "timeline", description = "Events in date order, filtered and paged"),
        (name = "events", description = "Read and write single events"),
        (name = "participants", description = "Countries, persons and organizations"),
        (name = "sources", description = "Reports that back events"),
        (name = "countries", description = "Countries that appear in events"),
        (name = "bulk", description = "NDJSON import and export"),
    )
)]
pub struct ApiDoc;

/// The whole document, as `/api-docs/openapi.json` serves it: the root
/// above and what the handlers registered by `routes::configure` declare.
pub fn spec() -> utoipa::openapi::OpenApi {
    actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(scope("/api/v1").configure(crate::routes::configure))
        .split_for_parts()
        .1
}
