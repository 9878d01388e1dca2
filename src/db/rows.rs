//! Running a select on whichever backend the database is: rusqlite for a
//! SQLite file, sqlx on connections of its own for PostgreSQL, SeaORM for
//! SQLite in memory. The one place reads choose a driver.

use super::{Backend, Db};
use sea_orm::sea_query::SelectStatement;
use sea_orm::sqlx::postgres::PgRow;
use sea_orm::sqlx::{self, Postgres, Row};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, TryGetable};

/// A row of a select's result, read by position from either driver.
pub trait Columns: Sized {
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
    fn from_sea_orm(row: &QueryResult) -> Result<Self, DbErr>;
    fn from_postgres(row: &PgRow) -> Result<Self, sqlx::Error>;
}

/// A value every driver can read.
pub trait Column:
    rusqlite::types::FromSql + TryGetable + for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>
{
}
impl<T: rusqlite::types::FromSql + TryGetable + for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>> Column
    for T
{
}

impl<A: Column> Columns for (A,) {
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?,))
    }
    fn from_sea_orm(row: &QueryResult) -> Result<Self, DbErr> {
        Ok((row.try_get_by_index(0)?,))
    }
    fn from_postgres(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok((row.try_get(0)?,))
    }
}

impl<A: Column, B: Column> Columns for (A, B) {
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?, row.get(1)?))
    }
    fn from_sea_orm(row: &QueryResult) -> Result<Self, DbErr> {
        Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?))
    }
    fn from_postgres(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok((row.try_get(0)?, row.try_get(1)?))
    }
}

impl<A: Column, B: Column, C: Column> Columns for (A, B, C) {
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    }
    fn from_sea_orm(row: &QueryResult) -> Result<Self, DbErr> {
        Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?, row.try_get_by_index(2)?))
    }
    fn from_postgres(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
    }
}

impl<A: Column, B: Column, C: Column, D: Column> Columns for (A, B, C, D) {
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
    }
    fn from_sea_orm(row: &QueryResult) -> Result<Self, DbErr> {
        Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?, row.try_get_by_index(2)?, row.try_get_by_index(3)?))
    }
    fn from_postgres(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?))
    }
}

/// Every row of `query`.
pub async fn fetch_all<T: Columns>(db: &Db, query: &SelectStatement) -> Result<Vec<T>, DbErr> {
    match &db.backend {
        Backend::SqliteFile(file) => file.query(query, T::from_sqlite),
        Backend::PostgreSql(reads) => reads.query(query, T::from_postgres).await,
        Backend::SqliteMemory => db.conn.query_all(query).await?.iter().map(T::from_sea_orm).collect(),
    }
}

/// The first row of `query`, if any.
pub async fn fetch_optional<T: Columns>(db: &Db, query: &SelectStatement) -> Result<Option<T>, DbErr> {
    Ok(fetch_all(db, query).await?.into_iter().next())
}
