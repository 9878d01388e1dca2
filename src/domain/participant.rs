//! Participants: who they are (their identity) and which countries they
//! bring to the events they take part in.

use super::countries::{Lang, fold};
use std::collections::BTreeSet;

pub const PARTICIPANT_KINDS: [&str; 3] = ["country", "person", "organization"];

/// A participant that passed every check, to match or create.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewParticipant {
    pub kind: String,
    pub name: String,
    /// The code of a country; the nationality or home country otherwise.
    pub country: Option<String>,
    pub members: Vec<String>,
    #[serde(skip_serializing_if = "OtherNames::is_empty")]
    pub other_names: OtherNames,
}

/// A participant's names in other languages and the aliases news call it
/// by (`Kim Jong-un`, `КНДР`), as given: what a name search and the text
/// search also find it by, and what `lang` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct OtherNames {
    pub by_lang: Vec<(Lang, String)>,
    pub aliases: Vec<String>,
}

/// One row of `participant_names`: (language, name, folded name); an alias
/// has no language.
pub type NameRow<'a> = (Option<Lang>, &'a str, String);

impl OtherNames {
    pub fn is_empty(&self) -> bool {
        self.by_lang.is_empty() && self.aliases.is_empty()
    }

    /// In the order stored: the names by language, then the aliases.
    pub fn rows(&self) -> Vec<NameRow<'_>> {
        let names = self.by_lang.iter().map(|(lang, name)| (Some(*lang), name.as_str()));
        let aliases = self.aliases.iter().map(|alias| (None, alias.as_str()));
        names.chain(aliases).map(|(lang, name)| (lang, name, fold(name))).collect()
    }

    /// Its name in `lang`, when it has one.
    pub fn in_lang(&self, lang: Lang) -> Option<&str> {
        self.by_lang.iter().find(|(l, _)| *l == lang).map(|(_, name)| name.as_str())
    }

    /// Every name and alias, for the search text.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.by_lang.iter().map(|(_, name)| name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

impl NewParticipant {
    /// A country participant under its English name.
    pub fn country(code: &str) -> NewParticipant {
        NewParticipant {
            kind: "country".into(),
            name: super::countries::name(code, "en"),
            country: Some(code.to_owned()),
            members: Vec::new(),
            other_names: OtherNames::default(),
        }
    }

    pub fn identity(&self) -> String {
        identity(&self.kind, &self.name, self.country.as_deref())
    }
}

/// The unique matching key of a participant: a country is its code; a person
/// or organization is kind + country + name folded for case and spacing, so
/// "Kim  Jong Un" and "kim jong un" of KP are one person.
pub fn identity(kind: &str, name: &str, country: Option<&str>) -> String {
    let country = country.unwrap_or("");
    if kind == "country" {
        return format!("country:{country}");
    }
    let folded: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
    format!("{kind}:{country}:{}", folded.join(" "))
}

/// The countries an event is in, from its participants' (kind, country):
/// each country that takes part and each person's nationality. An
/// organization's home country does not count.
pub fn event_countries<'a>(participants: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> BTreeSet<&'a str> {
    participants.into_iter().filter(|(kind, _)| *kind != "organization").filter_map(|(_, country)| country).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_person_whatever_the_case_and_spacing_of_the_name() {
        assert_eq!(identity("person", "Kim  Jong Un", Some("KP")), identity("person", "kim jong un", Some("KP")));
        assert_ne!(identity("person", "Kim Jong Un", Some("KP")), identity("person", "Kim Jong Un", Some("KR")));
        assert_ne!(identity("person", "ASEAN", None), identity("organization", "ASEAN", None));
    }

    #[test]
    fn a_country_is_its_code_whatever_its_name() {
        assert_eq!(identity("country", "Russia", Some("RU")), identity("country", "Russian Federation", Some("RU")));
    }

    #[test]
    fn countries_and_nationalities_count_but_an_organization_home_does_not() {
        let participants = [
            ("country", Some("RU")),
            ("person", Some("KP")),
            ("organization", Some("MY")),
            ("person", None),
            ("country", Some("RU")),
        ];
        assert_eq!(event_countries(participants).into_iter().collect::<Vec<_>>(), ["KP", "RU"]);
    }
}
