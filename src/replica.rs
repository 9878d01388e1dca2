//! Where a read goes: to the PostgreSQL streaming replica named by
//! `DATABASE_READ_URL` when there is one, else to the one database. A
//! client that has just written and must see it sends
//! `Prefer: read-your-writes` (RFC 7240), and its reads go to the primary;
//! the answer says so with `Preference-Applied`. Writes, and the reads a
//! write makes, always use the primary (`web::Data<Db>`).

use crate::db::Db;
use crate::error::ApiError;
use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue, VARY};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use std::future::{Ready, ready};
use std::ops::Deref;

pub const PREFER_PRIMARY: &str = "read-your-writes";
pub const PREFERENCE_APPLIED: HeaderName = HeaderName::from_static("preference-applied");

/// The replica, when the service has one (app data beside the primary's
/// `web::Data<Db>`).
#[derive(Clone, Default)]
pub struct Replica(pub Option<web::Data<Db>>);

/// The database a read handler reads from; it derefs to `Db`.
pub struct ReadDb(web::Data<Db>);

impl Deref for ReadDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.0
    }
}

impl FromRequest for ReadDb {
    type Error = ApiError;
    type Future = Ready<Result<ReadDb, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let replica = req.app_data::<web::Data<Replica>>().and_then(|r| r.0.clone());
        let db = match replica {
            Some(replica) if !prefers_primary(req.headers()) => replica,
            _ => req.app_data::<web::Data<Db>>().expect("the database is app data").clone(),
        };
        ready(Ok(ReadDb(db)))
    }
}

/// Whether the request asks to read from the primary (see the module).
pub fn prefers_primary(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|preference| preference.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case(PREFER_PRIMARY))
}

/// Middleware, on a service with a replica: an answer to a request that
/// preferred the primary says that it was read there, and every answer
/// says it may differ by `Prefer`, so that a shared cache does not hand a
/// client that must see its writes a copy read from the replica.
pub async fn say_preference_applied(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let has_replica = req.app_data::<web::Data<Replica>>().is_some_and(|replica| replica.0.is_some());
    let applied = has_replica && prefers_primary(req.headers());
    let mut res = next.call(req).await?;
    if has_replica {
        res.headers_mut().append(VARY, HeaderValue::from_static("Prefer"));
    }
    if applied {
        res.headers_mut().insert(PREFERENCE_APPLIED, HeaderValue::from_static(PREFER_PRIMARY));
    }
    Ok(res)
}
