use super::*;
use proptest::prelude::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn read(raw: &str) -> EventDate {
    EventDate::parse_edtf(raw).unwrap_or_else(|e| panic!("{raw}: {}", e.0))
}

#[test]
fn each_precision_has_its_edtf_form_and_its_words() {
    let cases = [
        ("2025-10-27", Precision::Day, "27 October 2025", day(2025, 10, 27), day(2025, 10, 27)),
        (
            "[2025-10-20..2025-10-26]",
            Precision::Week,
            "the week of 20–26 October 2025",
            day(2025, 10, 20),
            day(2025, 10, 26),
        ),
        ("[2025-10-01..2025-10-10]", Precision::EarlyMonth, "early October 2025", day(2025, 10, 1), day(2025, 10, 10)),
        ("[2025-10-11..2025-10-20]", Precision::MidMonth, "mid-October 2025", day(2025, 10, 11), day(2025, 10, 20)),
        ("[2025-02-21..2025-02-28]", Precision::LateMonth, "late February 2025", day(2025, 2, 21), day(2025, 2, 28)),
        ("2024-06", Precision::Month, "June 2024", day(2024, 6, 1), day(2024, 6, 30)),
        ("2025-21", Precision::Season, "spring 2025", day(2025, 3, 1), day(2025, 5, 31)),
        ("2025-24", Precision::Season, "winter 2025–26", day(2025, 12, 1), day(2026, 2, 28)),
        ("2025-33", Precision::Quarter, "Q1 2025", day(2025, 1, 1), day(2025, 3, 31)),
        ("2024", Precision::Year, "2024", day(2024, 1, 1), day(2024, 12, 31)),
        ("201X", Precision::Decade, "the 2010s", day(2010, 1, 1), day(2019, 12, 31)),
        ("20XX", Precision::Century, "2000–2099", day(2000, 1, 1), day(2099, 12, 31)),
    ];
    for (edtf, precision, words, earliest, latest) in cases {
        let date = read(edtf);
        assert_eq!(date.precision(), precision, "{edtf}");
        assert_eq!(date.display(), words, "{edtf}");
        assert_eq!((date.earliest(), date.latest()), (earliest, latest), "{edtf}");
        assert!(!date.lasted(), "{edtf} happened at one time");
        assert_eq!(date.to_edtf(), edtf, "{edtf} is written as read");
    }
}

#[test]
fn qualifiers_are_kept_and_said() {
    assert_eq!(read("2025-10~").qualifier(), Qualifier::Approximate);
    assert_eq!(read("2025-10~").display(), "about October 2025");
    assert_eq!(read("2024?").display(), "2024 (uncertain)");
    assert_eq!(read("2024%").display(), "about 2024 (uncertain)");
    assert_eq!(read("2025-10-27?").to_edtf(), "2025-10-27?");
}

#[test]
fn an_interval_lasted_from_its_start_to_its_end() {
    let date = read("2025-10-01/2025-10-03");
    assert!(date.lasted());
    assert_eq!((date.earliest(), date.latest()), (day(2025, 10, 1), day(2025, 10, 3)));
    assert_eq!(date.display(), "1–3 October 2025");
    assert_eq!(read("2024-06/2024-08").display(), "June – August 2024");
    assert_eq!(read("2024-06/2024-08").precision(), Precision::Month);
    assert_eq!(read("2024-06~/2024-08~").to_edtf(), "2024-06~/2024-08~");
    // Ends of different precisions: the coarser one is the event's.
    assert_eq!(read("2024-06-19/2024-08").precision(), Precision::Month);
    assert_eq!(read("2025-10-27/2025-10-27"), read("2025-10-27"), "one day is one day");
}

#[test]
fn unspecified_digits_name_the_period_they_leave_open() {
    assert_eq!(read("2025-XX"), read("2025"));
    assert_eq!(read("2025-10-XX"), read("2025-10"));
    assert_eq!(read("2025-XX-XX"), read("2025"));
}

