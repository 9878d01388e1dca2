//! PostgreSQL's search vector of an event, made here rather than by
//! `to_tsvector`. The search text is stems one space apart already
//! (`indexed_text`); PostgreSQL's parser, which `to_tsvector` runs over it,
//! took more than half of a first load's time in `event_texts`, and reading
//! the finished vector (`tsvector`'s input) takes a quarter of what the
//! parser took (bench/README.md). The vector is the one
//! `to_tsvector('simple', …)` made of the search text and the countries as
//! `cc` and their code, position for position (`tests/api/search.rs`
//! compares them on PostgreSQL).

use std::collections::HashMap;
use std::fmt::Write;

/// The word a country is searched by: `cc` and its code, in lower case.
pub fn country_lexeme(code: &str) -> String {
    format!("cc{}", code.to_lowercase())
}

/// The highest position PostgreSQL keeps; later words share it.
const MAX_POSITION: u16 = (1 << 14) - 1;
/// The most positions `to_tsvector` keeps of one word.
const MAX_POSITIONS: usize = 255;

/// The `tsvector` (in its text form) of a search text and the countries
/// (codes one space apart): each word, once, with the positions it stands
/// at, counted from 1 over the text's words, then the countries'.
pub fn tsvector(search_text: &str, countries: &str) -> String {
    let codes: Vec<String> = countries.split(' ').filter(|c| !c.is_empty()).map(country_lexeme).collect();
    let words = search_text.split(' ').filter(|w| !w.is_empty()).chain(codes.iter().map(String::as_str));
    // Each word with its positions.
    let mut order: Vec<(&str, Vec<u16>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (n, word) in words.enumerate() {
        let position = u16::try_from(n + 1).unwrap_or(MAX_POSITION).min(MAX_POSITION);
        let i = *index.entry(word).or_insert_with(|| {
            order.push((word, Vec::new()));
            order.len() - 1
        });
        let positions = &mut order[i].1;
        if positions.len() < MAX_POSITIONS && positions.last() != Some(&position) {
            positions.push(position);
        }
    }
    // In the order PostgreSQL keeps a vector's words (by their bytes), so
    // that its input finds them sorted: a third of its time otherwise.
    order.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = String::with_capacity(search_text.len() * 2);
    for (word, positions) in &order {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('\'');
        for c in word.chars() {
            // The text form's escapes; a stem is letters and digits, but a
            // vector must not break on anything else.
            if c == '\'' || c == '\\' {
                out.push(c);
            }
            out.push(c);
        }
        out.push_str("':");
        for (k, p) in positions.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            let _ = write!(out, "{p}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_has_the_positions_it_stands_at() {
        assert_eq!(tsvector("sign treati sign", "KP RU"), "'cckp':4 'ccru':5 'sign':1,3 'treati':2");
        assert_eq!(tsvector("", ""), "");
        assert_eq!(tsvector("", "US"), "'ccus':1");
    }

    #[test]
    fn positions_stop_where_postgresql_stops_them() {
        let text = vec!["w"; 20_000].join(" ");
        let vector = tsvector(&text, "");
        let positions: Vec<&str> = vector.trim_start_matches("'w':").split(',').collect();
        assert_eq!(positions.len(), MAX_POSITIONS);
        assert_eq!(positions.last(), Some(&"255"));

        let text = format!("{} x x", vec!["w"; 16_390].join(" "));
        assert!(tsvector(&text, "").ends_with("'x':16383"), "words past the last position share it");
    }

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(tsvector("o'neil a\\b", ""), "'a\\\\b':2 'o''neil':1");
    }
}
