//! What `q=` says, in the spirit of PostgreSQL's `websearch_to_tsquery`:
//! words (all of them must be there), `"a phrase"`, `-word` and
//! `-"a phrase"` to exclude, `OR` between two terms, `word*` for a prefix.
//! Any text reads as a query; only one with nothing to look for (empty,
//! or only exclusions) or too long is refused. The query is written out
//! for each database from its own terms, each a quoted stem, so nothing
//! the user typed reaches an FTS parser as syntax.

use super::text::{stem, words};

/// The most characters `q` may have.
pub const MAX_CHARS: usize = 1_000;
/// The most terms (words and phrases) one query may hold.
pub const MAX_TERMS: usize = 32;

/// A parsed query: every group must match (a group matches when any of its
/// terms does), and no excluded term may.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub groups: Vec<Vec<Term>>,
    pub excluded: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// A stem, or with `prefix` any stem that begins with it.
    Word { stem: String, prefix: bool },
    /// Stems next to each other, in order.
    Phrase(Vec<String>),
}

impl SearchQuery {
    pub fn parse(raw: &str) -> Result<SearchQuery, String> {
        let length = raw.chars().count();
        if length > MAX_CHARS {
            return Err(format!("has {length} characters; at most {MAX_CHARS}"));
        }
        let mut query = SearchQuery { groups: Vec::new(), excluded: Vec::new() };
        // Whether the last thing read was a term to include, and an OR after it.
        let (mut after_term, mut or) = (false, false);
        let mut terms = 0;
        let mut rest = raw;
        while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
            rest = &rest[start..];
            let negated = rest.starts_with('-') && rest.len() > 1;
            if negated {
                rest = &rest[1..];
            }
            let (token, quoted) = if let Some(inside) = rest.strip_prefix('"') {
                // An unbalanced quote runs to the end.
                let end = inside.find('"').unwrap_or(inside.len());
                let token = &inside[..end];
                rest = inside.get(end + 1..).unwrap_or("");
                (token, true)
            } else {
                let end = rest.find(|c: char| c.is_whitespace() || c == '"').unwrap_or(rest.len());
                let token = &rest[..end];
                rest = &rest[end..];
                (token, false)
            };
            if !quoted && !negated && token.eq_ignore_ascii_case("or") {
                or = after_term;
                continue;
            }
            let Some(term) = Term::read(token, !quoted && token.ends_with('*')) else {
                continue;
            };
            terms += 1;
            if terms > MAX_TERMS {
                return Err(format!("has more than {MAX_TERMS} words and phrases"));
            }
            if negated {
                query.excluded.push(term);
                (after_term, or) = (false, false);
            } else {
                match query.groups.last_mut() {
                    Some(group) if or => group.push(term),
                    _ => query.groups.push(vec![term]),
                }
                (after_term, or) = (true, false);
            }
        }
        if query.groups.is_empty() {
            return Err(if query.excluded.is_empty() {
                "has no word to look for".to_owned()
            } else {
                "only excludes words; give one to look for beside them".to_owned()
            });
        }
        Ok(query)
    }

    /// Every stem the query looks for (not those it excludes), with whether
    /// it is a prefix: what a snippet marks.
    pub fn wanted(&self) -> impl Iterator<Item = (&str, bool)> {
        self.groups.iter().flatten().flat_map(|term| match term {
            Term::Word { stem, prefix } => vec![(stem.as_str(), *prefix)],
            Term::Phrase(stems) => stems.iter().map(|s| (s.as_str(), false)).collect(),
        })
    }

    /// The query as an FTS5 MATCH expression.
    pub fn to_fts5(&self) -> String {
        let term = |t: &Term| match t {
            Term::Word { stem, prefix: false } => format!("\"{stem}\""),
            Term::Word { stem, prefix: true } => format!("\"{stem}\"*"),
            Term::Phrase(stems) => format!("\"{}\"", stems.join(" ")),
        };
        let any = |terms: &[Term]| format!("({})", terms.iter().map(term).collect::<Vec<_>>().join(" OR "));
        let mut out = self.groups.iter().map(|g| any(g)).collect::<Vec<_>>().join(" AND ");
        if !self.excluded.is_empty() {
            out = format!("({out}) NOT {}", any(&self.excluded));
        }
        out
    }

    /// The query as a PostgreSQL `tsquery`, in its text form.
    pub fn to_tsquery(&self) -> String {
        let term = |t: &Term| match t {
            Term::Word { stem, prefix: false } => format!("'{stem}'"),
            Term::Word { stem, prefix: true } => format!("'{stem}':*"),
            Term::Phrase(stems) => {
                format!("({})", stems.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(" <-> "))
            }
        };
        let any = |terms: &[Term]| format!("({})", terms.iter().map(term).collect::<Vec<_>>().join(" | "));
        let mut out = self.groups.iter().map(|g| any(g)).collect::<Vec<_>>().join(" & ");
        if !self.excluded.is_empty() {
            out = format!("({out}) & !{}", any(&self.excluded));
        }
        out
    }
}

