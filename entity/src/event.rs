use sea_orm::entity::prelude::*;

/// A world event. `date_edtf` is its date (EDTF, as the service's
/// `EventDate` writes it); `start_date` and `last_day` are the earliest and
/// latest day it could have happened on, so window queries are plain range
/// comparisons. `end_date` and `date_precision` are the first API's view of
/// the date, `known_precision` how finely it is known.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
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
    pub date_edtf: String,
    pub known_precision: String,
    /// The source's words for the date.
    pub date_text: Option<String>,
    /// How the date was worked out.
    pub date_basis: Option<String>,
    pub location_name: Option<String>,
    pub location_country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub content_hash: String,
    /// A digest of the import line it was last written from; none when
    /// it was written any other way.
    pub line_hash: Option<i64>,
    /// The event as the API renders it (JSON); empty until rendered.
    pub document: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
