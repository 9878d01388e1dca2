//! `BatchStore` as multi-row statements on a SeaORM connection: the seed on
//! SQLite (it writes inside the migration's own transaction, where rusqlite
//! cannot join it) and every write to SQLite in memory (which only SeaORM's
//! connections can see).

use super::batch::{BatchStore, Links, MAX_BINDS, Stored};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{event, event_country, event_participant, event_source, event_tag, event_text, participant, source};
use sea_orm::ActiveValue::NotSet;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
};
use std::collections::HashMap;

/// Multi-row statements on a SeaORM connection: a fixed number per batch.
pub struct SeaOrmBatch<'c, C>(pub &'c C);

impl<C: ConnectionTrait> BatchStore for SeaOrmBatch<'_, C> {
    async fn stored_events(&mut self, keys: &[String]) -> Result<HashMap<String, Stored>, DbErr> {
        let mut stored = HashMap::new();
        for chunk in keys.chunks(MAX_BINDS) {
            type Row = (String, i64, String, DateTime<Utc>, String, NaiveDate, NaiveDate, String);
            let rows: Vec<Row> = event::Entity::find()
                .select_only()
                .columns([
                    event::Column::Key,
                    event::Column::Id,
                    event::Column::ContentHash,
                    event::Column::CreatedAt,
                    event::Column::Kind,
                    event::Column::StartDate,
                    event::Column::LastDay,
                    event::Column::KnownPrecision,
                ])
                .filter(event::Column::Key.is_in(chunk.to_vec()))
                .into_tuple()
                .all(self.0)
                .await?;
            stored.extend(rows.into_iter().map(
                |(key, id, content_hash, created_at, kind, start_date, last_day, precision)| {
                    (key, Stored { id, content_hash, created_at, kind, start_date, last_day, precision })
                },
            ));
        }
        Ok(stored)
    }

    async fn participants_by_id(&mut self, ids: &[i64]) -> Result<Vec<participant::Model>, DbErr> {
        let mut found = Vec::new();
        for chunk in ids.chunks(MAX_BINDS) {
            found.extend(
                participant::Entity::find().filter(participant::Column::Id.is_in(chunk.to_vec())).all(self.0).await?,
            );
        }
        Ok(found)
    }

    async fn participants_by_identity(&mut self, identities: &[String]) -> Result<Vec<participant::Model>, DbErr> {
        let mut found = Vec::new();
        for chunk in identities.chunks(MAX_BINDS) {
            found.extend(
                participant::Entity::find()
                    .filter(participant::Column::Identity.is_in(chunk.to_vec()))
                    .all(self.0)
                    .await?,
            );
        }
        Ok(found)
    }

    async fn insert_participants(&mut self, rows: Vec<participant::Model>) -> Result<Vec<participant::Model>, DbErr> {
        let identities: Vec<String> = rows.iter().map(|r| r.identity.clone()).collect();
        insert_chunked(self.0, rows.into_iter().map(new_row::<participant::ActiveModel, _>).collect(), 4).await?;
        self.participants_by_identity(&identities).await
    }

    async fn sources_by_id(&mut self, ids: &[i64]) -> Result<Vec<source::Model>, DbErr> {
        let mut found = Vec::new();
        for chunk in ids.chunks(MAX_BINDS) {
            found.extend(source::Entity::find().filter(source::Column::Id.is_in(chunk.to_vec())).all(self.0).await?);
        }
        Ok(found)
    }

    async fn sources_by_identity(&mut self, identities: &[String]) -> Result<Vec<source::Model>, DbErr> {
        let mut found = Vec::new();
        for chunk in identities.chunks(MAX_BINDS) {
            found.extend(
                source::Entity::find().filter(source::Column::Identity.is_in(chunk.to_vec())).all(self.0).await?,
            );
        }
        Ok(found)
    }

    async fn insert_sources(&mut self, rows: Vec<source::Model>) -> Result<Vec<source::Model>, DbErr> {
        let identities: Vec<String> = rows.iter().map(|r| r.identity.clone()).collect();
        insert_chunked(self.0, rows.into_iter().map(new_row::<source::ActiveModel, _>).collect(), 8).await?;
        self.sources_by_identity(&identities).await
    }

    async fn update_events(&mut self, rows: &[event::Model]) -> Result<(), DbErr> {
        for row in rows {
            let mut active = row.clone().into_active_model().reset_all();
            active.created_at = NotSet;
            active.update(self.0).await?;
        }
        Ok(())
    }

    async fn insert_events(&mut self, rows: Vec<event::Model>) -> Result<Vec<i64>, DbErr> {
        let keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();
        insert_chunked(self.0, rows.into_iter().map(new_row::<event::ActiveModel, _>).collect(), 22).await?;
        let mut ids: HashMap<String, i64> = HashMap::new();
        for chunk in keys.chunks(MAX_BINDS) {
            let rows: Vec<(String, i64)> = event::Entity::find()
                .select_only()
                .column(event::Column::Key)
                .column(event::Column::Id)
                .filter(event::Column::Key.is_in(chunk.to_vec()))
                .into_tuple()
                .all(self.0)
                .await?;
            ids.extend(rows);
        }
        keys.iter().map(|k| ids.get(k).copied().ok_or_else(|| DbErr::RecordNotFound(k.clone()))).collect()
    }

    async fn stored_links(&mut self, event_ids: &[i64]) -> Result<Links, DbErr> {
        let of_events: Vec<Expr> =
            event_ids.chunks(MAX_BINDS).map(|chunk| Expr::col("event_id").is_in(chunk.iter().copied())).collect();
        stored_links(self.0, &of_events).await
    }

    async fn delete_links(&mut self, table: &str, event_ids: &[i64]) -> Result<(), DbErr> {
        for chunk in event_ids.chunks(MAX_BINDS) {
            let delete = Query::delete()
                .from_table(table.to_owned())
                .and_where(Expr::col("event_id").is_in(chunk.iter().copied()))
                .to_owned();
            self.0.execute(&delete).await?;
        }
        Ok(())
    }

    async fn delete_positions(&mut self, table: &str, keys: &[(i64, i32)]) -> Result<(), DbErr> {
        for chunk in keys.chunks(MAX_BINDS / 2) {
            let delete = Query::delete()
                .from_table(table.to_owned())
                .and_where(Expr::tuple([Expr::col("event_id"), Expr::col("position")]).in_tuples(chunk.iter().copied()))
                .to_owned();
            self.0.execute(&delete).await?;
        }
        Ok(())
    }

    async fn insert_links(&mut self, links: Links) -> Result<(), DbErr> {
        super::counts::add(self.0, &links.counts).await?;
        insert_chunked(self.0, all_set(links.participants), 4).await?;
        insert_chunked(self.0, all_set(links.sources), 5).await?;
        insert_chunked(self.0, all_set(links.tags), 3).await?;
        insert_chunked(self.0, all_set(links.countries), 4).await?;
        insert_chunked(self.0, all_set(links.texts), 4).await?;
        Ok(())
    }
}

