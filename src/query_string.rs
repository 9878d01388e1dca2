//! Strict query strings. A handler's parameters are one struct deriving
//! `Deserialize` and `IntoParams`; `parse` fills it, rejecting names the
//! struct does not have (a typo must never silently widen a result) and a
//! second value of a parameter that is not repeatable, each as a 400 that
//! names the parameter.

use crate::error::ApiError;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{Schema, SchemaType, Type};

/// The parameters of `T`, or a 400 naming the one at fault. `T` must deny
/// unknown fields; the names it knows are only listed when one was wrong.
pub fn parse<T: DeserializeOwned + IntoParams>(raw: &str) -> Result<T, ApiError> {
    // PostgreSQL's text cannot hold NUL, so no parameter may carry one.
    if (raw.contains("%00") || raw.contains('\0'))
        && let Some((name, _)) = pairs(raw)?.into_iter().find(|(_, value)| value.contains('\0'))
    {
        return Err(ApiError::invalid(name, "contains a NUL character (U+0000)"));
    }
    let parsed = serde_path_to_error::deserialize(serde_html_form::Deserializer::from_bytes(raw.as_bytes()))
        .map_err(|e| problem::<T>(raw, e))?;
    // An empty value reads as absent. For a number or a boolean that would
    // hide a client's mistake (`limit=`), so it is refused.
    if raw.ends_with('=') || raw.contains("=&") {
        let empty: Vec<String> = pairs(raw)?.into_iter().filter(|(_, v)| v.is_empty()).map(|(n, _)| n).collect();
        let params = T::into_params(|| Some(ParameterIn::Query));
        if let Some(param) = params.into_iter().find(|p| empty.contains(&p.name) && takes_a_scalar(p)) {
            return Err(ApiError::invalid(param.name, "is given without a value"));
        }
    }
    Ok(parsed)
}

/// Whether a parameter is a number or a boolean, which no empty text is.
fn takes_a_scalar(param: &Parameter) -> bool {
    let scalar = |t: &Type| matches!(t, Type::Integer | Type::Number | Type::Boolean);
    match &param.schema {
        Some(RefOr::T(Schema::Object(object))) => match &object.schema_type {
            SchemaType::Type(t) => scalar(t),
            SchemaType::Array(types) => types.iter().any(scalar),
            SchemaType::AnyValue => false,
        },
        _ => false,
    }
}

/// What was wrong with a query string that did not parse.
fn problem<T: IntoParams>(raw: &str, e: serde_path_to_error::Error<serde_html_form::de::Error>) -> ApiError {
    let pairs = match pairs(raw) {
        Ok(pairs) => pairs,
        Err(malformed) => return malformed,
    };
    let known = names::<T>();
    if let Some((name, _)) = pairs.iter().find(|(name, _)| !known.contains(name)) {
        return ApiError::invalid(
            name.clone(),
            format!("unknown query parameter '{name}'; known: {}", known.join(", ")),
        );
    }
    let field = e.path().to_string();
    let reason = e.into_inner().to_string();
    if reason == "unsupported value" {
        // serde_html_form's word for a repeated parameter that takes one value.
        return ApiError::invalid(field, "may be given only once");
    }
    if let Some(missing) = reason.strip_prefix("missing field `").and_then(|rest| rest.strip_suffix('`')) {
        return ApiError::invalid(missing, "is required");
    }
    match pairs.iter().find(|(name, _)| *name == field) {
        Some((_, value)) => ApiError::invalid(field, format!("'{value}': {reason}")),
        // A repeatable parameter's value is at `name[i]` (serde's path).
        None => match field.split('[').next().filter(|name| pairs.iter().any(|(n, _)| n == name)) {
            Some(name) => ApiError::invalid(name, reason),
            None => ApiError::invalid("query", reason),
        },
    }
}

/// A page size: `default` when not given, else within 1..=`max`.
pub fn limit(given: Option<u64>, default: u64, max: u64) -> Result<u64, ApiError> {
    count("limit", given, default, max)
}

/// A count parameter `field`: `default` when not given, else within 1..=`max`.
pub fn count(field: &str, given: Option<u64>, default: u64, max: u64) -> Result<u64, ApiError> {
    match given {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::invalid(field, format!("{n} is outside 1..{max}"))),
    }
}

/// The names of `T`'s parameters, as the spec lists them.
pub fn names<T: IntoParams>() -> Vec<String> {
    T::into_params(|| Some(ParameterIn::Query)).into_iter().map(|p| p.name).collect()
}

/// The same query string with `cursor` set to `next`, for a `Link` header:
/// parameters sorted by name, each keeping the order of its values.
pub fn with_cursor(path: &str, raw: &str, next: &str) -> String {
    let mut pairs: Vec<(String, String)> = pairs(raw).unwrap_or_default();
    pairs.retain(|(name, _)| name != "cursor");
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs.push(("cursor".into(), next.into()));
    format!("{path}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
}

/// The query string as (name, value) pairs, in order.
pub fn pairs(raw: &str) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(raw).map_err(|e| ApiError::invalid("query", format!("malformed query string: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, IntoParams)]
    #[serde(deny_unknown_fields)]
    struct Example {
        #[serde(default)]
        country: Vec<String>,
        limit: Option<u64>,
    }

    fn field_of(result: Result<Example, ApiError>) -> String {
        match result {
            Err(ApiError::Invalid { field, .. }) => field,
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn repeatable_parameters_collect_every_value_in_order() {
        let q: Example = parse("country=RU&limit=5&country=KP").unwrap();
        assert_eq!(q.country, ["RU", "KP"]);
        assert_eq!(q.limit, Some(5));
    }

    #[test]
    fn an_unknown_name_is_named_and_the_known_ones_listed() {
        match parse::<Example>("colour=red") {
            Err(ApiError::Invalid { field, detail }) => {
                assert_eq!(field, "colour");
                assert!(detail.contains("country, limit"), "{detail}");
            }
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn a_second_value_of_a_single_parameter_and_a_bad_value_name_it() {
        assert_eq!(field_of(parse("limit=5&limit=6")), "limit");
        assert_eq!(field_of(parse("limit=ten")), "limit");
        assert_eq!(field_of(parse("limit=-1")), "limit");
    }

    #[test]
    fn the_link_keeps_every_parameter_but_the_old_cursor() {
        let link = with_cursor("/t", "to=2025&country=RU&cursor=old&country=KP", "new");
        assert_eq!(link, "/t?country=RU&country=KP&to=2025&cursor=new");
    }
}
