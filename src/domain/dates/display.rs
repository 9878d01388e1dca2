//! The human form of a date, never more precise than the source:
//! "27 October 2025", "the week of 20–26 October 2025", "early October
//! 2025", "June 2024", "about October 2025".

use super::{EventDate, Named, Period, Qualifier};
use chrono::{Datelike, NaiveDate};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl EventDate {
    /// The date in English words.
    pub fn display(self) -> String {
        let text = match self.end() {
            None => period_text(self.start()),
            Some(end) => span_text(self.start(), end),
        };
        match self.qualifier() {
            Qualifier::Exact => text,
            Qualifier::Approximate => format!("about {text}"),
            Qualifier::Uncertain => format!("{text} (uncertain)"),
            Qualifier::UncertainApproximate => format!("about {text} (uncertain)"),
        }
    }
}

fn month(d: NaiveDate) -> &'static str {
    MONTHS[d.month0() as usize]
}

fn day_text(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), month(d), d.year())
}

fn month_text(d: NaiveDate) -> String {
    format!("{} {}", month(d), d.year())
}

/// A run of days in as few words as it takes: `days_text` writes "20–26
/// October 2025", "27 October – 2 November 2025", "29 December 2025 – 4
/// January 2026"; `between_text` "3 and 5 October 2025".
fn run_text(first: NaiveDate, last: NaiveDate, within_month: &str, across: &str) -> String {
    if (first.year(), first.month()) == (last.year(), last.month()) {
        format!("{}{within_month}{} {}", first.day(), last.day(), month_text(last))
    } else if first.year() == last.year() {
        format!("{} {}{across}{}", first.day(), month(first), day_text(last))
    } else {
        format!("{}{across}{}", day_text(first), day_text(last))
    }
}

fn days_text(first: NaiveDate, last: NaiveDate) -> String {
    run_text(first, last, "–", " – ")
}

fn between_text(first: NaiveDate, last: NaiveDate) -> String {
    run_text(first, last, " and ", " and ")
}

fn period_text(p: Period) -> String {
    let (f, l) = (p.first(), p.last());
    match p.named() {
        Some(Named::Day) => day_text(f),
        Some(Named::Week) => format!("the week of {}", days_text(f, l)),
        Some(Named::PartOfMonth(1)) => format!("early {}", month_text(f)),
        Some(Named::PartOfMonth(2)) => format!("mid-{}", month_text(f)),
        Some(Named::PartOfMonth(_)) => format!("late {}", month_text(f)),
        Some(Named::Month) => month_text(f),
        Some(Named::Season(4)) => format!("winter {}–{:02}", f.year(), l.year() % 100),
        Some(Named::Season(n)) => format!("{} {}", ["spring", "summer", "autumn"][n as usize - 1], f.year()),
        Some(Named::Quarter(n)) => format!("Q{n} {}", f.year()),
        Some(Named::Year) => f.year().to_string(),
        Some(Named::Decade) => format!("the {}s", f.year()),
        Some(Named::Century) => format!("{}–{}", f.year(), l.year()),
        None => format!("one day between {}", between_text(f, l)),
    }
}

/// A span from some time in `start` to some time in `end`.
fn span_text(start: Period, end: Period) -> String {
    match (start.named(), end.named()) {
        (Some(Named::Day), Some(Named::Day)) => days_text(start.first(), end.last()),
        (Some(Named::Month), Some(Named::Month)) if start.first().year() == end.first().year() => {
            format!("{} – {}", month(start.first()), month_text(end.first()))
        }
        (Some(Named::Year), Some(Named::Year)) => format!("{}–{}", start.first().year(), end.first().year()),
        _ => format!("{} – {}", period_text(start), period_text(end)),
    }
}
