//! The text pipeline: how words are cut out of a text, folded and stemmed,
//! the same for what is indexed and for what is searched, so both
//! databases index the same words and a query finds the same events.

use rust_stemmers::{Algorithm, Stemmer};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

/// The version of the pipeline below. A database indexed by another
/// version is indexed again at start-up (`search::reindex_if_stale`):
/// bump it whenever a change here would index a word differently.
/// 2: participants' names in other languages and aliases, and the folded
/// names that a name search compares.
pub const PIPELINE_VERSION: i64 = 2;

static RUSSIAN: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Russian));
static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// The words of `text`, folded: lower case, diacritics dropped (but not the
/// breve of й, a letter of its own), ё as е, compatibility forms as their
/// plain letters (² as 2, ﬁ as fi). A word is a run of letters and digits;
/// one longer than `MAX_WORD` is no word anyone searches for, and
/// PostgreSQL would not index it.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    word_spans(text).map(|(_, w)| w)
}

/// The longest word indexed, in characters.
pub const MAX_WORD: usize = 100;

/// Each word of `text` with where it stands in it (a byte range).
pub fn word_spans(text: &str) -> impl Iterator<Item = (std::ops::Range<usize>, String)> + '_ {
    let mut at = 0;
    text.split(|c: char| !c.is_alphanumeric())
        .map(move |w| {
            let start = at;
            at += w.len();
            // The separator is one character, whatever its width.
            at += text[at..].chars().next().map_or(0, char::len_utf8);
            (start..start + w.len(), w)
        })
        .filter(|(_, w)| !w.is_empty() && w.chars().count() <= MAX_WORD)
        .filter_map(|(span, w)| {
            let folded = fold(w);
            (!folded.is_empty()).then_some((span, folded))
        })
}

fn fold(word: &str) -> String {
    let mut plain = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        match c {
            'й' => plain.push('й'),
            c => plain.extend(
                std::iter::once(c)
                    .nfkd()
                    .filter(|d| !unicode_normalization::char::is_combining_mark(*d) && d.is_alphanumeric())
                    .flat_map(char::to_lowercase),
            ),
        }
    }
    plain
}

/// A folded word's stem: Russian words by the Russian Snowball stemmer,
/// Latin ones by the English (Porter 2), anything else as it is. The
/// script of its first letter decides.
///
/// The stemmer runs again on its own output until nothing changes: Snowball
/// takes a noun whose plain form ends like a verb or a case for one more
/// cut than its other forms (визит → виз but визита → визит, Корея → коре
/// but Кореи → кор), and a second pass makes them meet.
pub fn stem(word: &str) -> String {
    // A text's words repeat across events (names, places, the words of
    // the trade), and a stem costs a few passes of Snowball: each thread
    // keeps the stems it made, up to a bound.
    thread_local! {
        static STEMS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
    }
    STEMS.with_borrow_mut(|known| {
        if let Some(stem) = known.get(word) {
            return stem.clone();
        }
        if known.len() >= 100_000 {
            known.clear();
        }
        let stem = stem_anew(word);
        known.insert(word.to_owned(), stem.clone());
        stem
    })
}

fn stem_anew(word: &str) -> String {
    let stemmer: &Stemmer = match word.chars().find(|c| c.is_alphabetic()) {
        Some('а'..='я' | 'ё') => &RUSSIAN,
        Some('a'..='z') => &ENGLISH,
        _ => return word.to_owned(),
    };
    let mut stem = word.to_owned();
    // Each pass only cuts, so this ends; four passes are more than any word takes.
    for _ in 0..4 {
        let next = stemmer.stem(&stem);
        if next == stem || next.chars().count() < 2 {
            break;
        }
        stem = next.into_owned();
    }
    stem
}

/// The stems of `text`'s words, in order.
pub fn stems(text: &str) -> impl Iterator<Item = String> + '_ {
    words(text).map(|w| stem(&w))
}

/// The text an event is indexed by: the stems of every text given, in
/// order, one space apart. Both databases tokenise it on spaces alone.
pub fn indexed_text<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for text in texts {
        for stem in stems(text) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&stem);
        }
    }
    out
}

/// An event's own words, stemmed: its title, summary and place (`head`),
/// and its sources' quotes and its tags (`tail`). Its search text is these
/// with its participants' names between and after them
/// (`store::documents::text_row`); they need no other row, so a batch's
/// are stemmed apart, half on a second thread (`store::events::stem`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnStems {
    pub head: String,
    pub tail: String,
}

impl OwnStems {
    pub fn of<'a>(
        title: &str,
        summary: Option<&str>,
        place: Option<&str>,
        quotes: impl IntoIterator<Item = &'a str>,
        tags: &'a [String],
    ) -> OwnStems {
        OwnStems {
            head: indexed_text([Some(title), summary, place].into_iter().flatten()),
            tail: indexed_text(quotes.into_iter().chain(tags.iter().map(String::as_str))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        stems(text).collect()
    }

    #[test]
    fn inflected_forms_share_a_stem() {
        assert_eq!(all("договор договора договору"), ["договор"; 3]);
        assert_eq!(all("treaty treaties"), ["treati"; 2]);
        assert_eq!(all("Пхеньян Пхеньяне Пхеньяна"), ["пхен"; 3]);
        assert_eq!(all("Корея Кореи Корее"), ["кор"; 3]);
        assert_eq!(all("визит визита саммит саммита"), ["виз", "виз", "самм", "самм"]);
    }

    #[test]
    fn case_yo_and_diacritics_fold() {
        assert_eq!(all("ПАРТНЁРСТВО"), all("партнерство"));
        assert_eq!(all("Brasília Côte"), all("brasilia cote"));
        assert_eq!(words("Йошкар-Ола").collect::<Vec<_>>(), ["йошкар", "ола"]);
        assert_eq!(words("x² ﬁle").collect::<Vec<_>>(), ["x2", "file"]);
    }

    #[test]
    fn punctuation_and_markup_separate_words() {
        assert_eq!(
            words("<b>Kim</b>, \"Putin\"; 2025-11-01").collect::<Vec<_>>(),
            ["b", "kim", "b", "putin", "2025", "11", "01"]
        );
        assert_eq!(indexed_text(["", "  ", "?!"]), "");
        assert_eq!(indexed_text(["Signed treaties", "в Пхеньяне"]), "sign treati в пхен");
    }
}