#[test]
fn a_run_of_days_with_no_name_is_a_set_known_to_its_length() {
    let date = read("[2025-10-03..2025-10-05]");
    assert_eq!(date.precision(), Precision::Week);
    assert_eq!(date.display(), "one day between 3 and 5 October 2025");
    assert_eq!(read("[2025-09-30..2025-10-03]").display(), "one day between 30 September and 3 October 2025");
    assert_eq!(read("[2025-12-29..2026-01-04]").display(), "the week of 29 December 2025 – 4 January 2026");
    assert_eq!(read("2025-09-29/2025-10-02").display(), "29 September – 2 October 2025");
    assert_eq!(read("[2025-10..2025-11]").to_edtf(), "[2025-10-01..2025-11-30]");
    assert_eq!(read("[2025-10-01..2025-10-31]"), read("2025-10"), "a whole month is the month");
}

#[test]
fn bad_edtf_is_refused_with_a_reason() {
    for raw in [
        "",
        "2025-13",
        "2025-02-30",
        "2025-1",
        "25",
        "2025/",
        "/2025",
        "2025/..",
        "../2025",
        "2025-10-05/2025-10-01",
        "2025~/2026?",
        "[2025-10-20..2025-10-26]~",
        "[2025-10-20..2025-10-26",
        "[2025-10-26..2025-10-20]",
        "[2025-01, 2025-03]",
        "[..2025-10-26]",
        "[2025-10-20~..2025-10-26]",
        "2025-10-27T10:00:00Z",
        "0000",
        "Y170000002",
        "-0500",
        "2XXX",
        "201X-10",
        "2025-XX-27",
        "2025-21-01",
        "2025??",
        "2025-37",
        "twenty twenty-five",
    ] {
        let error = EventDate::parse_edtf(raw).expect_err(raw);
        assert!(!error.0.is_empty(), "{raw}");
    }
}

#[test]
fn legacy_fields_show_what_they_can_and_never_a_day_that_is_not_known() {
    let legacy = |raw: &str| {
        let l = read(raw).legacy();
        (l.start.to_string(), l.end.map(|e| e.to_string()), l.precision.as_str())
    };
    assert_eq!(legacy("2025-10-27"), ("2025-10-27".into(), None, "day"));
    assert_eq!(legacy("2024-06"), ("2024-06-01".into(), None, "month"));
    assert_eq!(legacy("[2025-10-20..2025-10-26]"), ("2025-10-01".into(), None, "month"));
    assert_eq!(legacy("[2025-09-29..2025-10-05]"), ("2025-01-01".into(), None, "year"));
    assert_eq!(legacy("[2025-12-29..2026-01-04]"), ("2025-01-01".into(), Some("2026-01-01".into()), "year"));
    assert_eq!(legacy("2025-10-01/2025-10-03"), ("2025-10-01".into(), Some("2025-10-03".into()), "day"));
    assert_eq!(legacy("2024-06/2024-08"), ("2024-06-01".into(), Some("2024-08-01".into()), "month"));
    assert_eq!(legacy("201X"), ("2010-01-01".into(), Some("2019-01-01".into()), "year"));
}

#[test]
fn the_first_api_fields_read_as_before() {
    let month = PartialDate::parse("2024-06").unwrap();
    let june = month.at_precision("2024-06", LegacyPrecision::Month).unwrap();
    assert_eq!(EventDate::from_legacy(june, None, Qualifier::Exact).unwrap(), read("2024-06"));
    let d = |raw: &str| PartialDate::parse(raw).unwrap().at_precision(raw, LegacyPrecision::Day).unwrap();
    let span = EventDate::from_legacy(d("2025-10-20"), Some(d("2025-10-26")), Qualifier::Exact).unwrap();
    assert_eq!(span.to_edtf(), "2025-10-20/2025-10-26", "start and end always meant it lasted");
    let inside = PartialDate::parse("2024-06-19").unwrap();
    assert!(inside.at_precision("2024-06-19", LegacyPrecision::Month).is_err());
    assert!(PartialDate::parse("2025-02-30").is_err());
    assert_eq!(PartialDate::parse("2024-02").unwrap().last_day(), day(2024, 2, 29));
}

