//! The seed: every event that the 2025-11-01 article on Russia and the DPRK
//! mentions (`shared/seed/article-2025-11-01-ru.txt`), as the article gives
//! it: who, where, and when as finely as the text says, with the words it
//! dates it by, the passage each event rests on, and nothing more. It is kept
//! in the interchange format beside this file and written through the same
//! checks and write path as an import, so a seeded event is stored exactly
//! as an imported or posted one. It is the last migration step (see
//! `migrator`); undoing it keeps what other events still use.

use crate::domain::countries::Lang;
use crate::domain::participant::{OtherNames, identity};
use crate::domain::{NewEvent, ParticipantSpec, SourceSpec};
use crate::import::parse_line;
use crate::store::{self, Mode};
use migration::{DbErr, MigrationName, MigrationTrait, SchemaManager};

const ARTICLE: &str = include_str!("article-2025-11-01.ndjson");

/// ASEAN's members, as the article's ADMM-Plus meeting lists them.
const ASEAN_MEMBERS: [&str; 10] = ["BN", "VN", "ID", "KH", "LA", "MY", "MM", "SG", "TH", "PH"];

/// The content digests of the first seed's events (`FirstSeed`): an event
/// under a seed key whose digest is still one of these is as that seed
/// wrote it, and is replaced; one a user changed is theirs and stays.
const FIRST_SEED_DIGESTS: [&str; 7] = [
    "a54df1d5d7eb584220128d7ef10d67faeed227efa3003a10f9e4de29e71539ee",
    "b352cf5aa382e84194e544d1fb569b2c38737bfba9bef501f1db1213203e368b",
    "9fa142f260bd78ba81a9c4d13a0119cef371919881c6593860cfb02641a584c2",
    "1aeaa6bb3d2676014d14ee68a98e295cd047a4b5712781463a88518b2595d9d4",
    "71b72ece041a33990bfb7394717af14061e7ef33f8c2c998d7432a5c1f35fb89",
    "a3467b96fc0290f8625d144d8e1226aa8c3e5ad6904632d93d85d31a0e59d1a6",
    "ca5c8a1a54002a4d1b113c3c7e594e12c9f1e1884c53be30a35ab8e3437716ff",
];

/// The address the first seed made up for the article, which has none.
const FIRST_SEED_URL: &str = "https://news.example.org/2025/11/01/russia-dprk-savelyev/";

pub struct SeedArticle;

impl MigrationName for SeedArticle {
    fn name(&self) -> &str {
        "m20261201_000003_seed_article"
    }
}

#[migration::async_trait::async_trait]
impl MigrationTrait for SeedArticle {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let mut events = seed_events()?;
        let keys: Vec<String> = events.iter().map(|e| e.key.clone()).collect();
        // An event a user wrote or changed under a seed key stays theirs.
        let theirs = store::existing_keys_unless_digest(conn, &keys, &FIRST_SEED_DIGESTS).await?;
        events.retain(|e| !theirs.contains(&e.key));
        store::write_events(conn, events, Mode::CreateOrReplace).await.map_err(into_db_err)?;
        store::delete_unused_sources(conn, &[FIRST_SEED_URL.to_owned()]).await.map_err(into_db_err)?;
        store::add_members(conn, &identity("organization", "ASEAN", None), &ASEAN_MEMBERS).await.map_err(into_db_err)
    }

    /// Removes the seeded events, then the article and the seed's
    /// participants where nothing else uses them.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let events = seed_events()?;
        let keys: Vec<String> = events.iter().map(|e| e.key.clone()).collect();
        store::delete_events(conn, &keys).await.map_err(into_db_err)?;
        let mut sources: Vec<String> = events
            .iter()
            .flat_map(|e| &e.sources)
            .filter_map(|(s, _)| match s {
                SourceSpec::Described(s) => Some(s.identity()),
                SourceSpec::Existing(_) => None,
            })
            .collect();
        sources.dedup();
        store::delete_unused_sources(conn, &sources).await.map_err(into_db_err)?;
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

/// The Russian names of the seed's people and organizations, as the
/// article writes them, in the nominative where it only inflects them
/// ("с Дмитрием Медведевым", "Единой России", "с Ким Чен Ыном"). Its
/// countries have theirs from CLDR.
const RUSSIAN_NAMES: [(&str, &str, Option<&str>, &str); 7] = [
    ("person", "Oleg Savelyev", Some("RU"), "Олег Савельев"),
    ("person", "Vladimir Putin", Some("RU"), "Владимир Путин"),
    ("person", "Kim Jong Un", Some("KP"), "Ким Чен Ын"),
    ("person", "Dmitry Medvedev", Some("RU"), "Дмитрий Медведев"),
    ("person", "Choe Son Hui", Some("KP"), "Цой Сон Хи"),
    ("organization", "United Russia", Some("RU"), "Единая Россия"),
    ("organization", "ASEAN", None, "АСЕАН"),
];

/// Gives the seed's people and organizations their Russian names from the
/// article (`RUSSIAN_NAMES`), where they have no other names yet: a step
/// of its own, after `SeedArticle`, so that databases seeded before it get
/// them too.
pub struct SeedRussianNames;

impl MigrationName for SeedRussianNames {
    fn name(&self) -> &str {
        "m20261204_000002_seed_russian_names"
    }
}

#[migration::async_trait::async_trait]
impl MigrationTrait for SeedRussianNames {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        for (kind, name, country, russian) in RUSSIAN_NAMES {
            let names = OtherNames { by_lang: vec![(Lang::Ru, russian.to_owned())], aliases: Vec::new() };
            store::add_other_names(conn, &identity(kind, name, country), &names).await.map_err(into_db_err)?;
        }
        Ok(())
    }

    /// Keeps the names: what a user may have built on them (their own
    /// aliases beside them) is not told apart from the seed's.
    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
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
