//! Seeds every event that the 2025-11-01 article on Russia and the DPRK
//! mentions (`shared/seed/article-2025-11-01-ru.txt`), with the article as
//! their source. Dates keep the precision the article gives: "June 2024" is a
//! month, "in 2024" a year, "last week" the week before publication.

use chrono::{DateTime, NaiveDate, Utc};
use entity::derived::{Precision, last_day, participant_identity, span_days};
use entity::{
    event, event_country, event_participant, event_source, event_tag, participant, participant_member, source,
};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use std::collections::BTreeSet;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ARTICLE_URL: &str = "https://news.example.org/2025/11/01/russia-dprk-savelyev/";
const ARTICLE_TITLE: &str = "Замминистра исключил принцип «против кого мы за» в союзе с КНДР";

/// A participant as the seed names it: (kind, name, country).
type Who = (&'static str, &'static str, Option<&'static str>);
/// A location: (name, country, (lat, lon)).
type Place = (Option<&'static str>, &'static str, Option<(f64, f64)>);

const ASEAN_MEMBERS: [(&str, &str); 10] = [
    ("BN", "Brunei"),
    ("VN", "Vietnam"),
    ("ID", "Indonesia"),
    ("KH", "Cambodia"),
    ("LA", "Laos"),
    ("MY", "Malaysia"),
    ("MM", "Myanmar"),
    ("SG", "Singapore"),
    ("TH", "Thailand"),
    ("PH", "Philippines"),
];
const DIALOGUE_PARTNERS: [(&str, &str); 8] = [
    ("AU", "Australia"),
    ("IN", "India"),
    ("CN", "China"),
    ("NZ", "New Zealand"),
    ("KR", "South Korea"),
    ("RU", "Russia"),
    ("US", "United States"),
    ("JP", "Japan"),
];
const RU: Who = ("country", "Russia", Some("RU"));
const KP: Who = ("country", "North Korea", Some("KP"));
const PUTIN: Who = ("person", "Vladimir Putin", Some("RU"));
const KIM: Who = ("person", "Kim Jong Un", Some("KP"));
const ASEAN: Who = ("organization", "ASEAN", None);

struct SeedEvent {
    key: &'static str,
    kind: &'static str,
    title: &'static str,
    summary: &'static str,
    start: (i32, u32, u32),
    end: Option<(i32, u32, u32)>,
    precision: Precision,
    location: Option<Place>,
    participants: Vec<(Who, &'static str)>,
    tags: &'static [&'static str],
}

fn seed_events() -> Vec<SeedEvent> {
    let mut admm_participants: Vec<(Who, &str)> =
        vec![(("person", "Oleg Savelyev", Some("RU")), "speaker"), (ASEAN, "host")];
    for (code, name) in ASEAN_MEMBERS {
        let role = if code == "MY" { "host" } else { "member" };
        admm_participants.push((("country", name, Some(code)), role));
    }
    for (code, name) in DIALOGUE_PARTNERS {
        admm_participants.push((("country", name, Some(code)), "dialogue partner"));
    }
    vec![
        SeedEvent {
            key: "2025-11-01-admm-plus-kuala-lumpur",
            kind: "meeting",
            title: "ADMM-Plus defence ministers' meeting in Kuala Lumpur",
            summary: "At the meeting of defence ministers of ASEAN and its dialogue partners (ADMM-Plus) in Kuala Lumpur, Russian Deputy Defence Minister Oleg Savelyev said Russia–DPRK cooperation is not aimed against anyone and excludes the principle «против кого мы за» (\"whom are we against\"), called the Russia–DPRK treaty «абсолютно прозрачным» (\"absolutely transparent\"), and warned of growing militarisation in the Asia-Pacific: «Россия выступает за соблюдение принципа единой и неделимой безопасности».",
            start: (2025, 11, 1),
            end: None,
            precision: Precision::Day,
            location: Some((Some("Kuala Lumpur"), "MY", Some((3.139, 101.687)))),
            participants: admm_participants,
            tags: &["defence", "asean", "admm-plus", "russia", "dprk"],
        },
        SeedEvent {
            key: "2024-06-russia-dprk-strategic-partnership-treaty",
            kind: "treaty",
            title: "Russia–DPRK Treaty on Comprehensive Strategic Partnership signed in Pyongyang",
            summary: "Vladimir Putin and Kim Jong Un signed the Treaty on Comprehensive Strategic Partnership between Russia and the DPRK («Договор о всеобъемлющем стратегическом партнерстве») in Pyongyang. It includes a clause on military assistance if either side is attacked. The article gives the month, not the day.",
            start: (2024, 6, 1),
            end: None,
            precision: Precision::Month,
            location: Some((Some("Pyongyang"), "KP", Some((39.039, 125.762)))),
            participants: vec![(RU, "signatory"), (KP, "signatory"), (PUTIN, "signatory"), (KIM, "signatory")],
            tags: &["treaty", "defence", "strategic-partnership", "russia", "dprk"],
        },
        SeedEvent {
            key: "2024-putin-eurasian-security-architecture",
            kind: "statement",
            title: "Putin proposes a new Eurasian security architecture",
            summary: "In 2024 Vladimir Putin put forward an initiative to build a new architecture of Eurasian security that takes into account the interests of all countries instead of creating dividing lines («новой архитектуры евразийской безопасности»).",
            start: (2024, 1, 1),
            end: None,
            precision: Precision::Year,
            location: None,
            participants: vec![(RU, "initiator"), (PUTIN, "initiator")],
            tags: &["security", "eurasia", "russia"],
        },
        SeedEvent {
            key: "2025-10-kim-jong-un-friendship-at-peak",
            kind: "statement",
            title: "Kim Jong Un: Russian–Korean friendship is at its peak",
            summary: "In the week before 1 November 2025 («на прошлой неделе») the DPRK leader said that Russian–Korean friendship is at its peak and that the combat brotherhood of the two countries will develop continuously.",
            start: (2025, 10, 20),
            end: Some((2025, 10, 26)),
            precision: Precision::Day,
            location: None,
            participants: vec![(KIM, "speaker"), (KP, "speaker"), (RU, "addressee")],
            tags: &["statement", "russia", "dprk"],
        },
        SeedEvent {
            key: "2025-10-united-russia-delegation-visits-dprk",
            kind: "visit",
            title: "United Russia delegation visits the DPRK",
            summary: "A delegation of the United Russia party led by its chairman Dmitry Medvedev, deputy chairman of Russia's Security Council, visited the DPRK in early October 2025.",
            start: (2025, 10, 1),
            end: None,
            precision: Precision::Month,
            location: Some((None, "KP", None)),
            participants: vec![
                (("organization", "United Russia", Some("RU")), "guest"),
                (("person", "Dmitry Medvedev", Some("RU")), "guest"),
                (RU, "guest"),
                (KP, "host"),
            ],
            tags: &["visit", "party", "russia", "dprk"],
        },
        SeedEvent {
            key: "2025-10-kim-jong-un-meets-medvedev",
            kind: "meeting",
            title: "Kim Jong Un meets Dmitry Medvedev",
            summary: "In early October 2025 Kim Jong Un met Dmitry Medvedev, deputy chairman of Russia's Security Council and chairman of United Russia, during the party delegation's visit to the DPRK.",
            start: (2025, 10, 1),
            end: None,
            precision: Precision::Month,
            location: Some((None, "KP", None)),
            participants: vec![
                (KIM, "host"),
                (("person", "Dmitry Medvedev", Some("RU")), "guest"),
                (KP, "host"),
                (RU, "guest"),
            ],
            tags: &["diplomacy", "russia", "dprk"],
        },
        SeedEvent {
            key: "2025-10-27-putin-receives-choe-son-hui",
            kind: "meeting",
            title: "Putin receives DPRK Foreign Minister Choe Son Hui in the Kremlin",
            summary: "Vladimir Putin received North Korea's Foreign Minister Choe Son Hui in the Kremlin and passed his best wishes to Kim Jong Un.",
            start: (2025, 10, 27),
            end: None,
            precision: Precision::Day,
            location: Some((Some("Moscow, the Kremlin"), "RU", Some((55.752, 37.617)))),
            participants: vec![
                (PUTIN, "host"),
                (("person", "Choe Son Hui", Some("KP")), "guest"),
                (RU, "host"),
                (KP, "guest"),
            ],
            tags: &["diplomacy", "foreign-ministers", "russia", "dprk"],
        },
    ]
}

fn date((y, m, d): (i32, u32, u32)) -> Result<NaiveDate, DbErr> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DbErr::Migration(format!("bad seed date {y}-{m}-{d}")))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let published: DateTime<Utc> = DateTime::from_naive_utc_and_offset(date((2025, 11, 1))?.into(), Utc);
        let source_id = match source::Entity::find().filter(source::Column::Url.eq(ARTICLE_URL)).one(db).await? {
            Some(existing) => existing.id,
            None => {
                source::ActiveModel {
                    url: Set(ARTICLE_URL.to_owned()),
                    title: Set(Some(ARTICLE_TITLE.to_owned())),
                    publisher: Set(None),
                    published_at: Set(Some(published)),
                    language: Set(Some("ru".to_owned())),
                    ..Default::default()
                }
                .insert(db)
                .await?
                .id
            }
        };

        let asean_id = participant_id(db, ASEAN).await?;
        for (code, name) in ASEAN_MEMBERS {
            let member_id = participant_id(db, ("country", name, Some(code))).await?;
            let exists = participant_member::Entity::find_by_id((asean_id, member_id)).one(db).await?.is_some();
            if !exists {
                participant_member::ActiveModel { organization_id: Set(asean_id), member_id: Set(member_id) }
                    .insert(db)
                    .await?;
            }
        }

        for seed in seed_events() {
            if event::Entity::find().filter(event::Column::Key.eq(seed.key)).one(db).await?.is_some() {
                continue;
            }
            let start = date(seed.start)?;
            let end = seed.end.map(date).transpose()?;
            let last = last_day(start, end, seed.precision);
            let (location_name, location_country, coords) = match seed.location {
                Some((name, country, coords)) => (name.map(str::to_owned), Some(country.to_owned()), coords),
                None => (None, None, None),
            };
            let event_id = event::ActiveModel {
                key: Set(seed.key.to_owned()),
                kind: Set(seed.kind.to_owned()),
                title: Set(seed.title.to_owned()),
                summary: Set(Some(seed.summary.to_owned())),
                start_date: Set(start),
                end_date: Set(end),
                last_day: Set(last),
                span_days: Set(span_days(start, last)),
                date_precision: Set(seed.precision.as_str().to_owned()),
                location_name: Set(location_name),
                location_country: Set(location_country),
                lat: Set(coords.map(|c| c.0)),
                lon: Set(coords.map(|c| c.1)),
                // No digest: the first write of a seeded event through the
                // API counts as a change, which is the truth.
                content_hash: Set(String::new()),
                // Rendered by the service when it starts (it owns the format).
                document: Set(String::new()),
                created_at: Set(published),
                updated_at: Set(published),
                ..Default::default()
            }
            .insert(db)
            .await?
            .id;

            let mut countries = BTreeSet::new();
            for (position, (who, role)) in seed.participants.iter().enumerate() {
                let pid = participant_id(db, *who).await?;
                if who.0 != "organization" {
                    countries.extend(who.2);
                }
                event_participant::ActiveModel {
                    event_id: Set(event_id),
                    position: Set(position as i32),
                    participant_id: Set(pid),
                    role: Set(Some((*role).to_owned())),
                }
                .insert(db)
                .await?;
            }
            for country in countries {
                event_country::ActiveModel {
                    country: Set(country.to_owned()),
                    start_date: Set(start),
                    event_id: Set(event_id),
                    last_day: Set(last),
                }
                .insert(db)
                .await?;
            }
            event_source::ActiveModel { event_id: Set(event_id), position: Set(0), source_id: Set(source_id) }
                .insert(db)
                .await?;
            for (position, tag) in seed.tags.iter().enumerate() {
                event_tag::ActiveModel {
                    event_id: Set(event_id),
                    position: Set(position as i32),
                    tag: Set((*tag).to_owned()),
                }
                .insert(db)
                .await?;
            }
        }
        Ok(())
    }

    /// Removes the seeded events, then the article source and the seed's
    /// participants where no other event still uses them.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let keys: Vec<&str> = seed_events().iter().map(|e| e.key).collect();
        event::Entity::delete_many().filter(event::Column::Key.is_in(keys)).exec(db).await?;

        if let Some(article) = source::Entity::find().filter(source::Column::Url.eq(ARTICLE_URL)).one(db).await? {
            let used =
                event_source::Entity::find().filter(event_source::Column::SourceId.eq(article.id)).one(db).await?;
            if used.is_none() {
                source::Entity::delete_by_id(article.id).exec(db).await?;
            }
        }

        // Organizations first, so their member countries are free to go.
        let mut seeded: Vec<Who> = vec![ASEAN];
        for seed in seed_events() {
            seeded.extend(seed.participants.iter().map(|(who, _)| *who).filter(|who| who.0 == "organization"));
        }
        for seed in seed_events() {
            seeded.extend(seed.participants.iter().map(|(who, _)| *who).filter(|who| who.0 != "organization"));
        }
        seeded.extend(ASEAN_MEMBERS.iter().map(|(code, name)| ("country", *name, Some(*code))));
        for who in seeded {
            let identity = participant_identity(who.0, who.1, who.2);
            let Some(row) =
                participant::Entity::find().filter(participant::Column::Identity.eq(identity)).one(db).await?
            else {
                continue;
            };
            let in_event = event_participant::Entity::find()
                .filter(event_participant::Column::ParticipantId.eq(row.id))
                .one(db)
                .await?;
            let in_org = participant_member::Entity::find()
                .filter(participant_member::Column::MemberId.eq(row.id))
                .one(db)
                .await?;
            if in_event.is_none() && in_org.is_none() {
                participant::Entity::delete_by_id(row.id).exec(db).await?;
            }
        }
        Ok(())
    }
}

/// The id of the participant, inserting it when it is new.
async fn participant_id<C: sea_orm_migration::sea_orm::ConnectionTrait>(
    db: &C,
    (kind, name, country): Who,
) -> Result<i64, DbErr> {
    let identity = participant_identity(kind, name, country);
    if let Some(row) =
        participant::Entity::find().filter(participant::Column::Identity.eq(identity.clone())).one(db).await?
    {
        return Ok(row.id);
    }
    let row = participant::ActiveModel {
        kind: Set(kind.to_owned()),
        name: Set(name.to_owned()),
        country: Set(country.map(str::to_owned)),
        identity: Set(identity),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}
