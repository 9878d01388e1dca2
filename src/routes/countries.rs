use crate::error::ApiError;
use crate::models::Country;
use crate::read;
use crate::replica::ReadDb;
use actix_web::{HttpResponse, get};

/// Countries in the events
///
/// Every country that appears as a participant or as a person's
/// nationality, with its name and number of events, most frequent first.
#[utoipa::path(tag = "countries", responses((status = 200, description = "The countries", body = Vec<Country>)))]
#[get("/countries")]
pub async fn list(db: ReadDb) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(read::countries(&db).await?))
}
