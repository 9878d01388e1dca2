//! How the derived columns are computed. They live beside the entities
//! because both writers of the schema (the service's write path and the seed
//! migration) must compute them identically.

use chrono::{Datelike, NaiveDate};

/// How much of a date the source gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    Day,
    Month,
    Year,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Month => "month",
            Precision::Year => "year",
        }
    }

    pub fn parse(s: &str) -> Option<Precision> {
        match s {
            "day" => Some(Precision::Day),
            "month" => Some(Precision::Month),
            "year" => Some(Precision::Year),
            _ => None,
        }
    }

    /// The last day of the period that starts on `first` (the first day of a
    /// day, month or year).
    pub fn period_end(self, first: NaiveDate) -> NaiveDate {
        match self {
            Precision::Day => first,
            Precision::Month => {
                let (y, m) =
                    if first.month() == 12 { (first.year() + 1, 1) } else { (first.year(), first.month() + 1) };
                NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or(first)
            }
            Precision::Year => NaiveDate::from_ymd_opt(first.year(), 12, 31).unwrap_or(first),
        }
    }
}

/// The last day an event may cover: the end of its `end` period, or of its
/// `start` period when it has no end.
pub fn last_day(start: NaiveDate, end: Option<NaiveDate>, precision: Precision) -> NaiveDate {
    precision.period_end(end.unwrap_or(start))
}

/// The unique matching key of a participant: a country is its code; a person
/// or organization is kind + country + name folded for case and spacing, so
/// "Kim  Jong Un" and "kim jong un" of KP are one person.
pub fn participant_identity(kind: &str, name: &str, country: Option<&str>) -> String {
    let country = country.unwrap_or("");
    if kind == "country" {
        return format!("country:{country}");
    }
    let folded: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
    format!("{kind}:{country}:{}", folded.join(" "))
}

/// How many days after its start an event may still be going on.
pub fn span_days(start: NaiveDate, last_day: NaiveDate) -> i32 {
    (last_day - start).num_days().clamp(0, i32::MAX as i64) as i32
}
