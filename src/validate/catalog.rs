//! Participants and sources, on their own or as an event names them.

use super::fields::{MAX_NAME, MAX_TITLE, country_code, one_of, optional_text, text};
use crate::domain::countries::{Lang, fold};
use crate::domain::participant::{NewParticipant, OtherNames, PARTICIPANT_KINDS};
use crate::domain::{Evidence, NewSource, ParticipantSpec, Published, SourceSpec};
use crate::error::ApiError;
use crate::models::{ParticipantInput, ParticipantRef, SourceInput, SourceRef};
use chrono::{DateTime, Utc};

const MAX_ROLE: usize = 64;
const MAX_URL: usize = 2_048;
const MAX_QUOTE: usize = 5_000;
const MAX_NOTE: usize = 500;
/// More than the world's countries, so any real organization fits.
const MAX_MEMBERS: usize = 300;

/// An event's participant; errors name fields within it (`ApiError::within`).
pub(super) fn participant_ref(p: ParticipantRef) -> Result<(ParticipantSpec, Option<String>), ApiError> {
    let role = optional_text("role", p.role.as_deref(), MAX_ROLE)?;
    if let Some(id) = p.id {
        return Ok((ParticipantSpec::Existing(id), role));
    }
    let Some(kind) = p.kind else {
        return Err(ApiError::invalid("kind", "is required unless the participant is named by id"));
    };
    let input = ParticipantInput {
        kind,
        name: p.name,
        code: p.code,
        country: p.country,
        members: Vec::new(),
        names: None,
        aliases: Vec::new(),
    };
    Ok((ParticipantSpec::Described(participant_in(&input)?), role))
}

/// Checks a participant description.
pub fn participant_in(p: &ParticipantInput) -> Result<NewParticipant, ApiError> {
    let kind = one_of("kind", &p.kind, &PARTICIPANT_KINDS)?;
    if kind == "country" {
        let Some(code) = p.code.as_deref().or(p.country.as_deref()) else {
            return Err(ApiError::invalid("code", "a country participant needs its ISO 3166-1 alpha-2 code"));
        };
        let code = country_code("code", code)?;
        let name = match p.name.as_deref() {
            Some(name) => text("name", name, MAX_NAME)?,
            None => crate::domain::countries::name(&code, "en"),
        };
        if !p.members.is_empty() {
            return Err(ApiError::invalid("members", "only an organization has members"));
        }
        let other_names = other_names(p)?;
        return Ok(NewParticipant { kind, name, country: Some(code), members: Vec::new(), other_names });
    }
    if p.code.is_some() {
        return Err(ApiError::invalid(
            "code",
            format!("only a country has a code; give a {kind}'s country as 'country'"),
        ));
    }
    let Some(name) = p.name.as_deref() else {
        return Err(ApiError::invalid("name", format!("a {kind} needs a name")));
    };
    let name = text("name", name, MAX_NAME)?;
    let country = p.country.as_deref().map(|c| country_code("country", c)).transpose()?;
    if kind == "person" && !p.members.is_empty() {
        return Err(ApiError::invalid("members", "only an organization has members"));
    }
    if p.members.len() > MAX_MEMBERS {
        return Err(ApiError::invalid("members", format!("has more than {MAX_MEMBERS} countries")));
    }
    let mut members = Vec::new();
    for (i, code) in p.members.iter().enumerate() {
        let code = country_code(&format!("members[{i}]"), code)?;
        if !members.contains(&code) {
            members.push(code);
        }
    }
    let other_names = other_names(p)?;
    Ok(NewParticipant { kind, name, country, members, other_names })
}

/// The most aliases a participant may have.
const MAX_ALIASES: usize = 32;

/// Names by language and aliases, each a name as `name` is; an alias that
/// folds to one given before it (or to a name) is dropped.
fn other_names(p: &ParticipantInput) -> Result<OtherNames, ApiError> {
    let mut by_lang = Vec::new();
    if let Some(names) = &p.names {
        for (lang, name) in [(Lang::En, &names.en), (Lang::Ru, &names.ru)] {
            if let Some(name) = name {
                by_lang.push((lang, text(&format!("names.{}", lang.code()), name, MAX_NAME)?));
            }
        }
    }
    if p.aliases.len() > MAX_ALIASES {
        return Err(ApiError::invalid("aliases", format!("has more than {MAX_ALIASES} aliases")));
    }
    let mut seen: Vec<String> = by_lang.iter().map(|(_, name): &(Lang, String)| fold(name)).collect();
    let mut aliases = Vec::new();
    for (i, alias) in p.aliases.iter().enumerate() {
        let alias = text(&format!("aliases[{i}]"), alias, MAX_NAME)?;
        let folded = fold(&alias);
        if !seen.contains(&folded) {
            seen.push(folded);
            aliases.push(alias);
        }
    }
    Ok(OtherNames { by_lang, aliases })
}

