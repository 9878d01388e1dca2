//! The commands: serve, migrate, import, export, openapi, token.

use crate::cors::CorsPolicy;
use crate::db::Db;
use crate::export::Export;
use crate::formats::{Format, Writer};
use crate::http_cache::CachePolicy;
use crate::import::{ImportError, ImportLimit, Importer};
use crate::migrator::{self, Migrator, connect_and_migrate};
use crate::settings::{Command, MigrateAction, Settings, TokenAction};
use crate::startup::{Application, HttpOptions};
use crate::{read, store};
use indicatif::{ProgressBar, ProgressStyle};
use migration::MigratorTrait;
use std::io::{Read, Write};

/// Runs the command the settings name; returns the process's exit code.
pub async fn run(settings: Settings) -> Result<i32, Box<dyn std::error::Error>> {
    tracing::debug!(?settings, "starting");
    let url = &settings.database_url;
    match settings.command() {
        Command::Serve => {
            let bind = &settings.bind;
            let options = HttpOptions {
                cors: CorsPolicy::new(&settings.cors_origins, &settings.cors_write_origins)?,
                cache: CachePolicy::max_age(settings.cache_max_age),
                shutdown_timeout: std::time::Duration::from_secs(settings.shutdown_timeout),
                import_limit: ImportLimit(settings.import_max_bytes),
            };
            let db = connect_and_migrate(url).await?;
            if !read::any_write_token(&db).await? {
                tracing::warn!(
                    "no token may write yet, so every write answers 401; make one with `timeline token create --name admin`"
                );
            }
            let replica = match &settings.database_read_url {
                Some(url) => Some(connect_replica(url).await?),
                None => None,
            };
            let app = Application::build(db, replica, bind, options)?;
            tracing::info!("serving on http://{bind} (Swagger UI at /swagger-ui/)");
            app.run_until_stopped().await?;
        }
        Command::Migrate { action } => {
            let db = Db::connect(url).await?;
            match action {
                MigrateAction::Up { steps } => migrator::up(&db, steps).await?,
                MigrateAction::Down { steps } => migrator::down(&db, steps).await?,
                MigrateAction::Status => {}
            }
            for migration in Migrator::get_migration_with_status(db.conn()).await? {
                println!("{:<10} {}", format!("{:?}", migration.status()).to_lowercase(), migration.name());
            }
            db.close().await?;
        }
        Command::Import { file, strict } => {
            let input = Input::open(&file)?;
            let db = connect_and_migrate(url).await?;
            let clean = if db.is_sqlite_file() || db.is_postgres() {
                // A first load needs the database to itself, this process's
                // pool included: SQLite's opens a connection of its own,
                // PostgreSQL's takes the one connection of a new pool. The
                // pool comes back when it cannot be one.
                db.let_go().await?;
                let loading = if db.is_postgres() { Db::connect(url).await? } else { db };
                match Importer::first_load(&loading, strict).await.map_err(abort_message)? {
                    Some(importer) => {
                        eprintln!(
                            "a first load: one transaction, the database kept to itself until it ends, \
                             its indexes built at the end"
                        );
                        let clean = import(importer, input).await?;
                        if loading.is_postgres() {
                            loading.close().await?;
                        }
                        clean
                    }
                    None if loading.is_postgres() => import_in_batches(&loading, strict, input).await?,
                    None => import_in_batches(&Db::connect(url).await?, strict, input).await?,
                }
            } else {
                import_in_batches(&db, strict, input).await?
            };
            if !clean {
                return Ok(2);
            }
        }
        Command::Export { filter } => export(&connect_and_migrate(url).await?, &filter).await?,
        Command::Openapi => println!("{}", crate::openapi::spec().to_pretty_json()?),
        Command::Token { action } => {
            let db = connect_and_migrate(url).await?;
            token(&db, action).await?;
            db.close().await?;
        }
    }
    Ok(0)
}

/// What `timeline import` reads: a file, or stdin.
struct Input {
    read: Box<dyn Read>,
    size: Option<u64>,
}

impl Input {
    fn open(file: &str) -> Result<Input, String> {
        if file == "-" {
            return Ok(Input { read: Box::new(std::io::stdin().lock()), size: None });
        }
        let f = std::fs::File::open(file).map_err(|e| format!("{file}: {e}"))?;
        Ok(Input { size: f.metadata().ok().map(|m| m.len()), read: Box::new(f) })
    }
}

