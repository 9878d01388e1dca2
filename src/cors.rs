//! Who may call the API from a script on another site. Reads are public:
//! any origin may read unless the operator lists the ones that may. Writes
//! are not opened to any origin unless the operator names it.

use crate::error::ApiError;
use actix_cors::{Cors, CorsError};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{RequestHead, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};
use std::sync::Arc;

/// The origins allowed to read, and those allowed to write too.
#[derive(Clone, Debug)]
pub struct CorsPolicy {
    /// `None`: any origin.
    read: Option<Arc<Vec<String>>>,
    write: Arc<Vec<String>>,
}

impl CorsPolicy {
    /// From the settings: `*` or a comma-separated list of origins
    /// (`https://example.org`), for reads and for writes.
    pub fn new(read: &str, write: &str) -> Result<CorsPolicy, String> {
        let read = match read.trim() {
            "*" => None,
            list => Some(Arc::new(origins("--cors-origins", list)?)),
        };
        if write.trim() == "*" {
            return Err(
                "--cors-write-origins takes a list of origins, not `*`: writes are never open to every site".into()
            );
        }
        Ok(CorsPolicy { read, write: Arc::new(origins("--cors-write-origins", write)?) })
    }

    /// Whether a request (or the preflight for one) from `origin` is allowed.
    fn allows(&self, origin: &HeaderValue, head: &RequestHead) -> bool {
        let Ok(origin) = origin.to_str() else { return false };
        let method = match head.method {
            Method::OPTIONS => head
                .headers()
                .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                .and_then(|m| m.to_str().ok())
                .and_then(|m| m.parse::<Method>().ok())
                .unwrap_or(Method::OPTIONS),
            ref method => method.clone(),
        };
        if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return self.read.as_ref().is_none_or(|read| read.iter().any(|o| o == origin));
        }
        self.write.iter().any(|o| o == origin)
    }

    /// The middleware for one worker. Scripts may send `Prefer` (to read
    /// their own writes) and read `Link` (the next page), `ETag`, the
    /// request id and `Preference-Applied`; a preflight is good for an hour.
    pub fn middleware(&self) -> Cors {
        let policy = self.clone();
        Cors::default()
            .allowed_origin_fn(move |origin, head| policy.allows(origin, head))
            .allowed_methods([Method::GET, Method::HEAD, Method::POST, Method::PUT, Method::DELETE])
            .allowed_headers([
                header::CONTENT_TYPE,
                header::ACCEPT,
                header::IF_NONE_MATCH,
                header::AUTHORIZATION,
                header::HeaderName::from_static("prefer"),
            ])
            .expose_headers([
                header::LINK,
                header::ETAG,
                header::HeaderName::from_static("x-request-id"),
                crate::replica::PREFERENCE_APPLIED,
            ])
            .max_age(3600)
    }
}

/// actix-cors answers a preflight it refuses in plain text; this answers it
/// as every other error is, a problem naming what was refused.
pub async fn refusal_as_problem(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // Quoted in the problem, which cuts what it quotes to a short prefix.
    let origin = req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()).unwrap_or_default().to_owned();
    let res = next.call(req).await?.map_into_boxed_body();
    let Some(refusal) = res.response().error().and_then(|e| e.as_error::<CorsError>()) else {
        return Ok(res);
    };
    let problem = match refusal {
        CorsError::OriginNotAllowed => ApiError::Forbidden(format!("origin '{origin}' may not make this request")),
        CorsError::MethodNotAllowed | CorsError::HeadersNotAllowed => {
            ApiError::Forbidden(format!("origin '{origin}': {}", lowercase_first(&refusal.to_string())))
        }
        CorsError::MissingRequestMethod | CorsError::BadRequestMethod => {
            ApiError::invalid("Access-Control-Request-Method", lowercase_first(&refusal.to_string()))
        }
        CorsError::BadRequestHeaders => {
            ApiError::invalid("Access-Control-Request-Headers", lowercase_first(&refusal.to_string()))
        }
        other => ApiError::invalid("Origin", lowercase_first(&other.to_string())),
    };
    let (req, _) = res.into_parts();
    Ok(ServiceResponse::new(req, problem.error_response()))
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

fn origins(setting: &str, list: &str) -> Result<Vec<String>, String> {
    let origins: Vec<String> =
        list.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).filter(|o| !o.is_empty()).collect();
    let is_origin = |o: &str| match o.split_once("://") {
        Some(("http" | "https", host)) => !host.is_empty() && !host.contains('/'),
        _ => false,
    };
    match origins.iter().find(|o| !is_origin(o)) {
        Some(bad) => Err(format!("{setting}: '{bad}' is not an origin like https://example.org")),
        None => Ok(origins),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_never_open_to_every_origin() {
        assert!(CorsPolicy::new("*", "*").is_err());
        assert!(CorsPolicy::new("example.org", "").is_err());
        assert!(CorsPolicy::new("https://example.org/path", "").is_err());
        assert!(CorsPolicy::new("*", "http://").is_err());
        assert!(CorsPolicy::new("*", "https://admin.example.org, http://localhost:3000/").is_ok());
    }
}
