//! Wiring the store, the delivery engine and the API together.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use hookline_api::auth::AdminToken;
use hookline_api::environments::dispatching;
use hookline_api::observability::{HttpOptions, MetricsRender};
use hookline_api::security::Security;
use hookline_api::{ApiConfig, AppState};
use hookline_core::model::Attempt;
use hookline_delivery::DeliveryEngine;
use hookline_delivery::maintenance::Maintenance;
use hookline_delivery::signing::{Signer, seal_unsealed_secrets};
use hookline_store::feed::FeedSignal;
use hookline_store::sqlite::MigrationMode;
use hookline_store::{SqliteStore, Store};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::bootstrap::{self, TokenSource};
use crate::config::Config;
use crate::environments::{Environments, Storage, Template, forward_attempts};
use crate::peer::{self, Peer};
use crate::secrets_key;
use crate::tls::{TlsFiles, TlsListener};

/// Serves `app` on `listener` (plain TCP or TLS) until `shutdown`, then lets in-flight
/// requests finish. Handlers see the peer's address.
async fn serve<L>(listener: L, app: axum::Router, shutdown: CancellationToken)
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
    Peer: for<'a> Connected<IncomingStream<'a, L>>,
{
    let app = app
        .layer(axum::middleware::from_fn(peer::expose))
        .into_make_service_with_connect_info::<Peer>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await;
    if let Err(err) = served {
        tracing::error!(error = %err, "the API server stopped with an error");
    }
}

/// A started server.
#[derive(Debug)]
pub struct Server {
    /// The address the API listens on.
    pub addr: SocketAddr,
    /// The admin token callers must present.
    pub admin_token: String,
    /// Where the token came from (to tell the operator once).
    pub token_source: TokenSource,
    /// Attempts as they are recorded, in every environment (for tests and tools).
    pub attempts: broadcast::Receiver<Attempt>,
    /// Housekeeping (auto-disable, retention); runs on its own, callable for a pass at a time.
    pub maintenance: Maintenance,
    /// Wakes pull consumers when messages commit; closed at shutdown so long-polls and event
    /// streams end.
    pub feed: FeedSignal,
    /// Finishes when both the API and the engine have stopped.
    pub stopped: JoinHandle<()>,
}

/// Opens the store, starts the delivery engine and serves the API on `listener` until
/// `shutdown` is cancelled; then stops accepting requests and drains in-flight deliveries.
pub async fn start(
    config: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<Server> {
    let tls = config.tls.as_ref().map(TlsFiles::acceptor).transpose()?;
    bootstrap::ensure_data_dir(&config.data_dir)?;
    let (admin_token, token_source) =
        bootstrap::admin_token(&config.data_dir, config.admin_token.as_deref())?;
    let mode = if config.migrate {
        MigrationMode::Apply
    } else {
        MigrationMode::Verify
    };
    let db_path = config.database_path();
    let store = tokio::task::spawn_blocking(move || SqliteStore::open_with(&db_path, mode))
        .await?
        .with_context(|| format!("cannot open the database in {}", config.data_dir.display()))?;
    let store: Arc<dyn Store> = Arc::new(store);
    let interrupted = hookline_delivery::replay::fail_interrupted(store.as_ref()).await?;
    if interrupted > 0 {
        tracing::warn!(
            interrupted,
            "replays interrupted by the last shutdown were marked failed"
        );
    }
    let maintenance = Maintenance::new(Arc::clone(&store), config.maintenance.clone());
    let feed = store.feed_signal();
    let feed_shutdown = shutdown.clone();
    let closing = feed.clone();
    tokio::spawn(async move {
        feed_shutdown.cancelled().await;
        closing.close();
    });

    let secrets = secrets_key::secrets_key(&config.data_dir, config.secrets_key.as_deref())?;
    let signer = Signer::new(Arc::new(secrets), config.header_style, config.key_kind);
    let sealed = seal_unsealed_secrets(store.as_ref(), &signer).await?;
    if sealed > 0 {
        tracing::info!(
            sealed,
            "encrypted endpoint secrets that were stored in the clear"
        );
    }
    let mut delivery = config.delivery.clone();
    delivery.signer = signer.clone();
    let engine = DeliveryEngine::new(Arc::clone(&store), delivery.clone())
        .context("cannot build the HTTP client for deliveries")?;
    // Every environment's attempts, this one's included, are announced on one channel.
    let (all_attempts, attempts) = broadcast::channel(1024);
    forward_attempts(engine.subscribe(), all_attempts.clone());
    let maintenance = maintenance.with_waker(engine.waker());
    let mut state = AppState {
        store: Arc::clone(&store),
        config: Arc::new(ApiConfig {
            max_body_bytes: config.max_body_bytes,
            policy: Arc::clone(&config.delivery.policy),
            inbound: config.inbound.clone(),
        }),
        waker: engine.waker(),
        admin: Arc::new(AdminToken::new(&admin_token)),
        signer,
        security: Arc::new(Security::new(config.rate_limit)),
        payload_schemas: Default::default(),
        environment: None,
        environments: None,
    };
    let template = Template {
        api: Arc::clone(&state.config),
        admin: Arc::clone(&state.admin),
        signer: state.signer.clone(),
        security: Arc::clone(&state.security),
        delivery,
        maintenance: config.maintenance.clone(),
        deliver: config.deliver,
        attempts: all_attempts,
    };
    let environments = Environments::start(
        store,
        Storage::sqlite(&config.data_dir),
        template,
        mode,
        shutdown.clone(),
    )
    .await;
    state.environments = Some(environments.weak_host());
    let admin = Arc::clone(&state.admin);
    let addr = listener.local_addr()?;
    let app = hookline_api::observability::wrap(
        dispatching(hookline_api::router(state), environments.host(), admin),
        HttpOptions {
            metrics: crate::telemetry::prometheus()
                .map(|handle| -> MetricsRender { std::sync::Arc::new(move || handle.render()) }),
            cors: config.cors.clone(),
        },
    );

    let engine_task = if config.deliver {
        tokio::spawn(engine.run(shutdown.clone()))
    } else {
        tokio::spawn(async {})
    };
    tokio::spawn(maintenance.clone().run(shutdown.clone()));
    let api_task = match tls {
        None => tokio::spawn(serve(listener, app, shutdown.clone())),
        Some(acceptor) => tokio::spawn(serve(
            TlsListener::new(listener, acceptor)?,
            app,
            shutdown.clone(),
        )),
    };
    let stopped = tokio::spawn(async move {
        let _ = api_task.await;
        let _ = engine_task.await;
        environments.stopped().await;
    });
    Ok(Server {
        addr,
        admin_token,
        token_source,
        attempts,
        maintenance,
        feed,
        stopped,
    })
}
