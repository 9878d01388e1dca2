//! The one error type of the service, answered as RFC 9457
//! `application/problem+json`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use sea_orm::DbErr;
use serde::Serialize;
use utoipa::{ToResponse, ToSchema};

/// Everything a request can fail with. Known failures are 4xx naming the
/// field at fault; anything else is logged and answered with a bare 500.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter, path segment or request body field is wrong.
    #[error("{field}: {detail}")]
    Invalid { field: String, detail: String },
    /// The body is not JSON of the expected shape.
    #[error("{0}")]
    MalformedBody(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    NotFound(String),
    /// The path exists but does not take this method; `allowed` lists those it does.
    #[error("{detail}")]
    MethodNotAllowed { detail: String, allowed: String },
    /// No bearer token, or one this service did not make (`invalid_token`).
    #[error("{detail}")]
    Unauthorized { detail: String, invalid_token: bool },
    /// The caller may not do this: a read-only or revoked token, an origin
    /// CORS refuses.
    #[error("{0}")]
    Forbidden(String),
    /// The write contradicts what is stored (duplicate key, row still in use).
    #[error("{detail}")]
    Conflict { field: Option<String>, detail: String },
    /// The database cannot be reached now; worth retrying.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::Invalid { field: field.into(), detail: detail.into() }
    }

    /// The error of a part of the input (`participants[2]`, whose `kind`
    /// is at fault, or `tags[1]` itself, field ""): its field named from
    /// the whole. Named only on failure, so that checking a million lines
    /// formats no field names (bench/README.md).
    pub fn within(self, part: &str) -> Self {
        match self {
            ApiError::Invalid { field, detail } if field.is_empty() => ApiError::Invalid { field: part.into(), detail },
            ApiError::Invalid { field, detail } => ApiError::Invalid { field: format!("{part}.{field}"), detail },
            other => other,
        }
    }

    pub fn unauthorized(invalid_token: bool, detail: impl Into<String>) -> Self {
        ApiError::Unauthorized { detail: detail.into(), invalid_token }
    }

    pub fn conflict(field: Option<&str>, detail: impl Into<String>) -> Self {
        ApiError::Conflict { field: field.map(str::to_owned), detail: detail.into() }
    }

    /// A stored event document that does not read back: the database's
    /// fault, not the request's (a 500).
    pub fn stored_document(err: serde_json::Error) -> Self {
        ApiError::Database(DbErr::Custom(format!("a stored event document is not valid: {err}")))
    }
}

