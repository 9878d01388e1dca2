use crate::domain::countries::{self, Lang};
use crate::error::{ApiError, BadRequest};
use crate::models::Country;
use crate::query_string;
use crate::read;
use crate::replica::ReadDb;
use actix_web::{HttpRequest, HttpResponse, get};
use serde::Deserialize;
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
