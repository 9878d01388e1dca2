//! Logs: to stderr, filtered by `RUST_LOG`, and one line per request.

use crate::metrics::Metrics;
use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use std::time::Instant;
use tracing_subscriber::EnvFilter;

/// What is logged when `RUST_LOG` says nothing.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm_migration=warn";

/// Logs to `writer`: lines for people (coloured on a terminal), or one
/// JSON object per line for a log collector (`json`).
pub fn init<W>(default_filter: &str, writer: W, ansi: bool, json: bool)
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt().with_writer(writer).with_env_filter(filter);
    // A second call (a test binary's second test) keeps the first subscriber.
    let _ = if json { builder.json().try_init() } else { builder.with_ansi(ansi).try_init() };
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// One `info` line per request: method, path, route, status, milliseconds
/// and a request id, and the request counted in the metrics. The id is the
/// client's `X-Request-Id` when it sends a sane one (a proxy's), or a new
/// random one; the answer carries it back. A 4xx is the client's affair
/// and is logged like any answer; a 500 has its cause logged at `error`
/// where it happens.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id =
        req.headers().get(&REQUEST_ID).filter(|v| is_sane_id(v.as_bytes())).cloned().unwrap_or_else(new_request_id);
    let started = Instant::now();
    let method = req.method().clone();
    // A path of any length is logged at most 256 characters long.
    let path: String = req.path().chars().take(256).collect();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let mut res = next.call(req).await?;
    let seconds = started.elapsed().as_secs_f64();
    let route = res.request().match_pattern();
    let status = res.status().as_u16();
    if let Some(metrics) = metrics {
        metrics.answered(method.as_str(), route.as_deref(), status, seconds);
    }
    let ms = seconds * 1000.0;
    let request_id = id.to_str().unwrap_or_default();
    tracing::info!(request_id, %method, path, status, ms = %format_args!("{ms:.1}"), "request");
    res.headers_mut().insert(REQUEST_ID, id);
    Ok(res)
}

/// Up to 64 letters, digits and `-_.:`: what proxies and UUIDs use, and
/// nothing that could forge a log line.
fn is_sane_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len()) && id.iter().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
}

fn new_request_id() -> HeaderValue {
    let mut bytes = [0u8; 8];
    // Unique enough to find a request in the logs; not a secret.
    let _ = getrandom::fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&hex).expect("hex")
}
