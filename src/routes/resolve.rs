use crate::domain::countries::{self, Lang, Resolved};
use crate::error::{ApiError, BadRequest};
use crate::models::{Resolution, ResolvedCountry, ResolvedParticipant};
use crate::query_string;
use crate::read;
use crate::replica::ReadDb;
use actix_web::{HttpRequest, HttpResponse, get};
use serde::Deserialize;
use utoipa::IntoParams;

/// Participants a name lists at most.
const PARTICIPANTS: u64 = 10;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResolveParams {
    /// A country's code, name or alias in English or Russian, in any of its
    /// Russian case forms (`Северной Кореи`), or how a participant's name
    /// begins.
    #[param(example = "Северной Кореи", pattern = r"[^\s\u0085]|\uFEFF", max_length = 300)]
    name: String,
    /// The language of the country names in the answer: `en` (default) or `ru`.
    #[param(inline)]
    lang: Option<Lang>,
}

/// What a name refers to
///
/// For a widget's search box: the countries a name names (and how it
/// matched: by code, CLDR name, alias or Russian case form) and the
/// participants whose name it is or begins.
#[utoipa::path(
    tag = "countries",
    params(ResolveParams),
    responses(
        (status = 200, description = "What the name refers to", body = Resolution),
        (status = 400, response = BadRequest),
    )
)]
#[get("/resolve")]
pub async fn resolve(req: HttpRequest, db: ReadDb) -> Result<HttpResponse, ApiError> {
    let params: ResolveParams = query_string::parse(req.query_string())?;
    let name = crate::validate::text("name", &params.name, crate::validate::MAX_NAME)?;
    let lang = params.lang.unwrap_or_default();
    let country = |code: String, matched| ResolvedCountry { name: countries::name(&code, lang.code()), code, matched };
    let (countries, ambiguous) = match countries::resolve(&name) {
        Resolved::Country(code, how) => (vec![country(code, how)], false),
        Resolved::Ambiguous(codes, how) => (codes.into_iter().map(|c| country(c, how)).collect(), true),
        Resolved::Unknown => (Vec::new(), false),
    };
    let (found, _) = read::participants(&db, None, Some(&name), None, PARTICIPANTS, params.lang).await?;
    let whole = countries::fold(&name);
    let participants = found
        .into_iter()
        .map(|participant| {
            let is = |other: &str| countries::fold(other) == whole;
            let names = participant.names.as_ref().map_or([None, None], |n| [n.en.as_deref(), n.ru.as_deref()]);
            let matched = if is(&participant.name) || names.into_iter().flatten().any(is) {
                "name"
            } else if participant.aliases.iter().any(|a| is(a)) {
                "alias"
            } else {
                "prefix"
            };
            ResolvedParticipant { participant, matched }
        })
        .collect();
    Ok(HttpResponse::Ok().json(Resolution { name, countries, ambiguous, participants }))
}