#[test]
fn precision_filters_keep_the_finer_ones() {
    assert_eq!(Precision::Day.at_least(), [Precision::Day]);
    let month = Precision::Month.at_least();
    assert!(month.contains(&Precision::EarlyMonth) && month.contains(&Precision::Week));
    assert!(!month.contains(&Precision::Quarter));
}

/// Any date the model can hold.
fn any_period() -> impl Strategy<Value = Period> {
    (1i32..=9998, 1u32..=12, 1u32..=28, 0i64..4000).prop_map(|(y, m, d, len)| {
        let first = day(y, m, d);
        let last = (first + chrono::Duration::days(len % 40_i64.pow((len % 3) as u32 + 1))).min(day(9999, 12, 31));
        Period::new(first, last).unwrap()
    })
}

fn any_named_period() -> impl Strategy<Value = Period> {
    let edtf = prop_oneof![
        (1i32..=9999, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        (1i32..=9999, 1u32..=12).prop_map(|(y, m)| format!("{y:04}-{m:02}")),
        (1i32..=9998, 21u32..=24).prop_map(|(y, s)| format!("{y:04}-{s}")),
        (1i32..=9999, 33u32..=36).prop_map(|(y, q)| format!("{y:04}-{q}")),
        (1i32..=9999).prop_map(|y| format!("{y:04}")),
        (1i32..=999).prop_map(|d| format!("{d:03}X")),
        (1i32..=99).prop_map(|c| format!("{c:02}XX")),
    ];
    edtf.prop_map(|raw| EventDate::parse_edtf(&raw).unwrap().start())
}

fn any_qualifier() -> impl Strategy<Value = Qualifier> {
    prop::sample::select(Qualifier::ALL.to_vec())
}

fn any_date() -> impl Strategy<Value = EventDate> {
    prop_oneof![
        any_period().prop_map(|p| EventDate::point(p, Qualifier::Exact)),
        (any_named_period(), any_qualifier()).prop_map(|(p, q)| EventDate::point(p, q)),
        (any_named_period(), any_named_period(), any_qualifier())
            .prop_filter_map("an interval that ends before it starts", |(a, b, q)| EventDate::span(a, b, q).ok()),
    ]
}

proptest! {
    #[test]
    fn the_reader_never_panics(raw in "\\PC{0,40}") {
        let _ = EventDate::parse_edtf(&raw);
    }

    #[test]
    fn the_reader_never_panics_on_near_misses(raw in "[\\[]?[0-9X]{1,5}(-[0-9X]{1,3}){0,3}[?~%]?(\\.\\.|/)?[0-9X]{0,4}(-[0-9X]{1,2}){0,2}[?~%\\]]{0,2}") {
        let _ = EventDate::parse_edtf(&raw);
    }

    #[test]
    fn what_is_written_reads_back_as_the_same_date(date in any_date()) {
        let edtf = date.to_edtf();
        prop_assert_eq!(EventDate::parse_edtf(&edtf), Ok(date), "{}", edtf);
    }

    #[test]
    fn parse_print_parse_gives_the_same_value(raw in "[0-9]{4}(-(0[1-9]|1[0-2]|2[1-4]|3[3-6]|XX)(-(0[1-9]|1[0-9]|2[0-8]|XX))?)?[?~%]?") {
        if let Ok(date) = EventDate::parse_edtf(&raw) {
            prop_assert_eq!(EventDate::parse_edtf(&date.to_edtf()), Ok(date));
        }
    }

    #[test]
    fn the_legacy_view_never_claims_a_finer_date(date in any_date()) {
        let legacy = date.legacy();
        let start = legacy.precision.period(legacy.start);
        let end = legacy.precision.period(legacy.end.unwrap_or(legacy.start));
        prop_assert!(start.first() <= date.earliest() && end.last() >= date.latest());
    }
}
