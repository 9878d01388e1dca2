//! When an event happened, as honestly as its source says it: the earliest
//! and latest day it could have happened, whether it lasted from one to the
//! other or happened at one unknown time between them, how finely that is
//! known (`Precision`) and how sure the source is (`Qualifier`).
//!
//! EDTF (`edtf.rs`) is the interchange form, `display.rs` the human one, and
//! `legacy.rs` the `start` / `end` / `date_precision` fields that clients of
//! the first API still read and write.

mod display;
mod edtf;
mod legacy;

pub use legacy::{Legacy, LegacyPrecision, PartialDate};

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The years a date may name. Dates are stored and compared as
/// `YYYY-MM-DD` text on SQLite, which orders correctly only with four-digit
/// years.
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// Why a date was refused, in words for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError(pub String);

impl DateError {
    pub fn new(text: impl Into<String>) -> DateError {
        DateError(text.into())
    }
}

/// How finely a period is known, finest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Day,
    /// Within seven days, such as "last week".
    Week,
    /// Days 1–10 of a month ("в начале октября").
    EarlyMonth,
    /// Days 11–20 of a month.
    MidMonth,
    /// Day 21 to the end of a month.
    LateMonth,
    Month,
    /// Spring (March–May), summer (June–August), autumn (September–November),
    /// winter (December–February).
    Season,
    Quarter,
    Year,
    Decade,
    Century,
}

impl Precision {
    pub const ALL: [Precision; 11] = [
        Precision::Day,
        Precision::Week,
        Precision::EarlyMonth,
        Precision::MidMonth,
        Precision::LateMonth,
        Precision::Month,
        Precision::Season,
        Precision::Quarter,
        Precision::Year,
        Precision::Decade,
        Precision::Century,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Week => "week",
            Precision::EarlyMonth => "early_month",
            Precision::MidMonth => "mid_month",
            Precision::LateMonth => "late_month",
            Precision::Month => "month",
            Precision::Season => "season",
            Precision::Quarter => "quarter",
            Precision::Year => "year",
            Precision::Decade => "decade",
            Precision::Century => "century",
        }
    }

    pub fn parse(raw: &str) -> Option<Precision> {
        Precision::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    /// Coarseness: the three parts of a month are equally coarse, and so are
    /// a season and a quarter.
    pub fn rank(self) -> u8 {
        match self {
            Precision::Day => 0,
            Precision::Week => 1,
            Precision::EarlyMonth | Precision::MidMonth | Precision::LateMonth => 2,
            Precision::Month => 3,
            Precision::Season | Precision::Quarter => 4,
            Precision::Year => 5,
            Precision::Decade => 6,
            Precision::Century => 7,
        }
    }

    /// The precisions at least as fine as this one: what `precision=` keeps.
    pub fn at_least(self) -> Vec<Precision> {
        Precision::ALL.into_iter().filter(|p| p.rank() <= self.rank()).collect()
    }
}

/// How sure the source is of the date (EDTF's `?`, `~` and `%`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    #[default]
    Exact,
    /// "about", "around" (`~`).
    Approximate,
    /// The source is not sure (`?`).
    Uncertain,
    /// Both (`%`).
    UncertainApproximate,
}

impl Qualifier {
    pub const ALL: [Qualifier; 4] =
        [Qualifier::Exact, Qualifier::Approximate, Qualifier::Uncertain, Qualifier::UncertainApproximate];

    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::Exact => "exact",
            Qualifier::Approximate => "approximate",
            Qualifier::Uncertain => "uncertain",
            Qualifier::UncertainApproximate => "uncertain_approximate",
        }
    }

    pub fn parse(raw: &str) -> Option<Qualifier> {
        Qualifier::ALL.into_iter().find(|q| q.as_str() == raw)
    }

    /// The EDTF mark.
    pub fn mark(self) -> &'static str {
        match self {
            Qualifier::Exact => "",
            Qualifier::Approximate => "~",
            Qualifier::Uncertain => "?",
            Qualifier::UncertainApproximate => "%",
        }
    }
}

/// A run of days, from `first` to `last`; what kind of period it is (its
/// precision) follows from where it starts and ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    first: NaiveDate,
    last: NaiveDate,
}

/// What a period is, when it is one that has a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Named {
    Day,
    Month,
    Year,
    Decade,
    Century,
    /// 1–4: spring, summer, autumn, winter (EDTF 21–24).
    Season(u32),
    /// 1–4 (EDTF 33–36).
    Quarter(u32),
    /// Monday to Sunday.
    Week,
    /// 1–3: early, mid, late.
    PartOfMonth(u32),
}

impl Period {
    pub fn new(first: NaiveDate, last: NaiveDate) -> Result<Period, DateError> {
        for day in [first, last] {
            if !YEARS.contains(&day.year()) {
                return Err(DateError::new(format!("the year {} is outside 0001–9999", day.year())));
            }
        }
        if last < first {
            return Err(DateError::new(format!("the period ends ({last}) before it starts ({first})")));
        }
        Ok(Period { first, last })
    }

    pub fn day(day: NaiveDate) -> Result<Period, DateError> {
        Period::new(day, day)
    }

