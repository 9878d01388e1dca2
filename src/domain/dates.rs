//! Dates as sources give them: a year, a month or a day, and the rules that
//! turn such a date into the days an event may cover.

use chrono::{Datelike, NaiveDate};

/// How much of a date the source gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    Year,
    Month,
    Day,
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

    /// The first day of the period (day, month or year) that holds `date`.
    pub fn period_start(self, date: NaiveDate) -> NaiveDate {
        match self {
            Precision::Day => date,
            Precision::Month => date.with_day0(0).unwrap_or(date),
            Precision::Year => date.with_ordinal0(0).unwrap_or(date),
        }
    }

    /// The last day of the period (day, month or year) that holds `date`.
    pub fn period_end(self, date: NaiveDate) -> NaiveDate {
        match self {
            Precision::Day => date,
            Precision::Month => {
                let (y, m) = if date.month() == 12 { (date.year() + 1, 1) } else { (date.year(), date.month() + 1) };
                NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or(date)
            }
            Precision::Year => NaiveDate::from_ymd_opt(date.year(), 12, 31).unwrap_or(date),
        }
    }
}

/// A date of the form `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: the first day of
/// the period it names, and the precision its form gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartialDate {
    pub first_day: NaiveDate,
    pub form: Precision,
}

/// Why a partial date was refused, in words for the person who wrote it.
#[derive(Debug, PartialEq, Eq)]
pub struct DateError(pub String);

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
            [y] => (*y, 1, 1, Precision::Year),
            [y, m] => (*y, *m, 1, Precision::Month),
            [y, m, d] => (*y, *m, *d, Precision::Day),
            _ => return Err(bad()),
        };
        if year == 0 {
            return Err(DateError(format!("'{raw}': year 0000 does not exist")));
        }
        NaiveDate::from_ymd_opt(year as i32, month, day)
            .map(|first_day| PartialDate { first_day, form })
            .ok_or_else(|| DateError(format!("'{raw}' is not a real date")))
    }

    /// The last day of the period the date names (`2025` ends on 31 December).
    pub fn last_day(self) -> NaiveDate {
        self.form.period_end(self.first_day)
    }

    /// The date read at `precision`. A date written more finely than the
    /// precision is accepted only as the first day of its period
    /// (`2025-10-01` for a month): we never pretend to know a day that the
    /// source does not give.
    pub fn at_precision(self, raw: &str, precision: Precision) -> Result<NaiveDate, DateError> {
        if self.form < precision {
            return Err(DateError(format!(
                "'{raw}' gives less than the declared date_precision '{}'",
                precision.as_str()
            )));
        }
        if precision.period_start(self.first_day) != self.first_day {
            let p = precision.as_str();
            return Err(DateError(format!(
                "'{raw}' names a day inside the {p}; with date_precision '{p}' give the period's first day or its short form"
            )));
        }
        Ok(self.first_day)
    }
}

/// The last day an event may cover: the end of its `end` period, or of its
/// `start` period when it has no end.
pub fn last_day(start: NaiveDate, end: Option<NaiveDate>, precision: Precision) -> NaiveDate {
    precision.period_end(end.unwrap_or(start))
}

/// How many days after its start an event may still be going on.
pub fn span_days(start: NaiveDate, last_day: NaiveDate) -> i32 {
    (last_day - start).num_days().clamp(0, i32::MAX as i64) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn each_form_names_the_first_day_of_its_period() {
        assert_eq!(
            PartialDate::parse("2024").unwrap(),
            PartialDate { first_day: day(2024, 1, 1), form: Precision::Year }
        );
        assert_eq!(
            PartialDate::parse("2024-06").unwrap(),
            PartialDate { first_day: day(2024, 6, 1), form: Precision::Month }
        );
        assert_eq!(
            PartialDate::parse("2024-06-19").unwrap(),
            PartialDate { first_day: day(2024, 6, 19), form: Precision::Day }
        );
    }

    #[test]
    fn malformed_and_unreal_dates_are_refused() {
        for raw in
            ["", "24", "2024-6", "2024-06-1", "2024/06", "2024-06-19T00", "+2024", "0000", "2025-02-30", "2025-13"]
        {
            assert!(PartialDate::parse(raw).is_err(), "{raw} was accepted");
        }
    }

    #[test]
    fn a_period_ends_on_its_last_day_in_leap_years_and_december() {
        assert_eq!(PartialDate::parse("2024-02").unwrap().last_day(), day(2024, 2, 29));
        assert_eq!(PartialDate::parse("2025-02").unwrap().last_day(), day(2025, 2, 28));
        assert_eq!(PartialDate::parse("2025-12").unwrap().last_day(), day(2025, 12, 31));
        assert_eq!(PartialDate::parse("2025").unwrap().last_day(), day(2025, 12, 31));
        assert_eq!(PartialDate::parse("2025-10-27").unwrap().last_day(), day(2025, 10, 27));
    }

    #[test]
    fn a_day_inside_a_coarser_period_is_refused_but_its_first_day_is_not() {
        let first = PartialDate::parse("2024-06-01").unwrap();
        assert_eq!(first.at_precision("2024-06-01", Precision::Month), Ok(day(2024, 6, 1)));
        let inside = PartialDate::parse("2024-06-19").unwrap();
        assert!(inside.at_precision("2024-06-19", Precision::Month).is_err());
        let month = PartialDate::parse("2024-06").unwrap();
        assert!(month.at_precision("2024-06", Precision::Day).is_err(), "a month cannot claim a day");
    }

    #[test]
    fn last_day_and_span_cover_the_end_period() {
        let start = day(2024, 6, 1);
        assert_eq!(last_day(start, None, Precision::Month), day(2024, 6, 30));
        assert_eq!(last_day(start, Some(day(2024, 8, 1)), Precision::Month), day(2024, 8, 31));
        assert_eq!(span_days(start, day(2024, 6, 30)), 29);
        assert_eq!(span_days(start, start), 0);
    }
}
