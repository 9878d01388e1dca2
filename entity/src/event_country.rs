use sea_orm::entity::prelude::*;

/// Derived index: one row per (event, country) where a participant of the
/// event is that country or a person of that nationality. It carries the
/// event's dates so "events of country C, newest first" is one index range
/// scan whatever the size of the database. Maintained by the write path.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "event_countries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub country: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub start_date: Date,
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: i64,
    pub last_day: Date,
    /// The event's other countries, space-separated in code order (empty
    /// when it has one): a walk of a country's timeline meets its partners
    /// without looking up each event's countries.
    pub partners: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
