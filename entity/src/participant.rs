use sea_orm::entity::prelude::*;

/// A country, person or organization. `country` is the ISO code of a country,
/// the nationality of a person, or the home country of an organization.
/// `identity` is the unique matching key (kind + country + folded name), so
/// the same participant is one row across events.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "participants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub country: Option<String>,
    #[sea_orm(unique)]
    pub identity: String,
    /// `name` folded for matching (case, ё/е, diacritics).
    pub folded: Option<String>,
    /// The stems of its names in other languages and its aliases
    /// (`participant_names`), which its events are searched by.
    pub search_names: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
