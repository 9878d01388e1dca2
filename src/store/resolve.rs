//! Resolving the participants and sources a batch names: matched by
//! identity or url, or created, for the whole batch at once.

use super::batch::{BatchStore, WriteCounts, unique_to_conflict};
use crate::domain::countries::fold;
use crate::domain::{NewEvent, NewParticipant, NewSource, ParticipantSpec, Published, SourceSpec};
use crate::error::ApiError;
use entity::{participant, source};
use std::collections::{BTreeSet, HashMap};

/// The participants the batch names, by identity (described ones, matched
/// or created) and by id (those named by id, which must exist).
pub struct People {
    by_identity: HashMap<String, participant::Model>,
    by_id: HashMap<i64, participant::Model>,
}

impl People {
    pub fn get(&self, spec: &ParticipantSpec) -> Option<&participant::Model> {
        match spec {
            ParticipantSpec::Existing(id) => self.by_id.get(id),
            ParticipantSpec::Described(p) => self.by_identity.get(&p.identity()),
        }
    }
}

pub async fn resolve_participants<S: BatchStore>(
    store: &mut S,
    events: &[NewEvent],
    counts: &mut WriteCounts,
) -> Result<People, ApiError> {
    // In order of first appearance, so new participants get their ids in
    // the order the batch names them.
    let mut identities: Vec<String> = Vec::new();
    let mut described: HashMap<String, &NewParticipant> = HashMap::new();
    let mut ids: BTreeSet<i64> = BTreeSet::new();
    for (spec, _) in events.iter().flat_map(|e| &e.participants) {
        match spec {
            ParticipantSpec::Existing(id) => {
                ids.insert(*id);
            }
            ParticipantSpec::Described(p) => {
                if let std::collections::hash_map::Entry::Vacant(entry) = described.entry(p.identity()) {
                    identities.push(entry.key().clone());
                    entry.insert(p);
                }
            }
        }
    }
    let ids: Vec<i64> = ids.into_iter().collect();
    let by_id: HashMap<i64, participant::Model> =
        store.participants_by_id(&ids).await?.into_iter().map(|r| (r.id, r)).collect();
    for event in events {
        for (i, (spec, _)) in event.participants.iter().enumerate() {
            if let ParticipantSpec::Existing(id) = spec
                && !by_id.contains_key(id)
            {
                return Err(ApiError::invalid(format!("participants[{i}].id"), format!("no participant with id {id}")));
            }
        }
    }

    let mut by_identity: HashMap<String, participant::Model> =
        store.participants_by_identity(&identities).await?.into_iter().map(|r| (r.identity.clone(), r)).collect();
    let missing: Vec<participant::Model> = identities
        .iter()
        .filter(|identity| !by_identity.contains_key(*identity))
        .map(|identity| {
            let p = described[identity];
            participant::Model {
                id: 0,
                kind: p.kind.clone(),
                name: p.name.clone(),
                country: p.country.clone(),
                identity: identity.clone(),
                folded: Some(fold(&p.name)),
                search_names: None,
            }
        })
        .collect();
    if !missing.is_empty() {
        counts.participants_created += missing.len() as u64;
        let created = store
            .insert_participants(missing)
            .await
            .map_err(|e| unique_to_conflict(e, "participants", "a participant was created concurrently; retry"))?;
        by_identity.extend(created.into_iter().map(|r| (r.identity.clone(), r)));
    }
    Ok(People { by_identity, by_id })
}

/// The sources of the batch: by identity (url, or title, publisher and
/// date; matched or created) and by id.
pub struct Sources {
    by_identity: HashMap<String, source::Model>,
    by_id: HashMap<i64, source::Model>,
}

impl Sources {
    pub fn get(&self, spec: &SourceSpec) -> Option<&source::Model> {
        match spec {
            SourceSpec::Existing(id) => self.by_id.get(id),
            SourceSpec::Described(s) => self.by_identity.get(&s.identity()),
        }
    }
}

pub async fn resolve_sources<S: BatchStore>(
    store: &mut S,
    events: &[NewEvent],
    counts: &mut WriteCounts,
) -> Result<Sources, ApiError> {
    let mut identities: Vec<String> = Vec::new();
    let mut described: HashMap<String, &NewSource> = HashMap::new();
    let mut ids: BTreeSet<i64> = BTreeSet::new();
    for (spec, _) in events.iter().flat_map(|e| &e.sources) {
        match spec {
            SourceSpec::Existing(id) => {
                ids.insert(*id);
            }
            SourceSpec::Described(s) => {
                if let std::collections::hash_map::Entry::Vacant(entry) = described.entry(s.identity()) {
                    identities.push(entry.key().clone());
                    entry.insert(s);
                }
            }
        }
    }
    let ids: Vec<i64> = ids.into_iter().collect();
    let by_id: HashMap<i64, source::Model> = store.sources_by_id(&ids).await?.into_iter().map(|r| (r.id, r)).collect();
    for event in events {
        for (i, (spec, _)) in event.sources.iter().enumerate() {
            if let SourceSpec::Existing(id) = spec
                && !by_id.contains_key(id)
            {
                return Err(ApiError::invalid(format!("sources[{i}].id"), format!("no source with id {id}")));
            }
        }
    }

    let mut by_identity: HashMap<String, source::Model> =
        store.sources_by_identity(&identities).await?.into_iter().map(|r| (r.identity.clone(), r)).collect();
    let missing: Vec<source::Model> =
        identities.iter().filter(|i| !by_identity.contains_key(*i)).map(|i| source_row(described[i])).collect();
    if !missing.is_empty() {
        counts.sources_created += missing.len() as u64;
        let created = store
            .insert_sources(missing)
            .await
            .map_err(|e| unique_to_conflict(e, "sources", "a source was created concurrently; retry"))?;
        by_identity.extend(created.into_iter().map(|r| (r.identity.clone(), r)));
    }
    Ok(Sources { by_identity, by_id })
}

/// The row of a source; `id` is set by the insert.
pub fn source_row(new: &NewSource) -> source::Model {
    source::Model {
        id: 0,
        url: new.url.clone(),
        title: new.title.clone(),
        publisher: new.publisher.clone(),
        published_at: new.published.as_ref().and_then(Published::at),
        language: new.language.clone(),
        identity: new.identity(),
        published: new.published.as_ref().map(Published::text),
    }
}
