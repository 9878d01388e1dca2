//! A short passage of an event's own text around the words a query found,
//! as HTML: the text escaped, each found word in `<mark>`.

use super::query::SearchQuery;
use super::text::{stem, word_spans};

/// Words shown before the first found word, and in all.
const BEFORE: usize = 8;
const WORDS: usize = 30;

/// The passage of the first of `texts` that holds a word `query` looks
/// for; `None` when none does (the event matched by a participant's name
/// or a tag, say).
pub fn snippet<'a>(query: &SearchQuery, texts: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let wanted: Vec<(&str, bool)> = query.wanted().collect();
    let found =
        |stemmed: &str| wanted.iter().any(|(w, prefix)| if *prefix { stemmed.starts_with(w) } else { stemmed == *w });
    texts.into_iter().find_map(|text| {
        let spans: Vec<_> = word_spans(text).map(|(span, word)| (span, found(&stem(&word)))).collect();
        let first = spans.iter().position(|(_, hit)| *hit)?;
        let from = first.saturating_sub(BEFORE);
        let to = (from + WORDS).min(spans.len());
        let (start, end) = (if from == 0 { 0 } else { spans[from].0.start }, spans[to - 1].0.end);
        let end = if to == spans.len() { text.len() } else { end };
        let mut html = String::new();
        if start > 0 {
            html.push('…');
        }
        let mut at = start;
        for (span, hit) in &spans[from..to] {
            if *hit {
                html.push_str(&html_escape::encode_text(&text[at..span.start]));
                html.push_str("<mark>");
                html.push_str(&html_escape::encode_text(&text[span.clone()]));
                html.push_str("</mark>");
                at = span.end;
            }
        }
        html.push_str(&html_escape::encode_text(&text[at..end]));
        if end < text.len() {
            html.push('…');
        }
        Some(html)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_words_are_marked_in_their_own_form_and_the_rest_escaped() {
        let q = SearchQuery::parse("договор <b>").unwrap();
        let got = snippet(&q, ["Путин подписал <b>договора</b> с КНДР"]).unwrap();
        assert_eq!(got, "Путин подписал &lt;<mark>b</mark>&gt;<mark>договора</mark>&lt;/<mark>b</mark>&gt; с КНДР");
    }

    #[test]
    fn a_long_text_is_cut_around_the_first_word_found() {
        let text = format!("{} treaties {}", "word ".repeat(50), "more ".repeat(50));
        let got = snippet(&SearchQuery::parse("treaty").unwrap(), [text.as_str()]).unwrap();
        assert!(got.starts_with('…') && got.ends_with('…'), "{got}");
        assert!(got.contains("<mark>treaties</mark>"));
        assert_eq!(got.matches("word").count(), BEFORE);
    }

    #[test]
    fn the_first_text_with_a_found_word_is_used() {
        let q = SearchQuery::parse("summit*").unwrap();
        assert_eq!(snippet(&q, ["Talks", "A summit"]).as_deref(), Some("A <mark>summit</mark>"));
        assert_eq!(snippet(&q, ["Talks"]), None);
    }
}
