use clap::Parser;
use migration::{Migrator, MigratorTrait};
use timeline::config::{Cli, Command, MigrateAction, default_bind};
use timeline::db::Db;
use timeline::startup::Application;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm_migration=warn")),
        )
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve { bind: default_bind() }) {
        Command::Serve { bind } => {
            let db = Db::connect_and_migrate(&cli.database_url).await?;
            let app = Application::build(db, &bind)?;
            tracing::info!("serving on http://{bind} (Swagger UI at /swagger-ui/)");
            app.run_until_stopped().await?;
        }
        Command::Migrate { action } => {
            let db = Db::connect(&cli.database_url).await?;
            match action {
                MigrateAction::Up { steps } => Migrator::up(&db.conn, steps).await?,
                MigrateAction::Down { steps } => Migrator::down(&db.conn, Some(steps)).await?,
                MigrateAction::Status => {}
            }
            for migration in Migrator::get_migration_with_status(&db.conn).await? {
                println!("{:<10} {}", format!("{:?}", migration.status()).to_lowercase(), migration.name());
            }
        }
        Command::Import { file, strict } => {
            let db = Db::connect_and_migrate(&cli.database_url).await?;
            let clean = timeline::cli::import(&db, &file, strict).await?;
            db.conn.close().await?;
            if !clean {
                std::process::exit(2);
            }
        }
        Command::Export { filter } => {
            let db = Db::connect_and_migrate(&cli.database_url).await?;
            timeline::cli::export(&db, &filter).await?;
        }
        Command::Openapi => println!("{}", timeline::openapi::spec().to_pretty_json()?),
    }
    Ok(())
}
