//! The connection of a first load into PostgreSQL (`store::pg_first_load`):
//! one of SeaORM's pool's, held for the whole load, so that rows can go in
//! by `COPY`, which SeaORM has no statement for. The rest of the write path
//! runs on it as on any SeaORM connection (`ConnectionTrait`).

use super::pg_reads::query_error;
use sea_orm::sea_query::Values;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, Postgres};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr, Statement};
use sea_query_sqlx::SqlxValues;
use std::sync::Arc;
use tokio::sync::Mutex;

pub struct LoadConnection {
    conn: Mutex<PoolConnection<Postgres>>,
}

impl LoadConnection {
    /// Takes a connection of `pool`; it is closed, not given back, when
    /// dropped, so that a load dropped midway is rolled back by the server
    /// rather than handed to the pool inside its transaction.
    pub async fn take(pool: &sqlx::PgPool) -> Result<LoadConnection, DbErr> {
        let mut conn = pool.acquire().await.map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e))))?;
        conn.close_on_drop();
        Ok(LoadConnection { conn: Mutex::new(conn) })
    }

    /// Sends `data`, rows in `COPY`'s text format, to `statement`
    /// (`COPY … FROM STDIN`).
    pub async fn copy_in(&self, statement: &str, data: &[u8]) -> Result<u64, DbErr> {
        let mut conn = self.conn.lock().await;
        let mut copy = conn.copy_in_raw(statement).await.map_err(exec_error)?;
        copy.send(data).await.map_err(exec_error)?;
        copy.finish().await.map_err(exec_error)
    }
}

fn exec_error(err: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(err)))
}

/// The statement with its values bound. Its SQL is the write path's own,
/// with every value a parameter, as on SeaORM's connections.
fn bound(stmt: Statement) -> sqlx::query::Query<'static, Postgres, SqlxValues> {
    let values = stmt.values.unwrap_or(Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql), SqlxValues(values))
}

#[async_trait::async_trait]
impl ConnectionTrait for LoadConnection {
    fn get_database_backend(&self) -> DbBackend {
        DbBackend::Postgres
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let mut conn = self.conn.lock().await;
        Ok(bound(stmt).execute(&mut **conn).await.map_err(exec_error)?.into())
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let mut conn = self.conn.lock().await;
        Ok(sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut **conn).await.map_err(exec_error)?.into())
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        let mut conn = self.conn.lock().await;
        Ok(bound(stmt).fetch_optional(&mut **conn).await.map_err(query_error)?.map(Into::into))
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let mut conn = self.conn.lock().await;
        Ok(bound(stmt).fetch_all(&mut **conn).await.map_err(query_error)?.into_iter().map(Into::into).collect())
    }
}
