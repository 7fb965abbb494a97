//! The `hookline` command. Parses arguments, sets up logging, and hands over to the library.

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use hookline::bootstrap::TokenSource;
use hookline::cli::{Cli, Command, LogFormat, MigrateArgs, PruneArgs, ServeArgs};
use hookline::database::{self, Database};
use hookline::environments::{self, Storage};
use hookline::node_check::{self, Recorded};
use hookline::settings::days;
use hookline_core::Timestamp;
use hookline_delivery::maintenance::{Maintenance, MaintenanceConfig};
use hookline_store::secrets::SecretsKey;
use hookline_store::sqlite::MigrationMode;
use hookline_store::{PgStore, SqliteStore};
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(*args).await?,
        Command::Migrate(args) => migrate(args).await?,
        Command::Prune(args) => prune(args).await?,
        Command::Config(args) => {
            let args = *args;
            let settings = args.settings()?;
            settings.to_config()?;
            print!("{}", settings.to_redacted_toml());
        }
        Command::Client(command) => return Ok(hookline::client::main(command).await),
    }
    Ok(ExitCode::SUCCESS)
}

async fn migrate(args: MigrateArgs) -> anyhow::Result<()> {
    init_logging(LogFormat::Text);
    let settings = args.settings()?;
    let config = settings.to_config()?;
    let (shown, version, opened) = match &config.database {
        Database::Sqlite => {
            hookline::bootstrap::ensure_data_dir(&config.data_dir)?;
            let path = config.database_path();
            let opened = database::open(&config.database, &config.data_dir, MigrationMode::Apply)
                .await
                .with_context(|| format!("cannot migrate {}", path.display()))?;
            (
                path.display().to_string(),
                SqliteStore::schema_version(),
                opened,
            )
        }
        Database::Postgres { url, .. } => {
            let opened =
                database::open(&config.database, &config.data_dir, MigrationMode::Apply).await?;
            if let (Some(pg), Some(key)) = (&opened.postgres, &settings.secrets_key) {
                record_node_check(pg, key, settings.admin_token.as_deref()).await?;
            }
            (database::redact_url(url), PgStore::schema_version(), opened)
        }
    };
    println!("{shown} is at schema version {version}");
    let storage = Storage::of(&config.database, &config.data_dir, opened.postgres.as_ref());
    for (environment, _) in
        environments::open_all(opened.store.as_ref(), &storage, MigrationMode::Apply).await?
    {
        println!(
            "environment {} ({}) is at schema version {version}",
            environment.id, environment.name
        );
    }
    Ok(())
}

/// `hookline migrate` on PostgreSQL with the secrets key: checks it against the database and,
/// with an admin token, records that token as the one every node must use.
async fn record_node_check(
    pg: &PgStore,
    key: &str,
    admin_token: Option<&str>,
) -> anyhow::Result<()> {
    let key = SecretsKey::parse(key).map_err(|e| anyhow::anyhow!("HOOKLINE_SECRETS_KEY: {e}"))?;
    let Some(token) = admin_token else {
        println!("the admin token is unchanged (HOOKLINE_ADMIN_TOKEN is not set)");
        return Ok(());
    };
    match node_check::record(pg, &key, token).await? {
        Recorded::New => println!("recorded the secrets key and admin token every node must use"),
        Recorded::Unchanged => {}
        Recorded::TokenChanged => println!(
            "recorded a new admin token: nodes still configured with the old one will refuse \
             to start"
        ),
    }
    Ok(())
}

async fn prune(args: PruneArgs) -> anyhow::Result<()> {
    init_logging(LogFormat::Text);
    // 0 is allowed here: it removes everything that is not still waiting for delivery, and
    // every background task that is not still running.
    let settings = args.settings()?;
    let database = Database::parse(
        settings.database_url.as_deref(),
        settings.database_pool_size as usize,
    )
    .map_err(|e| anyhow::anyhow!("database_url (HOOKLINE_DATABASE_URL): {e}"))?;
    if database == Database::Sqlite {
        let path = database::sqlite_path(&settings.data_dir);
        anyhow::ensure!(path.exists(), "there is no database at {}", path.display());
    }
    let opened = database::open(&database, &settings.data_dir, MigrationMode::Apply).await?;
    let storage = Storage::of(&database, &settings.data_dir, opened.postgres.as_ref());
    let mut stores = vec![("the default environment".to_owned(), opened.store.clone())];
    for (environment, store) in
        environments::open_all(opened.store.as_ref(), &storage, MigrationMode::Apply).await?
    {
        stores.push((format!("environment {}", environment.id), store.store));
    }
    let config = MaintenanceConfig {
        retention: days(settings.retention_days),
        task_retention: days(settings.task_retention_days),
        ..MaintenanceConfig::default()
    };
    for (name, store) in stores {
        let report = Maintenance::new(store, config.clone())
            .prune(Timestamp::now())
            .await
            .with_context(|| format!("pruning {name} failed"))?;
        println!(
            "{name}: expired {} payloads, deleted {} attempts and {} messages older than {} days; \
             deleted {} ended background tasks older than {} days",
            report.payloads_expired,
            report.attempts_deleted,
            report.messages_deleted,
            settings.retention_days,
            report.tasks_deleted,
            settings.task_retention_days
        );
    }
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
