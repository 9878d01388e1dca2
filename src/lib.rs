//! Timeline: a REST service for timelines of world events.
//!
//! Data flows one way: `routes` → `timeline`/`validate` (parse) →
//! `read`/`store` → `db`; `formats` shape what `read` returns. `domain`,
//! `models` and `error` are the bottom layer and import nothing above them.

pub mod auth;
pub mod cli;
pub mod cors;
pub mod cursor;
pub mod db;
pub mod domain;
pub mod error;
pub mod export;
pub mod extract;
pub mod formats;
pub mod http_cache;
pub mod import;
pub mod metrics;
pub mod migrator;
pub mod models;
pub mod openapi;
pub mod parallel;
pub mod query_string;
pub mod read;
pub mod replica;
pub mod routes;
pub mod search;
pub mod seed;
pub mod settings;
pub mod site;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod timeline;
pub mod validate;
