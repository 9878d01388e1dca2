//! PostgreSQL's search vector of an event, made here rather than by
//! `to_tsvector`. The search text is stems one space apart already
//! (`indexed_text`); PostgreSQL's parser, which `to_tsvector` runs over it,
//! took more than half of a first load's time in `event_texts`, and reading
//! the finished vector (`tsvector`'s input) takes a quarter of what the
//! parser took (bench/README.md). The vector is the one
//! `to_tsvector('simple', …)` made of the search text and the countries as
//! `cc` and their code, position for position (`tests/api/search.rs`
//! compares them on PostgreSQL).

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
    // Each word beside its position, by word and then position. Words go
    // in the order PostgreSQL keeps them (by their bytes), so that its
    // input finds them sorted: a third of its time otherwise.
    let mut placed: Vec<(&str, u16)> =
        words.enumerate().map(|(n, w)| (w, u16::try_from(n + 1).unwrap_or(MAX_POSITION).min(MAX_POSITION))).collect();
    placed.sort_unstable();
    let mut out = String::with_capacity(search_text.len() * 2);
    let mut last: Option<(&str, u16)> = None;
    let mut kept = 0;
    for (word, position) in placed {
        match last {
            Some((same, at)) if same == word => {
                if kept == MAX_POSITIONS || at == position {
                    continue;
                }
                out.push(',');
            }
            _ => {
                if last.is_some() {
                    out.push(' ');
                }
                quoted(&mut out, word);
                out.push(':');
                kept = 0;
            }
        }
        let _ = write!(out, "{position}");
        kept += 1;
        last = Some((word, position));
    }
    out
}

/// A word in the text form's quotes, with its escapes: a stem is letters
/// and digits, but a vector must not break on anything else.
fn quoted(out: &mut String, word: &str) {
    out.push('\'');
    for c in word.chars() {
        if c == '\'' || c == '\\' {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
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
