//! `GET /metrics` in the Prometheus text format: requests and their latency
//! by route and status, the database pool, and what imports did. The route
//! is the pattern a request matched (`/api/v1/events/{key}`), never its
//! path, so a client cannot grow the label set.

use crate::db::Db;
use crate::import::ImportSummary;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolState {
    /// `primary`, or `replica` (`DATABASE_READ_URL`).
    database: &'static str,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
}

type LatencyFamily = Family<Route, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    requests: Family<Request, Counter>,
    latency: LatencyFamily,
    pool: Family<PoolState, Gauge>,
    imported: Family<Outcome, Counter>,
    bad_lines: Counter,
}

/// 0.5 ms to 12 s: a by-key read is under a millisecond, an import minutes
/// (which lands in +Inf, as it should).
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.5, 12))
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("timeline");
        let requests = Family::<Request, Counter>::default();
        let latency = LatencyFamily::new_with_constructor(latency_histogram);
        let pool = Family::<PoolState, Gauge>::default();
        let imported = Family::<Outcome, Counter>::default();
        let bad_lines = Counter::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer, by route", latency.clone());
        registry.register("db_pool_connections", "Database pool connections, in use or idle", pool.clone());
        registry.register("imported_events", "Events imported over HTTP, by outcome", imported.clone());
        registry.register("import_bad_lines", "NDJSON lines an HTTP import skipped", bad_lines.clone());
        Metrics { registry, requests, latency, pool, imported, bad_lines }
    }
}

impl Metrics {
    /// `route`: the pattern matched, or `None` when nothing was.
    pub fn answered(&self, method: &str, route: Option<&str>, status: u16, seconds: f64) {
        let route = route.unwrap_or("unmatched").to_owned();
        let method = method.to_owned();
        self.latency.get_or_create(&Route { method: method.clone(), route: route.clone() }).observe(seconds);
        self.requests.get_or_create(&Request { method, route, status }).inc();
    }

    pub fn imported(&self, summary: &ImportSummary) {
        let counts = &summary.events;
        for (outcome, n) in [("created", counts.created), ("updated", counts.updated), ("unchanged", counts.unchanged)]
        {
            self.imported.get_or_create(&Outcome { outcome }).inc_by(n);
        }
        self.bad_lines.inc_by(summary.bad_lines);
    }

    /// The text a scrape gets, with the pools read as they are now.
    pub fn render(&self, primary: &Db, replica: Option<&Db>) -> String {
        for (database, db) in [("primary", Some(primary)), ("replica", replica)] {
            let Some(db) = db else { continue };
            let (in_use, idle) = db.pool_use();
            self.pool.get_or_create(&PoolState { database, state: "in_use" }).set(in_use as i64);
            self.pool.get_or_create(&PoolState { database, state: "idle" }).set(idle as i64);
        }
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry).expect("writing to a String");
        text
    }
}

/// The `Content-Type` of `render`'s text.
pub use prometheus_client::encoding::prometheus_text::CONTENT_TYPE;
