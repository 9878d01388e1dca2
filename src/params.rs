//! Query-string parsing with errors that name the parameter. Repeated keys
//! (`country=RU&country=KP`) are supported, unknown keys are rejected so a
//! typo never silently widens a result.

use crate::error::ApiError;
use std::collections::HashMap;

pub struct Params {
    values: HashMap<String, Vec<String>>,
}

impl Params {
    /// Parses `query` accepting only the `known` names.
    pub fn parse(query: &str, known: &[&str]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| ApiError::invalid("query", format!("malformed query string: {e}")))?;
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (name, value) in pairs {
            if !known.contains(&name.as_str()) {
                return Err(ApiError::invalid(
                    name.clone(),
                    format!("unknown query parameter '{name}'; known: {}", known.join(", ")),
                ));
            }
            values.entry(name).or_default().push(value);
        }
        Ok(Params { values })
    }

    /// Every value of a repeatable parameter.
    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The value of a parameter that may appear once.
    pub fn one(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.all(name) {
            [] => Ok(None),
            [one] => Ok(Some(one.as_str())),
            _ => Err(ApiError::invalid(name, "may be given only once")),
        }
    }

    pub fn integer(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.one(name)?
            .map(|raw| raw.parse::<i64>().map_err(|_| ApiError::invalid(name, format!("'{raw}' is not an integer"))))
            .transpose()
    }

    /// `limit`, bounded to 1..=max.
    pub fn limit(&self, default: u64, max: u64) -> Result<u64, ApiError> {
        match self.integer("limit")? {
            None => Ok(default),
            Some(n) if (1..=max as i64).contains(&n) => Ok(n as u64),
            Some(n) => Err(ApiError::invalid("limit", format!("{n} is outside 1..{max}"))),
        }
    }

    /// The query string with `cursor` set to `next`, for the `Link` header.
    pub fn with_cursor(&self, path: &str, next: &str) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let mut names: Vec<&String> = self.values.keys().filter(|k| k.as_str() != "cursor").collect();
        names.sort();
        for name in names {
            for value in &self.values[name] {
                pairs.push((name, value));
            }
        }
        pairs.push(("cursor", next));
        format!("{path}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    }
}
