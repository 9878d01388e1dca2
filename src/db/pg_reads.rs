//! PostgreSQL reads on connections of their own, lent from a deadpool
//! pool beside SeaORM's: sqlx's pool pings every connection given back to
//! it, a round trip to PostgreSQL after every statement, and at 1M events
//! that ping was a third of what an event by key cost (9,600 against 14,400
//! a second without it, bench/README.md). Here a connection goes back as
//! it is, and is pinged only when it has been idle long enough for a server
//! or a firewall to have dropped it. Writes, migrations and everything else
//! stay on SeaORM's pool.

use deadpool::managed::{self, Metrics, Object, PoolError, RecycleError, RecycleResult};
use sea_orm::sea_query::{PostgresQueryBuilder, SelectStatement};
use sea_orm::sqlx::postgres::{PgConnectOptions, PgRow};
use sea_orm::sqlx::{self, Connection, PgConnection};
use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};
use sea_query_sqlx::SqlxBinder;
use std::sync::Arc;
use std::time::Duration;

/// Opens the connections and checks those that idled (as SeaORM's pool
/// does, `Db::connect`).
pub struct Connector {
    options: PgConnectOptions,
    idle_check: Duration,
}

impl managed::Manager for Connector {
    type Type = PgConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<PgConnection, sqlx::Error> {
        PgConnection::connect_with(&self.options).await
    }

    async fn recycle(&self, conn: &mut PgConnection, metrics: &Metrics) -> RecycleResult<sqlx::Error> {
        if metrics.last_used() > self.idle_check {
            conn.ping().await.map_err(RecycleError::Backend)?;
        }
        Ok(())
    }
}

pub struct PgReads {
    pool: managed::Pool<Connector>,
}

/// A lent connection that goes back to the pool only when its statement
/// ran to the end: one dropped mid-statement (a request cancelled) may
/// have its answer still on the wire, so it is closed instead.
struct Lent(Option<Object<Connector>>);

impl Lent {
    fn give_back(mut self) {
        self.0.take();
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            drop(Object::take(conn));
        }
    }
}

impl PgReads {
    pub fn new(options: PgConnectOptions, size: usize, wait: Duration, idle_check: Duration) -> PgReads {
        // Each statement is planned once per connection, for any values,
        // not again at every execution: PostgreSQL otherwise plans anew
        // whenever the plan for the values at hand looks cheaper, and a
        // page of a country's whole timeline, or one after a cursor, was
        // planned on every request (about 130 µs of its CPU, half a deep
        // page's). The reads are index walks whose plan does not depend on
        // the values; searches write their words into the statement,
        // since how rare the words are does (`read::timeline::tsquery`).
        // No parallel plans: a generic plan takes a parameter in LIMIT
        // for a tenth of the rows, and chose workers for a page of 51.
        let options =
            options.options([("plan_cache_mode", "force_generic_plan"), ("max_parallel_workers_per_gather", "0")]);
        let pool = managed::Pool::builder(Connector { options, idle_check })
            .max_size(size)
            .wait_timeout(Some(wait))
            .create_timeout(Some(wait))
            // The ping after an idle spell, against a server that no
            // longer answers.
            .recycle_timeout(Some(wait))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .expect("a pool with a runtime for its timeouts builds");
        PgReads { pool }
    }

    /// Runs a select and maps each row. A select that fails because the
    /// server dropped its connection (a restart, a failover) runs once
    /// more on a new one, after every idle connection, dropped with it, is
    /// let go: a read may run twice, and a write's read-back must not fail
    /// a write that committed (on the other pool) because this one held a
    /// connection the server had cut.
    pub async fn query<T>(
        &self,
        statement: &SelectStatement,
        map: impl FnMut(&PgRow) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, DbErr> {
        let rows = match self.fetch(statement).await? {
            Err(err) if is_cut(&err) => {
                self.pool.retain(|_, _| false);
                self.fetch(statement).await?
            }
            rows => rows,
        };
        let rows = rows.map_err(query_error)?;
        rows.iter().map(map).collect::<Result<_, _>>().map_err(query_error)
    }

    /// The rows of a select on a lent connection; the outer error when no
    /// connection could be lent.
    async fn fetch(&self, statement: &SelectStatement) -> Result<Result<Vec<PgRow>, sqlx::Error>, DbErr> {
        let (sql, values) = statement.build_sqlx(PostgresQueryBuilder);
        let mut lent = Lent(Some(self.pool.get().await.map_err(unavailable)?));
        let conn: &mut PgConnection = lent.0.as_mut().expect("lent until given back");
        let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), values).fetch_all(conn).await;
        // The statement failed, not the connection: it stays usable.
        let usable = match &rows {
            Ok(_) => true,
            Err(err) => matches!(err, sqlx::Error::Database(_)) && !is_cut(err),
        };
        if usable {
            lent.give_back();
        }
        Ok(rows)
    }

    /// Connections open, and of those idle.
    pub fn status(&self) -> (usize, usize) {
        let status = self.pool.status();
        (status.size, status.available)
    }

    pub fn close(&self) {
        self.pool.close();
    }
}

/// Whether the server dropped the connection, rather than refused the
/// statement.
fn is_cut(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| super::is_connection_lost(&code)),
        _ => false,
    }
}

pub(super) fn query_error(err: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))
}

/// No connection to lend: every one busy past the wait, or none could be
/// opened (`db::is_unavailable` makes either a 503).
fn unavailable(err: PoolError<sqlx::Error>) -> DbErr {
    match err {
        PoolError::Backend(err) => DbErr::Conn(RuntimeErr::SqlxError(Arc::new(err))),
        PoolError::Closed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        _ => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
    }
}
