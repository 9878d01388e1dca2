//! For load balancers and monitoring: liveness, readiness and metrics.

use crate::db::Db;
use crate::error::{ApiError, Problem};
use crate::metrics::{CONTENT_TYPE, Metrics};
use crate::migrator::Migrator;
use crate::replica::Replica;
use actix_web::{HttpResponse, get, web};
use migration::MigratorTrait;
use std::time::Duration;

/// How long readiness waits for the database before saying it is not ready.
const READY_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Alive
///
/// The process answers; says nothing of the database (see `/readyz`).
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive", body = String, content_type = "text/plain")))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body("ok\n")
}

/// Ready to serve
///
/// The database (and the read replica, when there is one) answers and its
/// migrations are current; a load balancer sends no traffic to an instance
/// answering 503.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = String, content_type = "text/plain"),
        (status = 503, description = "The database is unreachable or not migrated", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    )
)]
#[get("/readyz")]
pub async fn readyz(db: web::Data<Db>, replica: web::Data<Replica>) -> Result<HttpResponse, ApiError> {
    let pending = tokio::time::timeout(READY_CHECK_TIMEOUT, Migrator::get_pending_migrations(db.conn()))
        .await
        .map_err(|_| ApiError::Unavailable(format!("the database did not answer within {READY_CHECK_TIMEOUT:?}")))?
        .map_err(|e| ApiError::Unavailable(format!("the database cannot be reached: {e}")))?;
    if !pending.is_empty() {
        return Err(ApiError::Unavailable(format!("{} migrations are pending", pending.len())));
    }
    if let Some(replica) = &replica.0 {
        tokio::time::timeout(READY_CHECK_TIMEOUT, replica.in_recovery())
            .await
            .map_err(|_| {
                ApiError::Unavailable(format!("the read replica did not answer within {READY_CHECK_TIMEOUT:?}"))
            })?
            .map_err(|e| ApiError::Unavailable(format!("the read replica cannot be reached: {e}")))?;
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body("ready\n"))
}

/// Metrics
///
/// The Prometheus text format: requests and latency by route and status,
/// the database pool, and what HTTP imports did.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Metrics", body = String, content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(registry: web::Data<Metrics>, db: web::Data<Db>, replica: web::Data<Replica>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .insert_header(("Cache-Control", "no-store"))
        .body(registry.render(&db, replica.0.as_ref().map(|r| r.get_ref())))
}