impl Term {
    /// The term a token reads as: a word, or a phrase when it holds several
    /// (`U.S.`, `"partnership treaty"`); `None` when it holds no word.
    fn read(token: &str, prefix: bool) -> Option<Term> {
        let mut stems: Vec<String> = words(token).map(|w| stem(&w)).collect();
        match stems.len() {
            0 => None,
            1 => Some(Term::Word { stem: stems.pop().unwrap_or_default(), prefix }),
            _ => Some(Term::Phrase(stems)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(stem: &str) -> Term {
        Term::Word { stem: stem.to_owned(), prefix: false }
    }

    #[test]
    fn words_phrases_exclusions_or_and_prefixes() {
        let q = SearchQuery::parse(r#"договор "partnership treaty" -Kim OR summ* -"North Korea""#).unwrap();
        assert_eq!(
            q.groups,
            vec![
                vec![word("договор")],
                vec![Term::Phrase(vec!["partnership".into(), "treati".into()])],
                vec![Term::Word { stem: "summ".into(), prefix: true }],
            ]
        );
        assert_eq!(q.excluded, vec![word("kim"), Term::Phrase(vec!["north".into(), "korea".into()])]);
        assert_eq!(
            q.to_fts5(),
            r#"(("договор") AND ("partnership treati") AND ("summ"*)) NOT ("kim" OR "north korea")"#
        );
        assert_eq!(
            q.to_tsquery(),
            "(('договор') & (('partnership' <-> 'treati')) & ('summ':*)) & !('kim' | ('north' <-> 'korea'))"
        );
    }

    #[test]
    fn or_joins_the_terms_beside_it() {
        let q = SearchQuery::parse("russia korea OR china").unwrap();
        assert_eq!(q.groups, vec![vec![word("russia")], vec![word("korea"), word("china")]]);
        assert_eq!(SearchQuery::parse("OR OR russia OR OR").unwrap().groups, vec![vec![word("russia")]]);
    }

    #[test]
    fn oddities_read_as_queries_or_say_why_not() {
        for odd in [r#""unbalanced"#, "a -", "* a", "NEAR(a b)", "a AND b", "col:a", "^a", "a\"b", "'a'", "a -- b"] {
            assert!(SearchQuery::parse(odd).is_ok(), "{odd}");
        }
        for nothing in ["", "  ", "-", "*", "OR OR", "\"\"", "-a", "!?"] {
            assert!(SearchQuery::parse(nothing).is_err(), "{nothing}");
        }
        assert!(SearchQuery::parse(&"a ".repeat(5_000)).is_err());
        assert!(SearchQuery::parse(&"a ".repeat(40)).is_err());
    }

    proptest::proptest! {
        /// Whatever is typed, the written queries hold only quoted stems
        /// and the operators put between them.
        #[test]
        fn any_text_is_a_query_or_a_reason(raw in "\\PC{0,200}") {
            if let Ok(q) = SearchQuery::parse(&raw) {
                let fts = q.to_fts5();
                let outside: String = fts.split('"').step_by(2).collect();
                proptest::prop_assert!(outside.chars().all(|c| "()* ANDORT".contains(c)), "{fts}");
                let ts = q.to_tsquery();
                let outside: String = ts.split('\'').step_by(2).collect();
                proptest::prop_assert!(outside.chars().all(|c| "()&|!<->:* ".contains(c)), "{ts}");
            }
        }
    }
}
