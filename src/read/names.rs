//! Participants' names in other languages and aliases (`participant_names`):
//! read for the catalog's answers, and to show events' participants in the
//! language `lang` asks for.

use crate::db::Db;
use crate::domain::countries::{self, Lang};
use crate::domain::participant::OtherNames;
use crate::error::ApiError;
use crate::formats::read_document;
use entity::{participant, participant_name};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// The other names and aliases of these participants, as given.
pub async fn other_names(db: &Db, ids: &[i64]) -> Result<HashMap<i64, OtherNames>, ApiError> {
    let mut out: HashMap<i64, OtherNames> = HashMap::new();
    for chunk in ids.chunks(1_000) {
        let rows = participant_name::Entity::find()
            .filter(participant_name::Column::ParticipantId.is_in(chunk.to_vec()))
            .order_by_asc(participant_name::Column::ParticipantId)
            .order_by_asc(participant_name::Column::Position)
            .all(db.conn())
            .await?;
        for row in rows {
            let names = out.entry(row.participant_id).or_default();
            match row.lang.as_deref().and_then(Lang::from_code) {
                Some(lang) => names.by_lang.push((lang, row.name)),
                None => names.aliases.push(row.name),
            }
        }
    }
    Ok(out)
}

/// Stored event documents with each participant's name in `lang`: a
/// person's or organization's where it has one, a country's from CLDR.
/// One query for the page's participants.
pub async fn in_language(db: &Db, documents: Vec<String>, lang: Lang) -> Result<Vec<String>, ApiError> {
    let mut events = documents.iter().map(|d| read_document(d)).collect::<Result<Vec<_>, _>>()?;
    let mut ids: Vec<i64> =
        events.iter().flat_map(|e| &e.participants).filter(|p| p.kind != "country").map(|p| p.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names = own_names(db, ids, lang).await?;
    for p in events.iter_mut().flat_map(|e| &mut e.participants) {
        match (&p.code, names.get(&p.id)) {
            (_, Some(name)) => p.name.clone_from(name),
            (Some(code), None) => p.name = countries::name(code, lang.code()),
            (None, None) => {}
        }
    }
    events.iter().map(|e| serde_json::to_string(e).map_err(ApiError::stored_document)).collect()
}

/// These participants' own names in `lang`, where they have one.
async fn own_names(db: &Db, ids: Vec<i64>, lang: Lang) -> Result<HashMap<i64, String>, ApiError> {
    let rows = participant_name::Entity::find()
        .filter(participant_name::Column::ParticipantId.is_in(ids))
        .filter(participant_name::Column::Lang.eq(lang.code()))
        .all(db.conn())
        .await?;
    Ok(rows.into_iter().map(|row| (row.participant_id, row.name)).collect())
}

/// Names in `lang` for participants listed by id (a facet's values), as
/// events show them: its own name in that language, a country's from CLDR;
/// none for the others, which keep the name they were given.
pub async fn names_in(db: &Db, ids: &[i64], lang: Lang) -> Result<HashMap<i64, String>, ApiError> {
    let mut names = own_names(db, ids.to_vec(), lang).await?;
    let countries: Vec<(i64, Option<String>)> = participant::Entity::find()
        .select_only()
        .column(participant::Column::Id)
        .column(participant::Column::Country)
        .filter(participant::Column::Id.is_in(ids.to_vec()))
        .filter(participant::Column::Kind.eq("country"))
        .into_tuple()
        .all(db.conn())
        .await?;
    for (id, code) in countries {
        if let Some(code) = code {
            names.entry(id).or_insert_with(|| countries::name(&code, lang.code()));
        }
    }
    Ok(names)
}