/// What a 503 asks a client to wait before trying again.
const RETRY_AFTER_SECONDS: u32 = 5;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "about:blank",
    "title": "Bad Request",
    "status": 400,
    "detail": "country: 'XX' is not an ISO 3166-1 alpha-2 country code",
    "field": "country"
}))]
pub struct Problem {
    /// Always `about:blank`: the status and title say what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The HTTP status phrase.
    pub title: String,
    pub status: u16,
    /// What is wrong, in words a person can act on.
    pub detail: String,
    /// The parameter or body field at fault (`participants[2].code`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

// The problems most operations share, declared once for the spec. A 409's
// meaning differs by operation, so each operation describes its own.

/// A bad parameter, path segment or body field (malformed JSON included); `field` names it.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BadRequest(#[expect(dead_code, reason = "documents the body")] Problem);

/// Nothing has this id or key.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(#[expect(dead_code, reason = "documents the body")] Problem);

/// No bearer token, or not one this service made; `WWW-Authenticate` says which.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"timeline\"`, with `error=\"invalid_token\"` when a token was sent")))]
pub struct Unauthorized(#[expect(dead_code, reason = "documents the body")] Problem);

/// The token may not write: it is read-only or revoked.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Forbidden(#[expect(dead_code, reason = "documents the body")] Problem);

/// The database cannot be reached now; `Retry-After` says when to try again.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", headers(("Retry-After" = u32, description = "Seconds to wait")))]
pub struct Unavailable(#[expect(dead_code, reason = "documents the body")] Problem);

/// The body is over 1 MiB.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PayloadTooLarge(#[expect(dead_code, reason = "documents the body")] Problem);

/// The body is not JSON.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct UnsupportedMediaType(#[expect(dead_code, reason = "documents the body")] Problem);

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Invalid { .. } => StatusCode::BAD_REQUEST,
            ApiError::MalformedBody(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Database(err) if crate::db::is_unavailable(err) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Database(err) if crate::db::is_constraint_violation(err) => StatusCode::CONFLICT,
            ApiError::Database(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (detail, field) = match self {
            ApiError::Invalid { field, detail } => (detail.clone(), Some(field.clone())),
            ApiError::Conflict { field, detail } => (detail.clone(), field.clone()),
            ApiError::MethodNotAllowed { detail, .. } => (detail.clone(), None),
            ApiError::Database(err) if status == StatusCode::SERVICE_UNAVAILABLE => {
                tracing::warn!(error = %err, "database unavailable");
                ("The database cannot be reached; try again shortly.".to_owned(), None)
            }
            ApiError::Database(err) if status == StatusCode::CONFLICT => {
                tracing::info!(error = %err, "a write lost a race");
                ("Another change made at the same time conflicts with this one; read again and retry.".to_owned(), None)
            }
            ApiError::Database(err) => {
                tracing::error!(error = ?err, "database error");
                ("The server failed to handle the request; it has been logged.".to_owned(), None)
            }
            other => (other.to_string(), None),
        };
        let problem = Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: bounded(&detail),
            field: field.map(|f| prefix(&f, MAX_FIELD)),
        };
        let mut response = HttpResponse::build(status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header((actix_web::http::header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string()));
        }
        if let ApiError::MethodNotAllowed { allowed, .. } = self {
            response.insert_header((actix_web::http::header::ALLOW, allowed.clone()));
        }
        if let ApiError::Unauthorized { invalid_token, .. } = self {
            // RFC 6750 §3: the scheme, and why a token that was sent failed.
            let challenge = if *invalid_token {
                r#"Bearer realm="timeline", error="invalid_token""#
            } else {
                r#"Bearer realm="timeline""#
            };
            response.insert_header((actix_web::http::header::WWW_AUTHENTICATE, challenge));
        }
        response.content_type("application/problem+json").json(problem)
    }
}

/// The longest piece of a client's input an error quotes back.
const MAX_QUOTED: usize = 64;
/// The longest `detail`, and `field`.
const MAX_DETAIL: usize = 512;
const MAX_FIELD: usize = 128;

/// A detail with each piece of input it quotes ('…') cut to a short prefix,
/// and the whole bounded: an error never echoes a 100 kB key back.
fn bounded(detail: &str) -> String {
    let mut out = String::new();
    let mut rest = detail;
    while let Some(open) = rest.find('\'') {
        out.push_str(&rest[..=open]);
        let quoted = &rest[open + 1..];
        let (inner, after) = match quoted.find('\'') {
            Some(close) => (&quoted[..close], &quoted[close..]),
            None => (quoted, ""),
        };
        out.push_str(&prefix(inner, MAX_QUOTED));
        if after.is_empty() {
            rest = after;
        } else {
            out.push('\'');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    prefix(&out, MAX_DETAIL)
}

/// `text` cut to `max` characters, marked with `…` when it was cut.
fn prefix(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// A path segment actix cannot parse becomes a problem naming the path.
pub fn path_error(err: actix_web::error::PathError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::invalid("path", err.to_string()).into()
}

#[cfg(test)]
mod tests {
    use super::bounded;

    #[test]
    fn an_error_quotes_at_most_a_short_prefix_of_the_input() {
        let key = "k".repeat(100_000);
        let said = bounded(&format!("'{key}' is not 1–64 characters of A-Z a-z 0-9 . _ -"));
        assert_eq!(said, format!("'{}…' is not 1–64 characters of A-Z a-z 0-9 . _ -", "k".repeat(64)));
        assert_eq!(bounded("'ab' and 'cd'"), "'ab' and 'cd'");
        assert_eq!(bounded(&format!("'{}", "я".repeat(70))), format!("'{}…", "я".repeat(64)));
        assert!(bounded(&"x".repeat(10_000)).chars().count() <= 513);
    }
}
