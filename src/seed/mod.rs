//! The seed: every event that the 2025-11-01 article on Russia and the DPRK
//! mentions (`shared/seed/article-2025-11-01-ru.txt`), kept in the
//! interchange format beside this file and written through the same checks
//! and write path as an import, so a seeded event is stored exactly as an
//! imported or posted one. It is the migration step that follows the
//! schema; undoing it keeps what other events still use.

use crate::domain::participant::identity;
use crate::domain::{NewEvent, ParticipantSpec, SourceSpec};
use crate::import::parse_line;
use crate::store::{self, Mode};
use migration::{DbErr, MigrationName, MigrationTrait, SchemaManager};

const ARTICLE: &str = include_str!("article-2025-11-01.ndjson");

/// ASEAN's members, as the article's ADMM-Plus meeting lists them.
const ASEAN_MEMBERS: [&str; 10] = ["BN", "VN", "ID", "KH", "LA", "MY", "MM", "SG", "TH", "PH"];

pub struct SeedArticle;

impl MigrationName for SeedArticle {
    fn name(&self) -> &str {
        "m20251101_000002_seed_article"
    }
}

#[migration::async_trait::async_trait]
impl MigrationTrait for SeedArticle {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let mut events = seed_events()?;
        // An event a user already wrote under a seed key stays theirs.
        let existing = store::existing_keys(conn, &events.iter().map(|e| e.key.clone()).collect::<Vec<_>>()).await?;
        events.retain(|e| !existing.contains(&e.key));
        store::write_events(conn, events, Mode::CreateOnly).await.map_err(into_db_err)?;
        store::add_members(conn, &identity("organization", "ASEAN", None), &ASEAN_MEMBERS).await.map_err(into_db_err)
    }

    /// Removes the seeded events, then the article and the seed's
    /// participants where nothing else uses them.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let events = seed_events()?;
        let keys: Vec<String> = events.iter().map(|e| e.key.clone()).collect();
        store::delete_events(conn, &keys).await.map_err(into_db_err)?;
        let urls: Vec<String> = events
            .iter()
            .flat_map(|e| &e.sources)
            .filter_map(|s| match s {
                SourceSpec::Described(s) => Some(s.url.clone()),
                SourceSpec::Existing(_) => None,
            })
            .collect();
        store::delete_unused_sources(conn, &urls).await.map_err(into_db_err)?;
        // Organizations first, so that their member countries are free to go.
        let mut seeded: Vec<(bool, String)> = events
            .iter()
            .flat_map(|e| &e.participants)
            .filter_map(|(p, _)| match p {
                ParticipantSpec::Described(p) => Some((p.kind != "organization", p.identity())),
                ParticipantSpec::Existing(_) => None,
            })
            .collect();
        seeded.extend(ASEAN_MEMBERS.iter().map(|code| (true, identity("country", "", Some(code)))));
        seeded.sort_by_key(|(later, _)| *later);
        let identities: Vec<String> = seeded.into_iter().map(|(_, identity)| identity).collect();
        store::delete_unused_participants(conn, &identities).await.map_err(into_db_err)
    }
}

/// The seed's events, checked as an import checks its lines.
fn seed_events() -> Result<Vec<NewEvent>, DbErr> {
    let mut events = Vec::new();
    for (i, line) in ARTICLE.lines().enumerate() {
        let event = parse_line(line.as_bytes())
            .map_err(|(field, reason)| DbErr::Migration(format!("seed line {}: {field:?}: {reason}", i + 1)))?;
        events.push(event);
    }
    Ok(events)
}

fn into_db_err(e: crate::error::ApiError) -> DbErr {
    match e {
        crate::error::ApiError::Database(e) => e,
        other => DbErr::Migration(other.to_string()),
    }
}
