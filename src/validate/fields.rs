//! Single fields: text, keys, codes, choices.

use crate::domain::countries::{self, Resolved};
use crate::error::ApiError;

pub const MAX_TITLE: usize = 500;
pub const MAX_NAME: usize = 300;

/// An ISO 3166-1 alpha-2 code, any case, checked against the real list:
/// what is stored, so what a write gives.
pub fn country_code(field: &str, raw: &str) -> Result<String, ApiError> {
    countries::code(raw)
        .ok_or_else(|| ApiError::invalid(field, format!("'{raw}' is not an ISO 3166-1 alpha-2 country code")))
}

/// A country as a reader names it: a code, or its name or an alias in
/// English or Russian (`KP`, `North Korea`, `КНДР`, `DPRK`), any case.
pub fn country(field: &str, raw: &str) -> Result<String, ApiError> {
    match countries::resolve(raw) {
        Resolved::Country(code, _) => Ok(code),
        Resolved::Ambiguous(codes, _) => {
            let named: Vec<String> = codes.iter().map(|c| format!("{c} ({})", countries::name(c, "en"))).collect();
            Err(ApiError::invalid(field, format!("'{raw}' names several countries: {}; give one", named.join(", "))))
        }
        Resolved::Unknown => Err(ApiError::invalid(
            field,
            format!(
                "'{raw}' is not a country code (ISO 3166-1 alpha-2, such as KP) or a name this service knows (North Korea, КНДР, DPRK)"
            ),
        )),
    }
}

pub fn event_key(field: &str, raw: &str) -> Result<String, ApiError> {
    let ok = (1..=64).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::invalid(field, format!("'{raw}' is not 1–64 characters of A-Z a-z 0-9 . _ -")))
    }
}

pub fn one_of(field: &str, raw: &str, allowed: &[&str]) -> Result<String, ApiError> {
    if allowed.contains(&raw) {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::invalid(field, format!("'{raw}' is not one of {}", allowed.join(", "))))
    }
}

/// Text of at most `max` characters as sent (as the spec's `maxLength`
/// counts them, spaces included), stored trimmed.
pub fn text(field: &str, raw: &str, max: usize) -> Result<String, ApiError> {
    if raw.chars().count() > max {
        return Err(ApiError::invalid(field, format!("is longer than {max} characters")));
    }
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if trimmed.contains('\0') {
        // PostgreSQL's text cannot hold it, so neither backend takes it.
        return Err(ApiError::invalid(field, "contains a NUL character (U+0000)"));
    }
    Ok(trimmed.to_owned())
}

pub fn optional_text(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, ApiError> {
    match raw {
        None => Ok(None),
        Some(value) if value.trim().is_empty() && value.chars().count() <= max => Ok(None),
        Some(value) => text(field, value, max).map(Some),
    }
}
