//! Participants: who they are (their identity) and which countries they
//! bring to the events they take part in.

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
}

impl NewParticipant {
    /// A country participant under its English name.
    pub fn country(code: &str) -> NewParticipant {
        NewParticipant {
            kind: "country".into(),
            name: super::countries::name(code, "en"),
            country: Some(code.to_owned()),
            members: Vec::new(),
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
