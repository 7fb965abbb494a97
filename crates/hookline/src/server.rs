//! Wiring the store, the delivery engine and the API together.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use hookline_api::auth::AdminToken;
use hookline_api::observability::{HttpOptions, MetricsRender};
use hookline_api::security::Security;
use hookline_api::{ApiConfig, AppState};
use hookline_core::model::Attempt;
use hookline_delivery::DeliveryEngine;
use hookline_delivery::maintenance::Maintenance;
use hookline_delivery::signing::{Signer, seal_unsealed_secrets};
use hookline_store::feed::FeedSignal;
use hookline_store::sqlite::MigrationMode;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::bootstrap::{self, TokenSource};
use crate::config::Config;
use crate::database::{self, Opened};
use crate::node_check;
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
    /// Attempts as they are recorded (for tests and tools).
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
/// [`Config::api`] and [`Config::deliver`] switch the API and the engine (with housekeeping)
/// off for nodes that share a PostgreSQL database and split the work.
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
    let Opened { store, postgres } =
        database::open(&config.database, &config.data_dir, mode).await?;
    let secrets = secrets_key::secrets_key(&config.data_dir, config.secrets_key.as_deref())?;
    if let Some(pg) = &postgres {
        node_check::agree(pg, &secrets, &admin_token).await?;
    }
    // With one node, a task still marked running was left by this node's previous process.
    // With PostgreSQL another live node may be running it, so it is left alone.
    if postgres.is_none() {
        let interrupted = hookline_delivery::replay::fail_interrupted(store.as_ref()).await?;
        if interrupted > 0 {
            tracing::warn!(
                interrupted,
                "replays interrupted by the last shutdown were marked failed"
            );
        }
    }
    let maintenance = Maintenance::new(Arc::clone(&store), config.maintenance.clone());
    let feed = store.feed_signal();
    let feed_shutdown = shutdown.clone();
    let closing = feed.clone();
    tokio::spawn(async move {
        feed_shutdown.cancelled().await;
        closing.close();
    });

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
    let engine = DeliveryEngine::new(Arc::clone(&store), delivery)
        .context("cannot build the HTTP client for deliveries")?;
    let attempts = engine.subscribe();
    // Deliveries planned outside an API call that wakes the engine (operational events, other
    // nodes through NOTIFY hookline_due) wake it too.
    let waker = engine.waker();
    store.on_planned(std::sync::Arc::new(move || waker.wake()));
    let maintenance = maintenance.with_waker(engine.waker());
    let state = AppState {
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
    };
    let addr = listener.local_addr()?;
    let routes = if config.api {
        hookline_api::router(state)
    } else {
        crate::worker_http::router(store)
    };
    let app = hookline_api::observability::wrap(
        routes,
        HttpOptions {
            metrics: crate::telemetry::prometheus()
                .map(|handle| -> MetricsRender { std::sync::Arc::new(move || handle.render()) }),
            cors: config.cors.clone(),
        },
    );

    // Housekeeping goes with the engine: API-only nodes leave both to the workers.
    let engine_task = if config.deliver {
        tokio::spawn(maintenance.clone().run(shutdown.clone()));
        let run = engine.run(shutdown.clone());
        tokio::spawn(async move {
            run.await;
            // Drained (or out of drain time, and about to exit): nothing more will be sent, so
            // this node's endpoints can go to the other nodes (or to this node's next start)
            // now rather than when its ownership lapses.
            if let Some(pg) = postgres {
                match pg.release_endpoints().await {
                    Ok(released) => tracing::info!(released, "handed back this node's endpoints"),
                    Err(err) => {
                        tracing::warn!(error = %err, "cannot hand back this node's endpoints; they pass to other nodes when their ownership lapses")
                    }
                }
            }
        })
    } else {
        tokio::spawn(async {})
    };
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
