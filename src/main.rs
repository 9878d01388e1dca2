use clap::Parser;
use timeline::settings::Settings;
use timeline::telemetry;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    telemetry::init(telemetry::DEFAULT_FILTER, std::io::stderr, std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let settings = Settings::parse();
    let exit_code = timeline::cli::run(settings).await?;
    if exit_code != 0 {
        std::process::exit(exit_code);
    }
    Ok(())
}
