use sea_orm::entity::prelude::*;

/// A participant's name in a language (`lang`), or an alias (`lang` null),
/// in the order given; `folded` is the name folded for matching.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participant_names")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub participant_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub lang: Option<String>,
    pub name: String,
    pub folded: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
