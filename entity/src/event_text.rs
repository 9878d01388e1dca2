use sea_orm::entity::prelude::*;

/// Derived: the words an event is searched by, one row per event, written
/// by the write path. `search_text` is the stems of its words; `countries`
/// its countries' codes (those of `event_countries`), for SQLite's index to
/// filter by; `position` its place in timeline order, which SQLite's index
/// uses as its rowid. Apart from `events` so that a timeline page's rows
/// stay narrow.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "event_texts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: i64,
    pub position: i64,
    pub search_text: String,
    pub countries: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
