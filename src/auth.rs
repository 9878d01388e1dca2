//! Who may write. Reads are public; every write (create, update, delete,
//! import) needs a bearer token (RFC 6750) that `timeline token create`
//! made. The database keeps only a SHA-256 of each secret: a secret is 32
//! random bytes, too many to guess, so a slow password hash would buy
//! nothing and cost every write.

use crate::db::Db;
use crate::error::ApiError;
use crate::read;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;

/// The name of the security scheme in the spec.
pub const SCHEME: &str = "bearer_token";

/// What every secret starts with, so that people and secret scanners can
/// tell one when they see it.
const PREFIX: &str = "tl_";

/// Longer than any secret we make: an `Authorization` header past this is
/// refused before it is hashed.
const MAX_SECRET: usize = 128;

/// A token's secret, shown once when it is made. `Debug` never shows it.
pub struct Secret(String);

impl Secret {
    pub fn generate() -> Secret {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source");
        Secret(format!("{PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The secret itself, for the one time it is printed.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps.
    pub fn hash(&self) -> String {
        hash(&self.0)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

fn hash(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

/// Proof that a request carries a token that may write: a write handler
/// takes one, so it cannot run without it.
#[derive(Debug)]
pub struct WriteAccess;

impl FromRequest for WriteAccess {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<WriteAccess, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let presented = bearer(req);
        let db = req.app_data::<web::Data<Db>>().cloned();
        Box::pin(async move {
            let secret = presented?;
            let db = db.ok_or_else(|| sea_orm::DbErr::Custom("no database in the app".into()))?;
            let token = read::token_by_hash(&db, &hash(&secret))
                .await?
                .ok_or_else(|| ApiError::unauthorized(true, "the bearer token is not one this service made"))?;
            if let Some(when) = token.revoked_at {
                return Err(ApiError::Forbidden(format!("the token '{}' was revoked at {when}", token.name)));
            }
            if token.read_only {
                return Err(ApiError::Forbidden(format!("the token '{}' is read-only", token.name)));
            }
            Ok(WriteAccess)
        })
    }
}

/// The secret of an `Authorization: Bearer …` header.
fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized(false, "writes need a bearer token: Authorization: Bearer <token>"));
    };
    let value = value.to_str().unwrap_or_default();
    let secret = match value.split_once(' ') {
        Some((scheme, secret)) if scheme.eq_ignore_ascii_case("bearer") => secret.trim(),
        _ => return Err(ApiError::unauthorized(true, "the Authorization header must be 'Bearer <token>'")),
    };
    if secret.is_empty() || secret.len() > MAX_SECRET {
        return Err(ApiError::unauthorized(true, "the bearer token is not one this service made"));
    }
    Ok(secret.to_owned())
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn secrets_are_long_random_and_never_shown_by_debug() {
        let (a, b) = (Secret::generate(), Secret::generate());
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().starts_with("tl_") && a.expose().len() == 3 + 43, "{}", a.expose().len());
        assert_eq!(format!("{a:?}"), "Secret(…)");
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), b.hash());
    }
}
