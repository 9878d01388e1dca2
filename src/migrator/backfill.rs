//! Fills the columns that `m20261201_000001_dates_and_evidence` added, for
//! rows written before it: each event's EDTF date from the first API's
//! columns (`start` + `end` always meant it lasted from one to the other),
//! each source's `published` from its `published_at`, and every event's
//! document rendered anew in today's shape. A thousand events at a time.

use crate::domain::Published;
use crate::domain::dates::{EventDate, LegacyPrecision, Qualifier};
use crate::store::rerender;
use entity::{event, source};
use migration::{MigrationName, MigrationTrait, SchemaManager};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

pub struct DatesFromFirstApi;

impl MigrationName for DatesFromFirstApi {
    fn name(&self) -> &str {
        "m20261201_000002_dates_from_first_api"
    }
}

#[migration::async_trait::async_trait]
impl MigrationTrait for DatesFromFirstApi {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let sources = source::Entity::find().filter(source::Column::PublishedAt.is_not_null()).all(conn).await?;
        for s in sources.into_iter().filter(|s| s.published.is_none()) {
            let Some(at) = s.published_at else { continue };
            source::Entity::update_many()
                .col_expr(source::Column::Published, Expr::value(Published::At(at).text()))
                .filter(source::Column::Id.eq(s.id))
                .exec(conn)
                .await?;
        }

        let mut after = 0;
        loop {
            let rows = event::Entity::find()
                .filter(event::Column::DateEdtf.eq(""))
                .filter(event::Column::Id.gt(after))
                .order_by_asc(event::Column::Id)
                .limit(1_000)
                .all(conn)
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for row in &rows {
                let date = first_api_date(row)?;
                event::Entity::update_many()
                    .col_expr(event::Column::DateEdtf, Expr::value(date.to_edtf()))
                    .col_expr(event::Column::KnownPrecision, Expr::value(date.precision().as_str()))
                    .filter(event::Column::Id.eq(row.id))
                    .exec(conn)
                    .await?;
            }
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            rerender(conn, &ids).await.map_err(|e| DbErr::Migration(e.to_string()))?;
        }
        Ok(())
    }

    /// The columns go with the schema step before this one.
    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

fn first_api_date(row: &event::Model) -> Result<EventDate, DbErr> {
    let bad = |why: String| DbErr::Migration(format!("event {}: {why}", row.key));
    let precision = LegacyPrecision::parse(&row.date_precision)
        .ok_or_else(|| bad(format!("date_precision '{}' is not day, month or year", row.date_precision)))?;
    let start = precision.period(row.start_date);
    let end = row.end_date.map(|end| precision.period(end));
    EventDate::from_legacy(start, end, Qualifier::Exact).map_err(|e| bad(e.0))
}
