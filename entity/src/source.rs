use sea_orm::entity::prelude::*;

/// A report (article, broadcast, statement page…) that backs one or more
/// events. `identity` is unique: the url, or title, publisher and date for
/// a source with no url.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "sources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub url: Option<String>,
    pub title: Option<String>,
    pub publisher: Option<String>,
    /// Only when a time is known.
    pub published_at: Option<DateTimeUtc>,
    pub language: Option<String>,
    #[sea_orm(unique)]
    pub identity: String,
    /// A date or a date-time, as finely as known.
    pub published: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
