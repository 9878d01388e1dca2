//! A JSON body extractor whose errors name the failing field
//! (`participants[2].kind`) and come back as problem documents.

use crate::error::ApiError;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

/// The most a JSON body may weigh.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType("send the body as Content-Type: application/json".into()));
            }
            let bytes = body.await.map_err(|e| {
                if e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge(format!("the body is over the limit of {BODY_LIMIT} bytes"))
                } else {
                    ApiError::MalformedBody(format!("could not read the body: {e}"))
                }
            })?;
            let mut de = serde_json::Deserializer::from_slice(&bytes);
            let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if inner.is_data() {
                    let message = strip_position(&inner.to_string());
                    ApiError::invalid(field_at_fault(&path, &message), message)
                } else {
                    ApiError::MalformedBody(format!("malformed JSON: {inner}"))
                }
            })?;
            de.end().map_err(|e| ApiError::MalformedBody(format!("malformed JSON: {e}")))?;
            Ok(JsonBody(value))
        })
    }
}

/// The path of the failing value; for a missing field, the path of the field
/// itself rather than of the object that lacks it.
fn field_at_fault(path: &str, message: &str) -> String {
    let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (_, Some(name)) => format!("{path}.{name}"),
        (".", None) => "body".to_owned(),
        (_, None) => path.to_owned(),
    }
}

/// serde's "… at line 1 column 40" means little once the field is named.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
