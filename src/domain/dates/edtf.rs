//! EDTF (the Library of Congress Extended Date/Time Format, ISO 8601-2) as
//! the interchange form of an `EventDate`.
//!
//! Read: all of level 0 but date-times (an event is dated to the day); all
//! of level 1 but open or unknown interval ends (`2025/..`, `/2025`: a
//! timeline must place an event between two days) and years outside
//! 0001–9999 (`Y170000002`, `-0500`); from level 2, the sub-year groupings
//! 33–36 (quarters) and a one-of set of consecutive days, `[A..B]`, which is
//! how a week, a part of a month or any other run of days is written.
//! Written: the shortest of these forms for the value, so reading what was
//! written gives the same value.

use super::{DateError, EventDate, Named, Period, Qualifier, last_of_month};
use chrono::{Datelike, NaiveDate};

impl EventDate {
    /// Reads an EDTF string.
    pub fn parse_edtf(raw: &str) -> Result<EventDate, DateError> {
        let fail = |why: &str| DateError::new(format!("'{}' is not an EDTF date: {why}", shorten(raw)));
        if raw.is_empty() {
            return Err(fail("it is empty"));
        }
        if let Some(inner) = raw.strip_prefix('[') {
            let Some(inner) = inner.strip_suffix(']') else {
                return Err(fail(if raw.ends_with(['?', '~', '%']) {
                    "a set ([A..B]) cannot carry a qualifier; EDTF has none for it"
                } else {
                    "a set opened with [ must end with ]"
                }));
            };
            if inner.contains(',') {
                return Err(fail("one of several separate dates is not supported; give one run of days, [A..B]"));
            }
            let (a, b) = inner.split_once("..").unwrap_or((inner, inner));
            if a.is_empty() || b.is_empty() {
                return Err(fail("a set needs both its first and its last date, [A..B]"));
            }
            let (first, q1) = element(a).map_err(|why| fail(&why))?;
            let (last, q2) = element(b).map_err(|why| fail(&why))?;
            if q1 != Qualifier::Exact || q2 != Qualifier::Exact {
                return Err(fail("the dates of a set cannot carry a qualifier"));
            }
            let period = Period::new(first.first, last.last).map_err(|e| fail(&e.0))?;
            return Ok(EventDate::point(period, Qualifier::Exact));
        }
        if let Some((a, b)) = raw.split_once('/') {
            if a.is_empty() || b.is_empty() || a == ".." || b == ".." {
                return Err(fail(
                    "an interval needs both ends; open or unknown ends cannot be placed on a timeline, \
                     so give the latest possible end (2025-10/2025-12?)",
                ));
            }
            let (start, q1) = element(a).map_err(|why| fail(&why))?;
            let (end, q2) = element(b).map_err(|why| fail(&why))?;
            if q1 != q2 {
                return Err(fail("an event has one qualifier: give both ends the same one (2025-10~/2025-12~)"));
            }
            return EventDate::span(start, end, q1).map_err(|e| fail(&e.0));
        }
        let (period, qualifier) = element(raw).map_err(|why| fail(&why))?;
        Ok(EventDate::point(period, qualifier))
    }

    /// Whether EDTF can mark this date approximate or uncertain: a set of
    /// days, `[A..B]`, has no place for the mark.
    pub fn can_be_qualified(self) -> bool {
        self.end().is_some() || !period_edtf(self.start()).starts_with('[')
    }

    /// The EDTF form: `2025-10-27`, `2024-06`, `2025-10~`,
    /// `2025-10-01/2025-10-03`, `[2025-10-20..2025-10-26]`.
    pub fn to_edtf(self) -> String {
        let mark = self.qualifier().mark();
        match self.end() {
            Some(end) => format!("{}{mark}/{}{mark}", period_edtf(self.start()), period_edtf(end)),
            None => format!("{}{mark}", period_edtf(self.start())),
        }
    }
}

fn shorten(raw: &str) -> String {
    const MAX: usize = 64;
    if raw.chars().count() <= MAX {
        raw.to_owned()
    } else {
        format!("{}…", raw.chars().take(MAX).collect::<String>())
    }
}

/// A named period in its EDTF form; any other run of days as a set.
fn period_edtf(p: Period) -> String {
    let f = p.first();
    let year = format!("{:04}", f.year());
    match p.named() {
        Some(Named::Day) => f.format("%Y-%m-%d").to_string(),
        Some(Named::Month) => f.format("%Y-%m").to_string(),
        Some(Named::Year) => year,
        Some(Named::Decade) => format!("{}X", &year[..3]),
        Some(Named::Century) => format!("{}XX", &year[..2]),
        Some(Named::Season(n)) => format!("{year}-{}", 20 + n),
        Some(Named::Quarter(n)) => format!("{year}-{}", 32 + n),
        Some(Named::Week | Named::PartOfMonth(_)) | None => {
            format!("[{}..{}]", f.format("%Y-%m-%d"), p.last().format("%Y-%m-%d"))
        }
    }
}

