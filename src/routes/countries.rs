use super::timeline::check_participant;
use crate::domain::countries::{self, Lang};
use crate::error::{ApiError, BadRequest, Problem};
use crate::models::{Country, KindCount, Partner, PeriodCount, Relations, SharedEvents};
use crate::query_string;
use crate::read;
use crate::replica::ReadDb;
use crate::timeline::{PartnersParams, SharedParams, partners_request, shared_request};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use serde_json::value::RawValue;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CountriesParams {
    /// The language of the names: `en` (default: the name its participant
    /// has, else CLDR's) or `ru` (CLDR's).
    #[param(inline)]
    lang: Option<Lang>,
}

/// Countries in the events
///
/// Every country that appears as a participant or as a person's
/// nationality, with its name and number of events, most frequent first.
#[utoipa::path(
    tag = "countries",
    params(CountriesParams),
    responses(
        (status = 200, description = "The countries", body = Vec<Country>),
        (status = 400, response = BadRequest),
    )
)]
#[get("/countries")]
pub async fn list(req: HttpRequest, db: ReadDb) -> Result<HttpResponse, ApiError> {
    let params: CountriesParams = query_string::parse(req.query_string())?;
    let mut list = read::countries(&db).await?;
    if let Some(lang @ Lang::Ru) = params.lang {
        for country in &mut list {
            country.name = countries::name(&country.code, lang.code());
        }
    }
    Ok(HttpResponse::Ok().json(list))
}

/// Countries a country shares events with
///
/// Among the events of a timeline filter that the country (a code, or a
/// name or alias as `country=` takes them) is in: every other country in
/// them, with the number of events they share, those events by kind, the
/// latest of them and the bilateral timeline's URL; those sharing the most
/// first.
#[utoipa::path(
    tag = "countries",
    params(("code" = String, Path, description = "A country: its code, name or alias", example = "RU"), PartnersParams),
    responses(
        (status = 200, description = "The countries it shares events with", body = Relations),
        (status = 400, response = BadRequest),
        (status = 404, description = "No participant has the id `participant` gives", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/countries/{code}/relations")]
pub async fn relations(req: HttpRequest, code: web::Path<String>, db: ReadDb) -> Result<HttpResponse, ApiError> {
    let request = partners_request(&code, req.query_string())?;
    check_participant(&db, &request.filter).await?;
    let (found, truncated) = read::partners(&db, &request.filter, request.size).await?;
    let lang = request.lang.code();
    let mut partners = Vec::with_capacity(found.len());
    for read::Partner { code, shared, kinds, latest } in found {
        let latest =
            RawValue::from_string(latest.unwrap_or_else(|| "null".to_owned())).map_err(ApiError::stored_document)?;
        partners.push(Partner {
            name: countries::name(&code, lang),
            timeline: request.timeline(&code),
            code,
            shared_events: shared,
            kinds: kinds.into_iter().map(|(kind, count)| KindCount { kind, count }).collect(),
            latest,
        });
    }
    let country = request.filter.countries.first().cloned().unwrap_or_default();
    let name = countries::name(&country, lang);
    Ok(HttpResponse::Ok().json(Relations { country, name, partners, truncated }))
}

/// Events countries share, by year or month
///
/// How many events of a timeline filter every country given (`country`,
/// repeatable, at least one) is in, counted by the year or month they
/// began, in order: ready for a chart. Each period links to its timeline.
#[utoipa::path(
    tag = "countries",
    params(SharedParams),
    responses(
        (status = 200, description = "The counts", body = SharedEvents),
        (status = 400, response = BadRequest),
        (status = 404, description = "No participant has the id `participant` gives", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/relations")]
pub async fn shared_events(req: HttpRequest, db: ReadDb) -> Result<HttpResponse, ApiError> {
    let request = shared_request(req.query_string())?;
    check_participant(&db, &request.filter).await?;
    let (counted, truncated) = read::shared(&db, &request.filter, request.by).await?;
    let periods: Vec<PeriodCount> = counted
        .into_iter()
        .map(|c| PeriodCount { timeline: request.timeline(&c.value), period: c.value, count: c.count })
        .collect();
    Ok(HttpResponse::Ok().json(SharedEvents {
        countries: request.filter.countries.clone(),
        by: request.by,
        total: periods.iter().map(|p| p.count).sum(),
        periods,
        truncated,
    }))
}
