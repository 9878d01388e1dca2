//! Keeps every event's search text written by today's text pipeline: a
//! database indexed by another version (or by none, just migrated) has each
//! event's text written again, a thousand events a transaction, and then
//! records the version. Run after the migrations, every start.

use crate::db::Db;
use crate::domain::countries::fold;
use crate::read;
use crate::search::PIPELINE_VERSION;
use crate::store::{self, rerender};
use entity::{event, participant};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

pub async fn reindex_if_stale(db: &Db) -> Result<(), DbErr> {
    let table = Alias::new("search_index");
    let stored = Query::select().column("pipeline").from(table.clone()).and_where(Expr::col("id").eq(1)).to_owned();
    let row = db.conn().query_one(&stored).await?;
    let version: i64 = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(0);
    if version == PIPELINE_VERSION {
        return Ok(());
    }
    tracing::info!(from = version, to = PIPELINE_VERSION, "writing every event's search text");
    refold_participants(db).await?;
    let (mut after, mut written) = (0, 0);
    loop {
        let ids: Vec<i64> = event::Entity::find()
            .select_only()
            .column(event::Column::Id)
            .filter(event::Column::Id.gt(after))
            .order_by_asc(event::Column::Id)
            .limit(1_000)
            .into_tuple()
            .all(db.conn())
            .await?;
        let Some(last) = ids.last() else { break };
        after = *last;
        written += ids.len() as u64;
        let write = db.begin_write().await?;
        rerender(&write.txn, &ids).await.map_err(|e| DbErr::Migration(e.to_string()))?;
        write.commit().await?;
    }
    let record =
        Query::update().table(table).value("pipeline", PIPELINE_VERSION).and_where(Expr::col("id").eq(1)).to_owned();
    db.conn().execute(&record).await?;
    // Every text was written again, as an import writes them.
    if written >= crate::import::ANALYZE_AFTER {
        db.refresh_statistics().await?;
    }
    Ok(())
}

/// Writes each participant's folded names and the stems of its other
/// names again, a thousand participants a transaction.
async fn refold_participants(db: &Db) -> Result<(), DbErr> {
    let mut after = 0;
    loop {
        let rows = participant::Entity::find()
            .filter(participant::Column::Id.gt(after))
            .order_by_asc(participant::Column::Id)
            .limit(1_000)
            .all(db.conn())
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut names = read::other_names(db, &ids).await.map_err(|e| DbErr::Migration(e.to_string()))?;
        let write = db.begin_write().await?;
        for row in rows {
            let other = names.remove(&row.id).unwrap_or_default();
            participant::Entity::update_many()
                .col_expr(participant::Column::Folded, Expr::value(fold(&row.name)))
                .filter(participant::Column::Id.eq(row.id))
                .exec(&write.txn)
                .await?;
            // Without other names its stems are none, whatever the pipeline.
            if !other.is_empty() {
                store::write_other_names(&write.txn, row.id, &other).await?;
            }
        }
        write.commit().await?;
    }
    Ok(())
}
