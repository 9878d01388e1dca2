use super::timeline::check_participant;
use crate::auth::WriteAccess;
use crate::db::Db;
use crate::error::{ApiError, BadRequest, PayloadTooLarge, Problem};
use crate::export::Export;
use crate::formats::schema::{FeatureCollection, JsonPage};
use crate::formats::{Format, Writer};
use crate::http_cache::Tag;
use crate::import::{ImportError, ImportLimit, ImportSummary, Importer};
use crate::metrics::Metrics;
use crate::query_string;
use crate::replica::ReadDb;
use crate::timeline::{self, ExportParams};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// `true`: any bad line aborts the import with nothing written.
    strict: Option<bool>,
}

/// Import NDJSON events
///
/// The body is the interchange format, one event per line, streamed, up to
/// the server's import limit (`IMPORT_MAX_BYTES`, 2 GiB unless set). An event whose key exists is replaced (unchanged ones are
/// left alone), so importing a file twice changes nothing. Bad lines are
/// listed with their number and reason and skipped; with `strict=true` the
/// first bad line is a 400 and nothing is written.
#[utoipa::path(
    tag = "bulk",
    params(ImportParams),
    // Optional: an empty body imports nothing, and says so.
    request_body(content = Option<String>, content_type = "application/x-ndjson", description = "One event per line"),
    responses(
        (status = 200, description = "What was imported", body = ImportSummary),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
    )
)]
#[post("/import")]
pub async fn import_events(
    _: WriteAccess,
    req: HttpRequest,
    mut body: web::Payload,
    db: web::Data<Db>,
    metrics: web::Data<Metrics>,
    limit: web::Data<ImportLimit>,
) -> Result<HttpResponse, ApiError> {
    let params: ImportParams = query_string::parse(req.query_string())?;
    let strict = params.strict.unwrap_or(false);
    let ImportLimit(limit) = **limit;
    let over = |what: String| ApiError::PayloadTooLarge(format!("{what} the import limit of {limit} bytes"));
    if let Some(length) = content_length(&req).filter(|length| *length > limit) {
        return Err(over(format!("nothing was imported: the body's {length} bytes are over")));
    }
    let mut importer = Importer::new(&db, strict);
    let mut read = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| ApiError::MalformedBody(format!("could not read the body: {e}")))?;
        read += chunk.len() as u64;
        if read > limit {
            // Without `strict`, the batches before this point are committed,
            // each event whole; the importer is dropped with the rest.
            return Err(over(if strict {
                "nothing was imported: the body went past".to_owned()
            } else {
                "the batches committed so far are kept (importing the file again finishes the job, \
                 in parts if need be): the body went past"
                    .to_owned()
            }));
        }
        importer.feed(&chunk).await.map_err(import_problem)?;
    }
    let summary = importer.finish().await.map_err(import_problem)?;
    metrics.imported(&summary);
    Ok(HttpResponse::Ok().json(summary))
}

fn import_problem(e: ImportError) -> ApiError {
    match e {
        ImportError::BadLine(bad) => ApiError::Invalid {
            field: match bad.field {
                Some(field) => format!("line {}: {field}", bad.line),
                None => format!("line {}", bad.line),
            },
            detail: format!("line {}: {}; nothing was imported", bad.line, bad.reason),
        },
        ImportError::Api(e) => e,
    }
}

/// Export events
///
/// Every event, or those of a timeline filter, streamed with no page limit:
/// by default in the interchange format (NDJSON), so importing the export
/// into an empty database gives the same timeline; with `format` (or
/// `Accept`) in any of the timeline's formats, e.g. an iCalendar feed a
/// calendar subscribes to (`format=ics&country=RU&country=KP&match=all`).
#[utoipa::path(
    tag = "bulk",
    params(ExportParams),
    responses(
        (status = 200, description = "Every matching event, oldest first",
            content(
                (String = "application/x-ndjson"),
                (JsonPage = "application/json"),
                (String = "text/calendar"),
                (String = "text/csv"),
                (FeatureCollection = "application/geo+json"),
            ),
            headers(
                ("ETag" = String, description = "Changes whenever any data does; send it back as `If-None-Match`"),
                ("Cache-Control" = String, description = "`public, max-age=60` unless configured otherwise"),
            )),
        (status = 304, description = "Nothing was written since the `ETag` given in `If-None-Match`"),
        (status = 400, response = BadRequest),
        (status = 404, description = "No participant has the id `participant` gives", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/export")]
pub async fn export_events(req: HttpRequest, db: ReadDb) -> Result<HttpResponse, ApiError> {
    let request = timeline::export_request(req.query_string())?;
    check_participant(&db, &request.filter).await?;
    let format = Format::chosen(request.format, &req, Format::Ndjson);
    let (epoch, version) = db.data_version().await?;
    let tag = Tag::of(&[
        &epoch.to_le_bytes(),
        &version.to_le_bytes(),
        format.media_type().as_bytes(),
        req.query_string().as_bytes(),
    ]);
    let mut kept = HeaderMap::new();
    kept.insert(header::VARY, HeaderValue::from_static("Accept"));
    if let Some(not_modified) = tag.not_modified(req.headers().get(header::IF_NONE_MATCH), &kept) {
        return Ok(not_modified);
    }
    let export = Export::new(request.filter, Writer::new(format, request.presentation));
    let stream = futures_util::stream::unfold(Some((db, export)), |state| async move {
        let (db, mut export) = state?;
        match export.next_chunk(&db).await {
            Ok(Some(bytes)) => Some((Ok(web::Bytes::from(bytes)), Some((db, export)))),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "export stopped");
                Some((Err(e), None))
            }
        }
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::VARY, "Accept"))
        .insert_header((header::ETAG, tag.value()))
        .content_type(format.media_type())
        .streaming(stream))
}

/// The body's declared length, when the client sent one.
fn content_length(req: &HttpRequest) -> Option<u64> {
    req.headers().get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}
