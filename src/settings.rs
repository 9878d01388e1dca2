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

    /// Address to serve on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,

    #[command(subcommand)]
    pub command: Option<Command>,
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
            .field("bind", &self.bind)
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
    /// Write events as NDJSON to stdout, oldest first.
    Export {
        /// A timeline filter as in the API, e.g. 'country=RU&country=KP&match=all&from=2024'.
        #[arg(long, default_value = "")]
        filter: String,
    },
    /// Print the OpenAPI document the server serves.
    Openapi,
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum MigrateAction {
    /// Apply pending migrations (all, or N).
    Up { steps: Option<u32> },
    /// Roll back the last migration (or N; `down 1` removes the seed, `down 6` the schema too).
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
