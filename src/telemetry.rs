//! Logs: to stderr, filtered by `RUST_LOG`, and one line per request.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tracing_subscriber::EnvFilter;

/// What is logged when `RUST_LOG` says nothing.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm_migration=warn";

/// Logs to `writer`, without colour unless it is a terminal.
pub fn init<W>(default_filter: &str, writer: W, ansi: bool)
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // A second call (a test binary's second test) keeps the first subscriber.
    let _ = tracing_subscriber::fmt().with_writer(writer).with_ansi(ansi).with_env_filter(filter).try_init();
}

static NEXT_REQUEST: AtomicU64 = AtomicU64::new(1);

/// One `info` line per request: method, path, status, milliseconds and a
/// request id, which the answer carries as `x-request-id`. A 4xx is the
/// client's affair and is logged like any answer; a 500 has its cause
/// logged at `error` where it happens.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = NEXT_REQUEST.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let method = req.method().clone();
    // A path of any length is logged at most 256 characters long.
    let path: String = req.path().chars().take(256).collect();
    let mut res = next.call(req).await?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(request_id = id, %method, path, status = res.status().as_u16(), ms = %format_args!("{ms:.1}"), "request");
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&id.to_string()) {
        res.headers_mut().insert(actix_web::http::header::HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}
