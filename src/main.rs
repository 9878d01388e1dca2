use clap::Parser;
use timeline::settings::{LogFormat, Settings};
use timeline::telemetry;

/// mimalloc rather than glibc's malloc: an import allocates on one thread
/// and frees on another, which glibc's arenas pay for (bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let settings = Settings::parse();
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    telemetry::init(telemetry::DEFAULT_FILTER, std::io::stderr, terminal, settings.log_format == LogFormat::Json);
    let exit_code = timeline::cli::run(settings).await?;
    if exit_code != 0 {
        std::process::exit(exit_code);
    }
    Ok(())
}
