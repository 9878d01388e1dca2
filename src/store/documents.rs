//! What is stored of each event beside its own columns: its document, the
//! JSON the API serves for it (`render`), and the text it is searched by
//! (`text_row`). Both are made when an event is written and again, from the
//! stored rows, when a participant or source it names changes.

use crate::domain::Evidence;
use crate::domain::countries;
use crate::domain::participant::event_countries;
use crate::error::ApiError;
use crate::models::{DateFields, Event, EventParticipant, EventSource, Location, Source, stored_date};
use crate::search::{self, OwnStems, indexed_text};
use chrono::NaiveDate;
use entity::{event, event_participant, event_source, event_tag, event_text, participant, source};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

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

/// The `event_texts` row of an event: its own words stemmed (`OwnStems`:
/// title, summary and place, then its sources' quotes and its tags) with
/// its participants' names between them and its countries' after (each in
/// every language and alias it has), and its countries.
pub fn text_row(
    event_id: i64,
    start: NaiveDate,
    own: &OwnStems,
    participants: &[&participant::Model],
) -> event_text::Model {
    let people = participants.iter().filter(|p| p.kind != "country").map(|p| p.name.as_str());
    let mut search_text = own.head.clone();
    let mut append = |stems: &str| {
        if !stems.is_empty() {
            if !search_text.is_empty() {
                search_text.push(' ');
            }
            search_text.push_str(stems);
        }
    };
    append(&indexed_text(people));
    append(&own.tail);
    for p in participants {
        match (p.kind.as_str(), p.country.as_deref()) {
            // A country's names are many and the same in every event: stemmed once.
            ("country", Some(code)) => append(indexed_names(code)),
            ("country", None) => append(&indexed_text([p.name.as_str()])),
            // A person's or organization's other names, stemmed when given.
            _ => append(p.search_names.as_deref().unwrap_or_default()),
        }
    }
    let codes = event_countries(participants.iter().map(|p| (p.kind.as_str(), p.country.as_deref())));
    event_text::Model {
        event_id,
        position: search::position(start, event_id),
        search_text,
        countries: codes.into_iter().collect::<Vec<_>>().join(" "),
    }
}

/// Every name and alias of a country (`countries::every_name`), stemmed.
fn indexed_names(code: &str) -> &'static str {
    static INDEXED: LazyLock<Mutex<HashMap<String, &'static str>>> = LazyLock::new(Default::default);
    let mut known = INDEXED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // At most one string per ISO code is ever made, so leaking them is bounded.
    known.entry(code.to_owned()).or_insert_with(|| indexed_text(countries::every_name(code).iter().copied()).leak())
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

        let mut texts = Vec::with_capacity(rows.len());
        for row in rows {
            let taking_part = participants.remove(&row.id).unwrap_or_default();
            let taking_part: Vec<_> = taking_part.iter().map(|(p, role)| (p, role.as_deref())).collect();
            let cited = sources.remove(&row.id).unwrap_or_default();
            let cited: Vec<(&source::Model, &Evidence)> = cited.iter().map(|(s, e)| (s, e)).collect();
            let tags = tags.remove(&row.id).unwrap_or_default();
            let document = render(&row, &taking_part, &cited, &tags)?;
            let people: Vec<&participant::Model> = taking_part.iter().map(|(p, _)| *p).collect();
            let quotes = cited.iter().filter_map(|(_, e)| e.quote.as_deref());
            let own = OwnStems::of(&row.title, row.summary.as_deref(), row.location_name.as_deref(), quotes, &tags);
            texts.push(text_row(row.id, row.start_date, &own, &people));
            event::Entity::update_many()
                .col_expr(event::Column::Document, Expr::value(document))
                .filter(event::Column::Id.eq(row.id))
                .exec(txn)
                .await?;
        }
        event_text::Entity::delete_many().filter(event_text::Column::EventId.is_in(chunk.to_vec())).exec(txn).await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            super::pg_batch::insert_texts(txn, &texts).await?;
        } else if !texts.is_empty() {
            event_text::Entity::insert_many(texts.into_iter().map(IntoActiveModel::into_active_model))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}
