//! One row per event (RFC 4180, UTF-8, a header row), written by the `csv`
//! crate. Lists (countries, participants, sources, tags) are joined in one
//! cell with "; ", each participant with its role in brackets and each
//! source as its title and URL.

use crate::domain::participant::event_countries;
use crate::error::ApiError;
use crate::models::Event;

const HEADER: [&str; 21] = [
    "key",
    "kind",
    "title",
    "summary",
    "date",
    "earliest",
    "latest",
    "lasted",
    "precision",
    "qualifier",
    "display_date",
    "date_text",
    "location",
    "location_country",
    "lat",
    "lon",
    "countries",
    "participants",
    "sources",
    "tags",
    "updated_at",
];

pub fn head(out: &mut Vec<u8>) {
    write(out, &HEADER.map(str::to_owned)).expect("the header is plain text");
}

pub fn row(out: &mut Vec<u8>, e: &Event) -> Result<(), ApiError> {
    let location = e.location.as_ref();
    let number = |n: Option<f64>| n.map(|n| n.to_string()).unwrap_or_default();
    let countries: Vec<&str> =
        event_countries(e.participants.iter().map(|p| (p.kind.as_str(), p.code.as_deref().or(p.country.as_deref()))))
            .into_iter()
            .collect();
    let participants: Vec<String> = e
        .participants
        .iter()
        .map(|p| match &p.role {
            Some(role) => format!("{} ({role})", p.name),
            None => p.name.clone(),
        })
        .collect();
    let sources: Vec<String> = e
        .sources
        .iter()
        .map(|s| {
            [s.source.title.as_deref(), s.source.url.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ")
        })
        .collect();
    let record = [
        e.key.clone(),
        e.kind.clone(),
        e.title.clone(),
        e.summary.clone().unwrap_or_default(),
        e.date.clone(),
        e.earliest.to_string(),
        e.latest.to_string(),
        e.lasted.to_string(),
        e.precision.as_str().to_owned(),
        e.qualifier.as_str().to_owned(),
        e.display_date.clone(),
        e.date_text.clone().unwrap_or_default(),
        location.and_then(|l| l.name.clone()).unwrap_or_default(),
        location.and_then(|l| l.country.clone()).unwrap_or_default(),
        number(location.and_then(|l| l.lat)),
        number(location.and_then(|l| l.lon)),
        countries.join("; "),
        participants.join("; "),
        sources.join("; "),
        e.tags.join("; "),
        e.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    ];
    write(out, &record).map_err(|e| ApiError::Database(sea_orm::DbErr::Custom(format!("writing CSV: {e}"))))
}

/// One record, quoted where RFC 4180 needs it, ended by CRLF.
fn write(out: &mut Vec<u8>, record: &[String]) -> Result<(), csv::Error> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    writer.write_record(record)?;
    writer.flush()?;
    Ok(())
}
