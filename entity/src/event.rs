use sea_orm::entity::prelude::*;

/// A world event. `start_date`/`end_date` hold the first day of the period the
/// source gives; `last_day` is the last day the event may cover once its
/// precision is taken into account (a `month` event starting 2025-10-01 ends
/// by 2025-10-31), so window queries are plain range comparisons.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub key: String,
    pub kind: String,
    pub title: String,
    pub summary: Option<String>,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub last_day: Date,
    pub span_days: i32,
    pub date_precision: String,
    pub location_name: Option<String>,
    pub location_country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub content_hash: String,
    /// The event as the API renders it (JSON); empty until rendered.
    pub document: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
