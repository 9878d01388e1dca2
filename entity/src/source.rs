use sea_orm::entity::prelude::*;

/// A report (article, statement page…) that backs one or more events.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub url: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    pub language: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
