//! The one place settings are read, once, at start: flags, falling back to
//! environment variables, falling back to defaults that need no
//! configuration at all. Secrets (a password in the database URL) never
//! reach `Debug` or the logs.

use clap::{Parser, Subcommand};
use std::fmt;

/// Timeline: a REST service for timelines of world events.
#[derive(Parser)]
#[command(name = "timeline", version, about)]
pub struct Settings {
    /// Database URL: `sqlite://FILE?mode=rwc` or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://timeline.db?mode=rwc", global = true)]
    pub database_url: String,

    /// A PostgreSQL streaming replica of `DATABASE_URL` that timeline, event,
    /// participant, source and country reads go to (a request with
    /// `Prefer: read-your-writes` reads from the primary). Not migrated.
    #[arg(long, env = "DATABASE_READ_URL", global = true)]
    pub database_read_url: Option<String>,

    /// Address to serve on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,

    /// Origins whose scripts may read the API: `*` (any) or a comma-separated
    /// list like `https://example.org,http://localhost:3000`.
    #[arg(long, env = "CORS_ORIGINS", default_value = "*", global = true)]
    pub cors_origins: String,

    /// Origins whose scripts may also write (comma-separated); none unless named.
    #[arg(long, env = "CORS_WRITE_ORIGINS", default_value = "", global = true)]
    pub cors_write_origins: String,

    /// Seconds a browser or proxy may reuse a GET answer before asking again
    /// with its ETag (`Cache-Control: public, max-age=N`); 0 asks every time.
    #[arg(long, env = "CACHE_MAX_AGE", default_value_t = 60, global = true)]
    pub cache_max_age: u32,

    /// Seconds that requests in flight get to finish on SIGTERM or Ctrl-C
    /// (new connections are refused meanwhile) before the process exits.
    #[arg(long, env = "SHUTDOWN_TIMEOUT", default_value_t = 30, global = true)]
    pub shutdown_timeout: u64,

    /// Bytes one `POST /api/v1/import` body may carry (the CLI's import has
    /// no limit). A million events of the interchange format (from
    /// `gen_events.py`) are 1.02 GiB.
    #[arg(long, env = "IMPORT_MAX_BYTES", default_value_t = 2 << 30, global = true)]
    pub import_max_bytes: u64,

    /// Logs as lines for people (`text`) or one JSON object per line (`json`).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Settings {
    /// What to do: `serve` when no command is given.
    pub fn command(&self) -> Command {
        self.command.clone().unwrap_or(Command::Serve)
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redacted(&self.database_url))
            .field("database_read_url", &self.database_read_url.as_deref().map(redacted))
            .field("bind", &self.bind)
            .field("cors_origins", &self.cors_origins)
            .field("cors_write_origins", &self.cors_write_origins)
            .field("cache_max_age", &self.cache_max_age)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("import_max_bytes", &self.import_max_bytes)
            .field("log_format", &self.log_format)
            .field("command", &self.command)
            .finish()
    }
}

/// A URL with the password of its user, if any, replaced by `***`.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((user_info, host)) if user_info.contains(':') => {
            let user = user_info.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}{}", &rest[authority_end..])
        }
        _ => url.to_owned(),
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Migrate, seed and serve the API (the default).
    Serve,
    /// Apply or roll back migrations, or list them.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Import NDJSON events (docs/FORMAT.md) from FILE, or `-` for stdin.
    Import {
        file: String,
        /// Abort with nothing written on the first bad line.
        #[arg(long)]
        strict: bool,
    },
    /// Write events to stdout, oldest first: NDJSON, or any format of the API.
    Export {
        /// A timeline filter as in the API, e.g. 'country=RU&country=KP&match=all&from=2024';
        /// `format=csv` (or ics, geojson, timelinejs, vis, json) writes that format.
        #[arg(long, default_value = "")]
        filter: String,
    },
    /// Print the OpenAPI document the server serves.
    Openapi,
    /// Make, list or revoke the bearer tokens that writes need.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum TokenAction {
    /// Make a token and print its secret, once: only a hash is kept.
    Create {
        /// Who or what will hold it, e.g. `newsroom-importer`.
        #[arg(long)]
        name: String,
        /// It may not write: its requests are refused with 403, not 401.
        #[arg(long)]
        read_only: bool,
    },
    /// List the tokens (names and dates; never secrets).
    List,
    /// Revoke the live token with this name.
    Revoke { name: String },
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum MigrateAction {
    /// Apply pending migrations (all, or N).
    Up { steps: Option<u32> },
    /// Roll back the last migration (or N; `down 2` removes the seed, `down 20` the schema too).
    Down {
        #[arg(default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_reaches_debug_output() {
        let settings = Settings::parse_from(["timeline", "--database-url", "postgres://app:s3cret@db:5432/timeline"]);
        let shown = format!("{settings:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("postgres://app:***@db:5432/timeline"), "{shown}");
        assert_eq!(redacted("sqlite://timeline.db?mode=rwc"), "sqlite://timeline.db?mode=rwc");
        assert_eq!(redacted("postgres://postgres@127.0.0.1/test"), "postgres://postgres@127.0.0.1/test");
    }

    #[test]
    fn serve_is_the_default_and_bind_is_read_before_or_after_it() {
        let implied = Settings::parse_from(["timeline", "--bind", "0.0.0.0:9000"]);
        assert!(matches!(implied.command(), Command::Serve));
        assert_eq!(implied.bind, "0.0.0.0:9000");
        let given = Settings::parse_from(["timeline", "serve", "--bind", "127.0.0.1:0"]);
        assert_eq!(given.bind, "127.0.0.1:0");
    }
}
