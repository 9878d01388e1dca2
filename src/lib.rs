//! Timeline: a REST service for timelines of world events.

pub mod cli;
pub mod config;
pub mod cursor;
pub mod db;
pub mod error;
pub mod export;
pub mod extract;
pub mod import;
pub mod models;
pub mod ndjson;
pub mod openapi;
pub mod params;
pub mod queries;
pub mod routes;
pub mod sqlite_file;
pub mod startup;
pub mod store;
pub mod validate;
