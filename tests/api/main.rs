//! Integration tests: the real server over real HTTP on a real database
//! (SQLite, or PostgreSQL when TEST_DATABASE_URL is set).

mod auth;
mod bulk;
mod concurrency;
mod countries;
mod crash;
mod dates;
mod documents;
mod errors;
mod events;
mod facets;
mod first_load;
mod formats;
mod helpers;
mod http;
mod migrations;
mod openapi;
mod operations;
mod participants;
mod search;
mod seed;
mod sources;
mod timeline;
