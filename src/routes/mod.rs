//! HTTP handlers, thin: parse input, call `read` or `store`, shape the
//! answer. `configure` registers them for both routing and the spec.

mod bulk;
mod countries;
mod events;
mod operations;
mod participants;
mod resolve;
mod sources;
mod timeline;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(timeline::timeline)
        .service(timeline::facets)
        .service(events::get_event)
        .service(events::create_event)
        .service(events::put_event)
        .service(events::delete_event)
        .service(participants::list)
        .service(participants::get)
        .service(participants::create)
        .service(participants::update)
        .service(participants::delete)
        .service(sources::list)
        .service(sources::get)
        .service(sources::create)
        .service(sources::update)
        .service(sources::delete)
        .service(countries::list)
        .service(countries::relations)
        .service(countries::shared_events)
        .service(resolve::resolve)
        .service(bulk::import_events)
        .service(bulk::export_events);
}

/// What is served beside the API, at the root: health and metrics.
pub fn configure_operations(cfg: &mut ServiceConfig) {
    cfg.service(operations::healthz).service(operations::readyz).service(operations::metrics);
}

/// An id in a path, as a 400 naming the field when it is not a number.
fn path_id(raw: &str) -> Result<i64, crate::error::ApiError> {
    raw.parse().map_err(|_| crate::error::ApiError::invalid("id", format!("'{raw}' is not an integer id")))
}

/// `lang` alone, for the answers about one thing.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct LangParams {
    /// The language of the names shown: `en` or `ru`; without it, names as
    /// they were given.
    #[param(inline)]
    lang: Option<crate::domain::countries::Lang>,
}
