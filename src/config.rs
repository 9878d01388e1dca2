//! Command line and settings: flags, falling back to environment variables,
//! falling back to defaults that need no configuration at all.

use clap::{Parser, Subcommand};

/// Timeline: a REST service for timelines of world events.
#[derive(Debug, Parser)]
#[command(name = "timeline", version, about)]
pub struct Cli {
    /// Database URL: `sqlite://FILE?mode=rwc` or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://timeline.db?mode=rwc", global = true)]
    pub database_url: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, seed and serve the API (the default).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "BIND", default_value = "127.0.0.1:8080")]
        bind: String,
    },
    /// Apply or roll back migrations, or list them.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Import NDJSON events (shared/data/FORMAT.md) from FILE, or `-` for stdin.
    Import {
        file: String,
        /// Abort with nothing written on the first bad line.
        #[arg(long)]
        strict: bool,
    },
    /// Write events as NDJSON to stdout, oldest first.
    Export {
        /// A timeline filter as in the API, e.g. 'country=RU&country=KP&match=all&from=2024'.
        #[arg(long, default_value = "")]
        filter: String,
    },
    /// Print the OpenAPI document the server serves.
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply pending migrations (all, or N).
    Up { steps: Option<u32> },
    /// Roll back the last migration (or N; `down 2` removes seed and schema).
    Down {
        #[arg(default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

/// The bind address when `serve` is implied rather than given.
pub fn default_bind() -> String {
    std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:8080".to_owned())
}
