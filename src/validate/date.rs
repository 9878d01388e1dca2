//! An event's date as a request gives it: EDTF `date`, or `earliest` and
//! `latest`, or the first API's `start` / `end` / `date_precision`. Any of
//! them given beside the one that decides must agree with it.

use crate::domain::dates::{DateError, EventDate, Legacy, LegacyPrecision, PartialDate, Period, Qualifier};
use crate::error::ApiError;
use crate::models::EventInput;
use chrono::NaiveDate;

pub(super) fn event_date(input: &EventInput) -> Result<EventDate, ApiError> {
    let given_qualifier = input.qualifier;
    let from_edtf = input
        .date
        .as_deref()
        .map(|raw| EventDate::parse_edtf(raw).map_err(|e| ApiError::invalid("date", e.0)))
        .transpose()?;
    let from_bounds = bounds(input)?;
    let from_legacy = legacy(input)?;

    let date = match (from_edtf, from_bounds, from_legacy) {
        (Some(date), _, _) => {
            if let Some(q) = given_qualifier
                && q != date.qualifier()
            {
                return Err(ApiError::invalid(
                    "qualifier",
                    format!(
                        "'{}' contradicts the date '{}', whose qualifier is '{}'",
                        q.as_str(),
                        date.to_edtf(),
                        date.qualifier().as_str()
                    ),
                ));
            }
            date
        }
        (None, Some(date), _) | (None, None, Some(date)) => qualified(date, given_qualifier)?,
        (None, None, None) => {
            return Err(ApiError::invalid("date", "is required: give date (EDTF), earliest and latest, or start"));
        }
    };

    if let Some(bounds) = from_bounds {
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        for (field, given, actual) in [
            ("earliest", day(bounds.earliest()), day(date.earliest())),
            ("latest", day(bounds.latest()), day(date.latest())),
            ("lasted", bounds.lasted().to_string(), date.lasted().to_string()),
        ] {
            if given != actual {
                return Err(contradiction(field, &given, date, &actual));
            }
        }
    }
    if let Some(legacy) = from_legacy {
        let (given, actual) = (legacy.legacy(), date.legacy());
        if given != actual {
            let field = if given.start != actual.start {
                "start"
            } else if given.end != actual.end {
                "end"
            } else {
                "date_precision"
            };
            return Err(contradiction(field, &legacy_text(given), date, &legacy_text(actual)));
        }
    } else if let Some(raw) = input.date_precision.as_deref() {
        let precision = legacy_precision(raw)?;
        if precision != date.legacy().precision {
            return Err(contradiction("date_precision", raw, date, date.legacy().precision.as_str()));
        }
    }
    if let Some(precision) = input.precision
        && precision != date.precision()
    {
        return Err(contradiction("precision", precision.as_str(), date, date.precision().as_str()));
    }
    Ok(date)
}

fn contradiction(field: &str, given: &str, date: EventDate, actual: &str) -> ApiError {
    ApiError::invalid(field, format!("'{given}' contradicts the date '{}', which gives '{actual}'", date.to_edtf()))
}

fn legacy_text(l: Legacy) -> String {
    match l.end {
        Some(end) => format!("{} to {} by {}", l.start, end, l.precision.as_str()),
        None => format!("{} by {}", l.start, l.precision.as_str()),
    }
}

/// The qualifier given beside a date that has no mark of its own. A set
/// of days has no place for one in EDTF, so it cannot take one.
fn qualified(date: EventDate, qualifier: Option<Qualifier>) -> Result<EventDate, ApiError> {
    let Some(q) = qualifier else { return Ok(date) };
    if q != Qualifier::Exact && !date.can_be_qualified() {
        return Err(ApiError::invalid(
            "qualifier",
            format!("the date {} is a set of days, which EDTF cannot qualify", date.to_edtf()),
        ));
    }
    Ok(date.with_qualifier(q))
}

/// `earliest` and `latest`, days both, and `lasted`.
fn bounds(input: &EventInput) -> Result<Option<EventDate>, ApiError> {
    let (earliest, latest) = match (input.earliest.as_deref(), input.latest.as_deref()) {
        (None, None) => {
            if input.lasted.is_some() && input.date.is_none() {
                return Err(ApiError::invalid("lasted", "goes with earliest and latest"));
            }
            return Ok(None);
        }
        (Some(_), None) => return Err(ApiError::invalid("latest", "is required with earliest")),
        (None, Some(_)) => return Err(ApiError::invalid("earliest", "is required with latest")),
        (Some(e), Some(l)) => (day("earliest", e)?, day("latest", l)?),
    };
    if latest < earliest {
        return Err(ApiError::invalid("latest", format!("{latest} is before earliest {earliest}")));
    }
    let invalid = |field: &str, e: DateError| ApiError::invalid(field, e.0);
    let date = if input.lasted == Some(true) {
        let (a, b) = (Period::day(earliest), Period::day(latest));
        EventDate::span(a.map_err(|e| invalid("earliest", e))?, b.map_err(|e| invalid("latest", e))?, Qualifier::Exact)
    } else {
        Period::new(earliest, latest).map(|p| EventDate::point(p, Qualifier::Exact))
    };
    date.map(Some).map_err(|e| invalid("latest", e))
}

fn day(field: &str, raw: &str) -> Result<NaiveDate, ApiError> {
    let date = PartialDate::parse(raw).map_err(|e| ApiError::invalid(field, e.0))?;
    if date.form != LegacyPrecision::Day {
        return Err(ApiError::invalid(field, format!("'{raw}' is not a day, YYYY-MM-DD")));
    }
    Ok(date.first_day)
}

/// The first API's `start`, `end` and `date_precision`.
fn legacy(input: &EventInput) -> Result<Option<EventDate>, ApiError> {
    let Some(raw_start) = input.start.as_deref() else {
        if input.end.is_some() {
            return Err(ApiError::invalid("end", "goes with start"));
        }
        return Ok(None);
    };
    let start_date = partial_date("start", raw_start)?;
    let precision = match input.date_precision.as_deref() {
        Some(raw) => legacy_precision(raw)?,
        None => start_date.form,
    };
    let start = start_date.at_precision(raw_start, precision).map_err(|e| ApiError::invalid("start", e.0))?;
    let end = match input.end.as_deref() {
        None => None,
        Some(raw) => {
            let end =
                partial_date("end", raw)?.at_precision(raw, precision).map_err(|e| ApiError::invalid("end", e.0))?;
            if end.first() < start.first() {
                return Err(ApiError::invalid("end", format!("{raw} is before start {raw_start}")));
            }
            Some(end)
        }
    };
    EventDate::from_legacy(start, end, Qualifier::Exact).map(Some).map_err(|e| ApiError::invalid("end", e.0))
}

fn legacy_precision(raw: &str) -> Result<LegacyPrecision, ApiError> {
    LegacyPrecision::parse(raw).ok_or_else(|| {
        ApiError::invalid(
            "date_precision",
            format!("'{raw}' is not one of day, month, year (the first API's); give finer or coarser dates as date"),
        )
    })
}

/// A `YYYY`, `YYYY-MM` or `YYYY-MM-DD` date, or a 400 naming `field`.
pub fn partial_date(field: &str, raw: &str) -> Result<PartialDate, ApiError> {
    PartialDate::parse(raw).map_err(|e| ApiError::invalid(field, e.0))
}
