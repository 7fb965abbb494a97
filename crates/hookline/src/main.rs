//! The `hookline` command. Parses arguments, sets up logging, and hands over to the library.

use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use hookline::bootstrap::TokenSource;
use hookline::cli::{Cli, Command, LogFormat, PruneArgs, ServeArgs};
use hookline::settings::days;
use hookline_core::Timestamp;
use hookline_delivery::maintenance::{Maintenance, MaintenanceConfig};
use hookline_store::SqliteStore;
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(*args).await,
        Command::Migrate(args) => {
            init_logging(LogFormat::Text);
            let data_dir = args.settings()?.data_dir;
            hookline::bootstrap::ensure_data_dir(&data_dir)?;
            let path = data_dir.join("hookline.db");
            SqliteStore::open(&path)
                .with_context(|| format!("cannot migrate {}", path.display()))?;
            println!(
                "{} is at schema version {}",
                path.display(),
                SqliteStore::schema_version()
            );
            Ok(())
        }
        Command::Prune(args) => prune(args).await,
        Command::Config(args) => {
            let args = *args;
            let settings = args.settings()?;
            settings.to_config()?;
            print!("{}", settings.to_redacted_toml());
            Ok(())
        }
    }
}

async fn prune(args: PruneArgs) -> anyhow::Result<()> {
    init_logging(LogFormat::Text);
    // 0 is allowed here: it removes everything that is not still waiting for delivery.
    let settings = args.settings()?;
    let path = settings.data_dir.join("hookline.db");
    anyhow::ensure!(path.exists(), "there is no database at {}", path.display());
    let store =
        SqliteStore::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    let config = MaintenanceConfig {
        retention: days(settings.retention_days),
        ..MaintenanceConfig::default()
    };
    let report = Maintenance::new(Arc::new(store), config)
        .prune(Timestamp::now())
        .await
        .context("pruning failed")?;
    println!(
        "expired {} payloads, deleted {} attempts and {} messages older than {} days",
        report.payloads_expired,
        report.attempts_deleted,
        report.messages_deleted,
        settings.retention_days
    );
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let signal = shutdown_signal()?;
    let settings = args.settings()?;
    init_logging(settings.log_format);
    let config = settings.to_config()?;
    let tls = config.tls.is_some();
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {} (HOOKLINE_LISTEN)", settings.listen))?;
    let shutdown = CancellationToken::new();
    let server = hookline::server::start(config, listener, shutdown.clone()).await?;
    match server.token_source {
        TokenSource::Generated => println!(
            "Generated an admin token (shown once, saved to {}/admin-token):\n\n    {}\n",
            settings.data_dir.display(),
            server.admin_token
        ),
        TokenSource::Saved => tracing::info!(
            "using the admin token saved in {}/admin-token",
            settings.data_dir.display()
        ),
        TokenSource::Configured => {
            tracing::info!("using the admin token from HOOKLINE_ADMIN_TOKEN")
        }
    }
    let scheme = if tls { "https" } else { "http" };
    tracing::info!(addr = %server.addr, "Hookline is listening; API at {scheme}://{}/api/v1", server.addr);

    signal.await;
    tracing::info!("shutting down: finishing in-flight deliveries");
    shutdown.cancel();
    server.stopped.await?;
    Ok(())
}

/// Starts listening for SIGTERM and SIGINT right away, so a signal that arrives while the
/// server starts is not lost (nor fatal); the future resolves on the first of them.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = interrupt.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HOOKLINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
