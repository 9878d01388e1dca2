//! The first API's date fields, `start`, `end` and `date_precision` (day,
//! month or year), which existing clients and NDJSON files still use: read
//! into an `EventDate`, and an `EventDate` shown in them as far as they can
//! say it. They never show a finer date than is known: a date they cannot
//! express is shown as the smallest month or year that holds it.

use super::{DateError, EventDate, Period, Qualifier, YEARS, last_of_month};
use chrono::{Datelike, NaiveDate};

/// The precisions of the first API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LegacyPrecision {
    Year,
    Month,
    Day,
}

impl LegacyPrecision {
    pub fn as_str(self) -> &'static str {
        match self {
            LegacyPrecision::Day => "day",
            LegacyPrecision::Month => "month",
            LegacyPrecision::Year => "year",
        }
    }

    pub fn parse(s: &str) -> Option<LegacyPrecision> {
        match s {
            "day" => Some(LegacyPrecision::Day),
            "month" => Some(LegacyPrecision::Month),
            "year" => Some(LegacyPrecision::Year),
            _ => None,
        }
    }

    /// The day, month or year that holds `date`.
    pub fn period(self, date: NaiveDate) -> Period {
        let (first, last) = match self {
            LegacyPrecision::Day => (date, date),
            LegacyPrecision::Month => (date.with_day(1).unwrap_or(date), last_of_month(date.year(), date.month())),
            LegacyPrecision::Year => {
                (date.with_ordinal(1).unwrap_or(date), NaiveDate::from_ymd_opt(date.year(), 12, 31).unwrap_or(date))
            }
        };
        // `date` already has a year in range, and so has its period.
        Period::new(first, last).unwrap_or(Period { first: date, last: date })
    }
}

/// A date of the form `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: the first day of
/// the period it names, and the precision its form gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartialDate {
    pub first_day: NaiveDate,
    pub form: LegacyPrecision,
}

impl PartialDate {
    pub fn parse(raw: &str) -> Result<PartialDate, DateError> {
        let bad = || DateError(format!("'{raw}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"));
        let parts: Vec<&str> = raw.split('-').collect();
        let widths_ok = matches!(parts.as_slice(), [y] | [y, _] | [y, _, _] if y.len() == 4)
            && parts.iter().skip(1).all(|p| p.len() == 2)
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if !widths_ok {
            return Err(bad());
        }
        let numbers: Vec<u32> = parts.iter().map(|p| p.parse().map_err(|_| bad())).collect::<Result<_, _>>()?;
        let (year, month, day, form) = match numbers.as_slice() {
            [y] => (*y, 1, 1, LegacyPrecision::Year),
            [y, m] => (*y, *m, 1, LegacyPrecision::Month),
            [y, m, d] => (*y, *m, *d, LegacyPrecision::Day),
            _ => return Err(bad()),
        };
        if !YEARS.contains(&(year as i32)) {
            return Err(DateError(format!("'{raw}': the year is outside 0001–9999")));
        }
        NaiveDate::from_ymd_opt(year as i32, month, day)
            .map(|first_day| PartialDate { first_day, form })
            .ok_or_else(|| DateError(format!("'{raw}' is not a real date")))
    }

    /// The last day of the period the date names (`2025` ends on 31 December).
    pub fn last_day(self) -> NaiveDate {
        self.form.period(self.first_day).last()
    }

    /// The date read at `precision`. A date written more finely than the
    /// precision is accepted only as the first day of its period
    /// (`2025-10-01` for a month): we never pretend to know a day that the
    /// source does not give.
    pub fn at_precision(self, raw: &str, precision: LegacyPrecision) -> Result<Period, DateError> {
        if self.form < precision {
            return Err(DateError(format!(
                "'{raw}' gives less than the declared date_precision '{}'",
                precision.as_str()
            )));
        }
        let period = precision.period(self.first_day);
        if period.first() != self.first_day {
            let p = precision.as_str();
            return Err(DateError(format!(
                "'{raw}' names a day inside the {p}; with date_precision '{p}' give the period's first day or its short form"
            )));
        }
        Ok(period)
    }
}

/// An event's date in the first API's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Legacy {
    /// The first day of the period the event is in, or starts in.
    pub start: NaiveDate,
    /// The first day of the period it ends in, when it lasted into another.
    pub end: Option<NaiveDate>,
    pub precision: LegacyPrecision,
}

impl EventDate {
    /// `start`, `end` and `date_precision` as the first API gave them:
    /// `start` alone is one time within that day, month or year; with `end`,
    /// the event lasted from one period into the other.
    pub fn from_legacy(start: Period, end: Option<Period>, qualifier: Qualifier) -> Result<EventDate, DateError> {
        match end {
            Some(end) if end != start => EventDate::span(start, end, qualifier),
            _ => Ok(EventDate::point(start, qualifier)),
        }
    }

    /// The date in the first API's fields, as finely as they can say it.
    pub fn legacy(self) -> Legacy {
        let holding = |p: Period| {
            [LegacyPrecision::Day, LegacyPrecision::Month, LegacyPrecision::Year]
                .into_iter()
                .find(|lp| lp.period(p.first()).last() >= p.last())
        };
        match self.end() {
            None => {
                let p = self.start();
                match holding(p) {
                    Some(lp) => Legacy { start: lp.period(p.first()).first(), end: None, precision: lp },
                    // A run of days across a new year: the years it touches.
                    None => legacy_span(LegacyPrecision::Year, p.first(), p.last()),
                }
            }
            Some(end) => {
                // The coarser of what holds each end; a year when nothing does.
                let lp = match (holding(self.start()), holding(end)) {
                    (Some(a), Some(b)) => a.min(b),
                    _ => LegacyPrecision::Year,
                };
                legacy_span(lp, self.start().first(), end.last())
            }
        }
    }
}

/// The first API's span at `precision` from the period holding `first` to
/// the one holding `last`; one period is shown without an end.
fn legacy_span(precision: LegacyPrecision, first: NaiveDate, last: NaiveDate) -> Legacy {
    let start = precision.period(first).first();
    let end = precision.period(last).first();
    Legacy { start, end: (end != start).then_some(end), precision }
}
