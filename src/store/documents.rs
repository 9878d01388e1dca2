//! What is stored of each event beside its own columns: its document, the
//! JSON the API serves for it (`render`), and the text it is searched by
//! (`search_text`). Both are made when an event is written and again, from
//! the stored rows, when a participant or source it names changes.

use crate::domain::Evidence;
use crate::domain::countries;
use crate::error::ApiError;
use crate::models::{DateFields, Event, EventParticipant, EventSource, Location, Source, stored_date};
use crate::search::indexed_text;
use entity::{event, event_participant, event_source, event_tag, participant, source};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// The document of the event stored as `row`, with its participants (and
/// their roles), sources (and what the event rests on in each) and tags in
/// order.
pub fn render(
    row: &event::Model,
    participants: &[(&participant::Model, Option<&str>)],
    sources: &[(&source::Model, &Evidence)],
    tags: &[String],
) -> Result<String, ApiError> {
    let has_location = row.location_name.is_some() || row.location_country.is_some() || row.lat.is_some();
    let date = DateFields::from(stored_date(row)?);
    let event = Event {
        key: row.key.clone(),
        kind: row.kind.clone(),
        title: row.title.clone(),
        summary: row.summary.clone(),
        date: date.date,
        earliest: date.earliest,
        latest: date.latest,
        lasted: date.lasted,
        precision: date.precision,
        qualifier: date.qualifier,
        date_text: row.date_text.clone(),
        date_basis: row.date_basis.clone(),
        display_date: date.display_date,
        start: date.legacy.start,
        end: date.legacy.end,
        date_precision: date.legacy.precision.as_str().to_owned(),
        location: has_location.then(|| Location {
            name: row.location_name.clone(),
            country: row.location_country.clone(),
            lat: row.lat,
            lon: row.lon,
        }),
        participants: participants.iter().map(|(p, role)| EventParticipant::from_row(p, *role)).collect(),
        sources: sources
            .iter()
            .map(|(s, evidence)| EventSource {
                source: Source::from((*s).clone()),
                quote: evidence.quote.clone(),
                note: evidence.note.clone(),
            })
            .collect(),
        tags: tags.to_vec(),
        created_at: row.created_at,
        updated_at: row.updated_at,
        snippet: None,
    };
    serde_json::to_string(&event).map_err(|e| ApiError::Database(DbErr::Custom(e.to_string())))
}

/// The words an event is found by: its title, summary, place, its
/// participants' names (a country's: every name and alias it has), the
/// words its sources say it with (their quotes) and its tags, stemmed
/// (`search::indexed_text`).
pub fn search_text(
    row: &event::Model,
    participants: &[&participant::Model],
    evidence: &[&Evidence],
    tags: &[String],
) -> String {
    let mut texts: Vec<String> = vec![row.title.clone()];
    texts.extend(row.summary.clone());
    texts.extend(row.location_name.clone());
    for p in participants {
        texts.push(p.name.clone());
        if let ("country", Some(code)) = (p.kind.as_str(), &p.country) {
            texts.extend(countries::every_name(code).iter().map(|name| name.to_string()));
        }
    }
    texts.extend(evidence.iter().filter_map(|e| e.quote.clone()));
    texts.extend(tags.iter().cloned());
    indexed_text(texts.iter().map(String::as_str))
}

/// Renders the documents and search texts of events again from the stored rows, after a
/// participant or source they name has changed: four queries per thousand
/// events, never one per event.
pub async fn rerender<C: ConnectionTrait>(txn: &C, event_ids: &[i64]) -> Result<(), ApiError> {
    for chunk in event_ids.chunks(1_000) {
        let ids = chunk.to_vec();
        let rows = event::Entity::find().filter(event::Column::Id.is_in(ids.clone())).all(txn).await?;

        let mut participants: HashMap<i64, Vec<(participant::Model, Option<String>)>> = HashMap::new();
        let links = event_participant::Entity::find()
            .filter(event_participant::Column::EventId.is_in(ids.clone()))
            .order_by_asc(event_participant::Column::EventId)
            .order_by_asc(event_participant::Column::Position)
            .find_also_related(participant::Entity)
            .all(txn)
            .await?;
        for (link, p) in links {
            participants.entry(link.event_id).or_default().extend(p.map(|p| (p, link.role)));
        }

        let mut sources: HashMap<i64, Vec<(source::Model, Evidence)>> = HashMap::new();
        let links = event_source::Entity::find()
            .filter(event_source::Column::EventId.is_in(ids.clone()))
            .order_by_asc(event_source::Column::EventId)
            .order_by_asc(event_source::Column::Position)
            .find_also_related(source::Entity)
            .all(txn)
            .await?;
        for (link, s) in links {
            let evidence = Evidence { quote: link.quote, note: link.note };
            sources.entry(link.event_id).or_default().extend(s.map(|s| (s, evidence)));
        }

        let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
        let rows_tags = event_tag::Entity::find()
            .filter(event_tag::Column::EventId.is_in(ids))
            .order_by_asc(event_tag::Column::EventId)
            .order_by_asc(event_tag::Column::Position)
            .all(txn)
            .await?;
        for t in rows_tags {
            tags.entry(t.event_id).or_default().push(t.tag);
        }

        for row in rows {
            let taking_part = participants.remove(&row.id).unwrap_or_default();
            let taking_part: Vec<_> = taking_part.iter().map(|(p, role)| (p, role.as_deref())).collect();
            let cited = sources.remove(&row.id).unwrap_or_default();
            let cited: Vec<(&source::Model, &Evidence)> = cited.iter().map(|(s, e)| (s, e)).collect();
            let tags = tags.remove(&row.id).unwrap_or_default();
            let document = render(&row, &taking_part, &cited, &tags)?;
            let people: Vec<&participant::Model> = taking_part.iter().map(|(p, _)| *p).collect();
            let quotes: Vec<&Evidence> = cited.iter().map(|(_, e)| *e).collect();
            event::Entity::update_many()
                .col_expr(event::Column::Document, Expr::value(document))
                .col_expr(event::Column::SearchText, Expr::value(search_text(&row, &people, &quotes, &tags)))
                .filter(event::Column::Id.eq(row.id))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}