/// An event's source; errors name fields within it (`ApiError::within`).
pub(super) fn source_ref(s: SourceRef) -> Result<(SourceSpec, Evidence), ApiError> {
    let evidence = Evidence {
        quote: optional_text("quote", s.quote.as_deref(), MAX_QUOTE)?,
        note: optional_text("note", s.note.as_deref(), MAX_NOTE)?,
    };
    if let Some(id) = s.id {
        return Ok((SourceSpec::Existing(id), evidence));
    }
    let input = SourceInput {
        url: s.url,
        title: s.title,
        publisher: s.publisher,
        published: s.published,
        published_at: s.published_at,
        language: s.language,
    };
    Ok((SourceSpec::Described(source_in(&input)?), evidence))
}

pub fn source_in(s: &SourceInput) -> Result<NewSource, ApiError> {
    // The length is of the url as given, before trimming, as the spec's
    // `maxLength` counts it.
    let too_long = s.url.as_deref().is_some_and(|url| url.chars().count() > MAX_URL);
    let url = match s.url.as_deref().map(str::trim) {
        None => None,
        // Blank is no url, unless it is over the length the spec allows.
        Some("") if !too_long => None,
        Some(url) => {
            if !(url.starts_with("https://") || url.starts_with("http://"))
                || too_long
                || url.contains(|c: char| c.is_whitespace() || c.is_control())
            {
                let shown: String = url.chars().take(80).collect();
                return Err(ApiError::invalid(
                    "url",
                    format!("'{shown}' is not an http(s) URL of at most {MAX_URL} characters"),
                ));
            }
            // A host a browser could not reach (`http://[`, an invalid
            // international name) makes no link.
            if !url::Url::parse(url).is_ok_and(|parsed| parsed.host().is_some()) {
                let shown: String = url.chars().take(80).collect();
                return Err(ApiError::invalid("url", format!("'{shown}' does not parse as a URL with a host")));
            }
            Some(url.to_owned())
        }
    };
    let title = optional_text("title", s.title.as_deref(), MAX_TITLE)?;
    if url.is_none() && title.is_none() {
        return Err(ApiError::invalid(
            "title",
            "a source without a url is known by its title (with its publisher and date): give one or the other",
        ));
    }
    let published = published(s.published.as_deref(), s.published_at.as_deref())?;
    let language = s
        .language
        .as_deref()
        .map(|raw| {
            let lang = raw.trim().to_ascii_lowercase();
            if lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase()) {
                Ok(lang)
            } else {
                Err(ApiError::invalid("language", format!("'{raw}' is not an ISO 639-1 code such as 'ru' or 'en'")))
            }
        })
        .transpose()?;
    Ok(NewSource {
        url,
        title,
        publisher: optional_text("publisher", s.publisher.as_deref(), MAX_NAME)?,
        published,
        language,
    })
}

/// `published` (a date or a date-time) or the first API's `published_at`
/// (a date-time); both given must name the same.
fn published(published: Option<&str>, published_at: Option<&str>) -> Result<Option<Published>, ApiError> {
    let from_at = published_at
        .map(|raw| {
            DateTime::parse_from_rfc3339(raw).map(|t| Published::At(t.with_timezone(&Utc))).map_err(|_| {
                ApiError::invalid(
                    "published_at",
                    format!("'{raw}' is not an RFC 3339 time such as 2025-11-01T09:30:00Z"),
                )
            })
        })
        .transpose()?;
    let Some(raw) = published else { return Ok(from_at) };
    let value = Published::from_text(raw).ok_or_else(|| {
        ApiError::invalid("published", format!("'{raw}' is not a date (YYYY, YYYY-MM, YYYY-MM-DD) or an RFC 3339 time"))
    })?;
    match from_at {
        Some(other) if other != value => Err(ApiError::invalid(
            "published_at",
            format!("'{}' differs from published '{raw}'", published_at.unwrap_or_default()),
        )),
        _ => Ok(Some(value)),
    }
}