/// An import that commits batch by batch beside whoever else uses the
/// database.
async fn import_in_batches(db: &Db, strict: bool, input: Input) -> Result<bool, Box<dyn std::error::Error>> {
    let clean = import(Importer::new(db, strict), input).await?;
    db.close().await?;
    Ok(clean)
}

/// Reads NDJSON from a file or stdin into the database, with a progress bar
/// on a terminal, and prints the summary as JSON on stdout.
async fn import(mut importer: Importer<'_>, input: Input) -> Result<bool, Box<dyn std::error::Error>> {
    let Input { read: mut input, size } = input;
    let bar = match size {
        Some(bytes) => ProgressBar::new(bytes).with_style(ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}",
        )?),
        None => ProgressBar::new_spinner().with_style(ProgressStyle::with_template("{spinner} {bytes} {msg}")?),
    };
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = input.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        if let Err(e) = importer.feed(&buffer[..n]).await {
            bar.abandon();
            return Err(abort_message(e).into());
        }
        bar.inc(n as u64);
        bar.set_message(format!("{} lines", importer.lines()));
    }
    let summary = importer.finish().await.map_err(abort_message)?;
    bar.finish_and_clear();
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &summary)?;
    writeln!(out)?;
    eprintln!(
        "imported {} lines in {:.1} s: {} events created, {} updated, {} unchanged; {} participants and {} sources created; {} bad lines",
        summary.lines,
        summary.seconds,
        summary.events.created,
        summary.events.updated,
        summary.events.unchanged,
        summary.events.participants_created,
        summary.events.sources_created,
        summary.bad_lines
    );
    Ok(summary.bad_lines == 0)
}

fn abort_message(e: ImportError) -> String {
    match e {
        ImportError::BadLine(bad) => format!(
            "line {}{}: {}; --strict: nothing was imported",
            bad.line,
            bad.field.map(|f| format!(" ({f})")).unwrap_or_default(),
            bad.reason
        ),
        ImportError::Api(e) => e.to_string(),
    }
}

async fn token(db: &Db, action: TokenAction) -> Result<(), Box<dyn std::error::Error>> {
    match action {
        TokenAction::Create { name, read_only } => {
            let secret = store::create_token(db, &name, read_only).await?;
            println!("{}", secret.expose());
            eprintln!("token '{}' made; this is the only time its secret is shown", name.trim());
            eprintln!("send it as: Authorization: Bearer <token>");
        }
        TokenAction::List => {
            for t in read::tokens(db).await? {
                let state = match (t.revoked_at, t.read_only) {
                    (Some(when), _) => format!("revoked {}", when.format("%Y-%m-%d %H:%M")),
                    (None, true) => "read-only".to_owned(),
                    (None, false) => "writes".to_owned(),
                };
                println!("{:<32} made {}  {state}", t.name, t.created_at.format("%Y-%m-%d %H:%M"));
            }
        }
        TokenAction::Revoke { name } => {
            if !store::revoke_token(db, &name).await? {
                return Err(format!("no live token named '{name}'").into());
            }
            eprintln!("token '{name}' revoked: its requests now answer 403");
        }
    }
    Ok(())
}

/// Writes the events of a timeline filter to stdout as NDJSON.
async fn export(db: &Db, filter: &str) -> Result<(), Box<dyn std::error::Error>> {
    let request = crate::timeline::export_request(filter)?;
    let format = request.format.unwrap_or(Format::Ndjson);
    let mut export = Export::new(request.filter, Writer::new(format, request.presentation));
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    while let Some(chunk) = export.next_chunk(db).await? {
        out.write_all(&chunk)?;
    }
    out.flush()?;
    Ok(())
}

/// The read replica (`DATABASE_READ_URL`): PostgreSQL, not migrated (it
/// follows the primary). Logs whether it is in recovery, that is, a
/// replica indeed.
async fn connect_replica(url: &str) -> Result<Db, Box<dyn std::error::Error>> {
    let replica = Db::connect(url).await?;
    if !matches!(replica.backend(), crate::db::Backend::PostgreSql(_)) {
        return Err("DATABASE_READ_URL names a PostgreSQL replica; SQLite has none".into());
    }
    let in_recovery = replica.in_recovery().await?;
    tracing::info!(url = %crate::settings::redacted(url), in_recovery, "reads go to the replica");
    Ok(replica)
}
