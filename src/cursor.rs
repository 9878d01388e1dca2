//! Opaque keyset cursors: the sort key of the last row of a page, as
//! base64url JSON. Anything that does not decode is a 400 on `cursor`.

use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub fn encode<T: Serialize>(key: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

pub fn decode<T: DeserializeOwned>(raw: &str) -> Result<T, ApiError> {
    let bad = || ApiError::invalid("cursor", "is not a cursor this endpoint gave out; pass next_cursor back unchanged");
    // Ours hold at most a 300-character name; a longer one is not decoded.
    if raw.len() > 2_048 {
        return Err(bad());
    }
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}