/// One date with its qualifier: `2025`, `2025-10`, `2025-10-27`, `202X`,
/// `20XX`, `2025-XX`, `2025-10-XX`, `2025-21` (a season), `2025-33` (a
/// quarter), each optionally followed by `?`, `~` or `%`.
fn element(raw: &str) -> Result<(Period, Qualifier), String> {
    let (body, qualifier) = match raw.as_bytes().last() {
        Some(b'?') => (&raw[..raw.len() - 1], Qualifier::Uncertain),
        Some(b'~') => (&raw[..raw.len() - 1], Qualifier::Approximate),
        Some(b'%') => (&raw[..raw.len() - 1], Qualifier::UncertainApproximate),
        _ => (raw, Qualifier::Exact),
    };
    if body.ends_with(['?', '~', '%']) {
        return Err("give one qualifier: ? (uncertain), ~ (approximate) or % (both)".into());
    }
    if body.starts_with('Y') || body.starts_with('-') {
        return Err("years outside 0001–9999 are not stored".into());
    }
    let parts: Vec<&str> = body.split('-').collect();
    let digits_or_x = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b == b'X');
    if parts.is_empty() || parts.len() > 3 || !parts.iter().all(|p| digits_or_x(p)) {
        return Err("expected YYYY, YYYY-MM or YYYY-MM-DD".into());
    }
    let year = parts[0];
    if year.len() != 4 {
        return Err("a year has four digits".into());
    }
    let period = match year.find('X') {
        Some(at) => {
            if parts.len() > 1 {
                return Err("a year with unspecified digits (201X) takes no month or day".into());
            }
            if !year[at..].bytes().all(|b| b == b'X') || at < 2 {
                return Err("only a year's last digit (201X, a decade) or last two (20XX, a century) may be X".into());
            }
            let from: i32 = year[..at].parse().map_err(|_| "not a year")?;
            let (first, years) = if at == 3 { (from * 10, 10) } else { (from * 100, 100) };
            if first == 0 {
                return Err("years before 0001 are not stored".into());
            }
            period(ymd(first, 1, 1)?, ymd(first + years - 1, 12, 31)?)?
        }
        None => {
            let y: i32 = year.parse().map_err(|_| "not a year")?;
            month_and_day(y, &parts[1..])?
        }
    };
    Ok((period, qualifier))
}

fn month_and_day(y: i32, rest: &[&str]) -> Result<Period, String> {
    let number = |s: &str, what: &str| -> Result<u32, String> {
        if s.len() != 2 {
            return Err(format!("a {what} has two digits"));
        }
        s.parse().map_err(|_| format!("'{s}' is not a {what}"))
    };
    match rest {
        [] => period(ymd(y, 1, 1)?, ymd(y, 12, 31)?),
        ["XX"] | ["XX", "XX"] => period(ymd(y, 1, 1)?, ymd(y, 12, 31)?),
        ["XX", _] => Err("a day with an unspecified month (2025-XX-27) is not supported".into()),
        [m] | [m, "XX"] => {
            let m = number(m, "month")?;
            match m {
                1..=12 => period(ymd(y, m, 1)?, last_of_month(y, m)),
                21..=24 if rest.len() == 1 => {
                    // Spring is March to May; winter runs into the next year.
                    let start = 3 * (m - 20);
                    let (end_year, end_month) = if start + 2 > 12 { (y + 1, start + 2 - 12) } else { (y, start + 2) };
                    period(ymd(y, start, 1)?, last_of_month(end_year, end_month))
                }
                33..=36 if rest.len() == 1 => {
                    let start = 3 * (m - 33) + 1;
                    period(ymd(y, start, 1)?, last_of_month(y, start + 2))
                }
                _ => Err(format!("'{m:02}' is not a month (01–12), a season (21–24) or a quarter (33–36)")),
            }
        }
        [m, d] => {
            let (m, d) = (number(m, "month")?, number(d, "day")?);
            if !(1..=12).contains(&m) {
                return Err(format!("'{m:02}' is not a month (01–12)"));
            }
            let day =
                NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("{y:04}-{m:02}-{d:02} is not a real day"))?;
            period(day, day)
        }
        _ => Err("expected YYYY, YYYY-MM or YYYY-MM-DD".into()),
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("{y:04}-{m:02}-{d:02} is not a real day"))
}

fn period(first: NaiveDate, last: NaiveDate) -> Result<Period, String> {
    Period::new(first, last).map_err(|e| e.0)
}