    pub fn first(self) -> NaiveDate {
        self.first
    }

    pub fn last(self) -> NaiveDate {
        self.last
    }

    pub(crate) fn named(self) -> Option<Named> {
        let (f, l) = (self.first, self.last);
        let month_end = |d: NaiveDate| last_of_month(d.year(), d.month());
        if f == l {
            return Some(Named::Day);
        }
        let whole_months = f.day() == 1 && l == month_end(l);
        let months = (l.year() - f.year()) * 12 + l.month() as i32 - f.month() as i32 + 1;
        if whole_months && months == 1 {
            return Some(Named::Month);
        }
        if whole_months && f.month() == 1 && l.month() == 12 {
            let years = l.year() - f.year() + 1;
            return match years {
                1 => Some(Named::Year),
                10 if f.year() % 10 == 0 => Some(Named::Decade),
                100 if f.year() % 100 == 0 => Some(Named::Century),
                _ => None,
            };
        }
        if whole_months && months == 3 {
            if f.month() % 3 == 1 {
                return Some(Named::Quarter(f.month().div_ceil(3)));
            }
            if f.month() % 3 == 0 {
                // March, June, September, December.
                return Some(Named::Season(f.month() / 3));
            }
        }
        if (l - f).num_days() == 6 && f.weekday() == Weekday::Mon {
            return Some(Named::Week);
        }
        if f.year() == l.year() && f.month() == l.month() {
            match (f.day(), l.day()) {
                (1, 10) => return Some(Named::PartOfMonth(1)),
                (11, 20) => return Some(Named::PartOfMonth(2)),
                (21, _) if l == month_end(l) => return Some(Named::PartOfMonth(3)),
                _ => {}
            }
        }
        None
    }

    /// How finely the period is known: its name's precision, or for a run
    /// of days with no name, the finest precision as long as it.
    pub fn precision(self) -> Precision {
        match self.named() {
            Some(Named::Day) => Precision::Day,
            Some(Named::Week) => Precision::Week,
            Some(Named::PartOfMonth(1)) => Precision::EarlyMonth,
            Some(Named::PartOfMonth(2)) => Precision::MidMonth,
            Some(Named::PartOfMonth(_)) => Precision::LateMonth,
            Some(Named::Month) => Precision::Month,
            Some(Named::Season(_)) => Precision::Season,
            Some(Named::Quarter(_)) => Precision::Quarter,
            Some(Named::Year) => Precision::Year,
            Some(Named::Decade) => Precision::Decade,
            Some(Named::Century) => Precision::Century,
            None => match (self.last - self.first).num_days() + 1 {
                ..=7 => Precision::Week,
                8..=31 => Precision::Month,
                32..=92 => Precision::Quarter,
                93..=366 => Precision::Year,
                367..=3653 => Precision::Decade,
                _ => Precision::Century,
            },
        }
    }
}

/// When an event happened: at one unknown time within `start` (`end` is
/// `None`), or lasting from some time in `start` to some time in `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventDate {
    start: Period,
    end: Option<Period>,
    qualifier: Qualifier,
}

impl EventDate {
    pub fn point(period: Period, qualifier: Qualifier) -> EventDate {
        EventDate { start: period, end: None, qualifier }
    }

    /// Lasted from some time in `start` to some time in `end`. A span of
    /// one day is that day.
    pub fn span(start: Period, end: Period, qualifier: Qualifier) -> Result<EventDate, DateError> {
        if end.first < start.first || end.last < start.last {
            return Err(DateError::new(format!("the interval ends ({}) before it starts ({})", end.last, start.first)));
        }
        if start == end && start.first == start.last {
            return Ok(EventDate::point(start, qualifier));
        }
        Ok(EventDate { start, end: Some(end), qualifier })
    }

    /// The earliest day the event could have happened or begun.
    pub fn earliest(self) -> NaiveDate {
        self.start.first
    }

    /// The latest day the event could have happened or ended.
    pub fn latest(self) -> NaiveDate {
        self.end.unwrap_or(self.start).last
    }

    /// Whether it went on from `start` to `end`, rather than happening at
    /// one time within `start`.
    pub fn lasted(self) -> bool {
        self.end.is_some()
    }

    pub fn start(self) -> Period {
        self.start
    }

    pub fn end(self) -> Option<Period> {
        self.end
    }

    pub fn qualifier(self) -> Qualifier {
        self.qualifier
    }

    /// The coarser precision of its ends.
    pub fn precision(self) -> Precision {
        let start = self.start.precision();
        match self.end.map(Period::precision) {
            Some(end) if end.rank() > start.rank() => end,
            _ => start,
        }
    }

    /// How many days after its earliest day it may still be going on.
    pub fn span_days(self) -> i32 {
        (self.latest() - self.earliest()).num_days().clamp(0, i32::MAX as i64) as i32
    }

    pub fn with_qualifier(self, qualifier: Qualifier) -> EventDate {
        EventDate { qualifier, ..self }
    }
}

pub(crate) fn last_of_month(year: i32, month: u32) -> NaiveDate {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).map_or(NaiveDate::MAX, |d| d - Duration::days(1))
}

#[cfg(test)]
mod tests;