/// The derived rows of events, each table read once per condition on its
/// `event_id`.
pub(super) async fn stored_links<C: ConnectionTrait>(conn: &C, of_events: &[Expr]) -> Result<Links, DbErr> {
    let mut links = Links::default();
    for condition in of_events {
        links.participants.extend(event_participant::Entity::find().filter(condition.clone()).all(conn).await?);
        links.sources.extend(event_source::Entity::find().filter(condition.clone()).all(conn).await?);
        links.tags.extend(event_tag::Entity::find().filter(condition.clone()).all(conn).await?);
        links.countries.extend(event_country::Entity::find().filter(condition.clone()).all(conn).await?);
        links.texts.extend(event_text::Entity::find().filter(condition.clone()).all(conn).await?);
    }
    Ok(links)
}

/// Rows to insert with every column given.
pub fn all_set<M, A>(rows: Vec<M>) -> Vec<A>
where
    M: IntoActiveModel<A>,
    A: ActiveModelTrait,
{
    rows.into_iter().map(|r| r.into_active_model().reset_all()).collect()
}

/// A row to insert, its id left for the database to assign.
fn new_row<A, M>(model: M) -> A
where
    M: IntoActiveModel<A>,
    A: ActiveModelTrait + HasId,
{
    let mut row = model.into_active_model().reset_all();
    row.unset_id();
    row
}

/// The tables whose ids the database assigns.
trait HasId {
    fn unset_id(&mut self);
}

impl HasId for event::ActiveModel {
    fn unset_id(&mut self) {
        self.id = NotSet;
    }
}

impl HasId for participant::ActiveModel {
    fn unset_id(&mut self) {
        self.id = NotSet;
    }
}

impl HasId for source::ActiveModel {
    fn unset_id(&mut self) {
        self.id = NotSet;
    }
}

/// Inserts rows in statements of at most `MAX_BINDS` parameters.
pub(super) async fn insert_chunked<C, A>(conn: &C, rows: Vec<A>, columns: usize) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(MAX_BINDS / columns).collect();
        <A::Entity as EntityTrait>::insert_many(chunk).exec_without_returning(conn).await?;
    }
    Ok(())
}
