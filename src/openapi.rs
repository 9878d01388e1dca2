//! The OpenAPI document: the root description here; paths and schemas are
//! collected from the handlers as they are registered (`routes::configure`),
//! so the spec and the routing cannot drift.

use utoipa::OpenApi;
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
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
        crate::error::UnsupportedMediaType,
        crate::error::Unauthorized,
        crate::error::Forbidden,
        crate::error::Unavailable
    )),
    tags(
        (name = "timeline", description = "Events in date order, filtered and paged"),
        (name = "events", description = "Read and write single events"),
        (name = "participants", description = "Countries, persons and organizations"),
        (name = "sources", description = "Reports that back events"),
        (name = "countries", description = "Countries that appear in events"),
        (name = "bulk", description = "NDJSON import and export"),
        (name = "operations", description = "Health, readiness and metrics, for load balancers and monitoring"),
    )
)]
pub struct ApiDoc;

/// The whole document, as `/api-docs/openapi.json` serves it: the root
/// above and what the handlers registered by `routes::configure` declare.
pub fn spec() -> utoipa::openapi::OpenApi {
    let mut spec = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(scope("/api/v1").configure(crate::routes::configure))
        .configure(crate::routes::configure_operations)
        .split_for_parts()
        .1;
    writes_need_a_token(&mut spec);
    answers_every_operation_may_give(&mut spec);
    a_new_event_names_its_key(&mut spec);
    spec
}

/// `POST /events` takes the body `PUT /events/{key}` takes, with its key
/// required (a PUT has the key in its path): one input type, and the spec
/// says the difference, so a client generated from it sends the key.
fn a_new_event_names_its_key(spec: &mut utoipa::openapi::OpenApi) {
    let Some(post) = spec.paths.paths.get_mut("/api/v1/events").and_then(|item| item.post.as_mut()) else {
        return;
    };
    let Some(RefOr::T(body)) = post.request_body.as_mut() else { return };
    let Some(RefOr::T(content)) = body.content.get_mut("application/json") else { return };
    let Some(input) = content.schema.take() else { return };
    let key = ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(64));
    let with_key = ObjectBuilder::new().required("key").property("key", key);
    content.schema = Some(AllOfBuilder::new().item(input).item(with_key).into());
}

/// The answers the extractors and the database give any operation, so
/// that every status the server can send is in the spec: a parameter or
/// body it cannot read is a 400, a JSON body over the limit a 413 and one
/// that is not JSON a 415, and every operation that reads the database
/// answers 503 while it is down.
fn answers_every_operation_may_give(spec: &mut utoipa::openapi::OpenApi) {
    for (path, item) in spec.paths.paths.iter_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            let json_body = operation.request_body.as_ref().is_some_and(|body| match body {
                RefOr::T(body) => body.content.contains_key("application/json"),
                RefOr::Ref(_) => false,
            });
            let reads_input = json_body || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let mut add = |status: &str, name: &str| {
                operation
                    .responses
                    .responses
                    .entry(status.into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
            };
            if reads_input {
                add("400", "BadRequest");
            }
            if json_body {
                add("413", "PayloadTooLarge");
                add("415", "UnsupportedMediaType");
            }
            if path != "/healthz" {
                add("503", "Unavailable");
            }
        }
    }
}

/// Every operation but a GET writes and takes `auth::WriteAccess`: the spec
/// says so for each of them here, once, so Swagger UI's "Authorize" button
/// sends the token (a test checks each of them answers 401 without one).
fn writes_need_a_token(spec: &mut utoipa::openapi::OpenApi) {
    let scheme = SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer));
    spec.components.get_or_insert_with(Default::default).add_security_scheme(crate::auth::SCHEME, scheme);
    for item in spec.paths.paths.values_mut() {
        for operation in [&mut item.post, &mut item.put, &mut item.delete, &mut item.patch].into_iter().flatten() {
            operation.security = Some(vec![SecurityRequirement::new(crate::auth::SCHEME, Vec::<String>::new())]);
            for (status, name) in [("401", "Unauthorized"), ("403", "Forbidden")] {
                operation.responses.responses.insert(status.into(), RefOr::Ref(Ref::from_response_name(name)));
            }
        }
    }
}
