//! Wiring the store, the delivery engine and the API together.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use hookline_api::ApiConfig;
use hookline_api::auth::AdminToken;
use hookline_api::environments::dispatching;
use hookline_api::observability::{HttpOptions, MetricsRender};
use hookline_api::security::Security;
use hookline_core::model::Attempt;
use hookline_delivery::maintenance::Maintenance;
use hookline_delivery::signing::Signer;
use hookline_store::feed::FeedSignal;
use hookline_store::sqlite::MigrationMode;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::bootstrap::{self, TokenSource};
use crate::config::Config;
use crate::database::{self, Opened};
use crate::environments::{Environments, OpenStore, Runtime, Storage, Template};
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
    /// Attempts as they are recorded, in every environment (for tests and tools).
    pub attempts: broadcast::Receiver<Attempt>,
    /// The default environment's housekeeping (auto-disable, retention); runs on its own,
    /// callable for a pass at a time.
    pub maintenance: Maintenance,
    /// Wakes the default environment's pull consumers when messages commit; closed at shutdown
    /// so long-polls and event streams end.
    pub feed: FeedSignal,
    /// Finishes when the API and every environment's engine have stopped.
    pub stopped: JoinHandle<()>,
}

/// Opens the store, starts the delivery engines and serves the API on `listener` until
/// `shutdown` is cancelled; then stops accepting requests and drains in-flight deliveries.
/// [`Config::api`] and [`Config::deliver`] switch the API and the engines (with housekeeping)
/// off for nodes that share a PostgreSQL database and split the work.
///
/// Every environment runs alike ([`Runtime`]): the default one over the store opened here,
/// the others over their own stores ([`Environments`]), each request sent to its environment
/// by the dispatch layer in front of the default environment's router.
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
    let signer = Signer::new(Arc::new(secrets), config.header_style, config.key_kind);
    let mut delivery = config.delivery.clone();
    delivery.signer = signer.clone();
    let (all_attempts, attempts) = broadcast::channel(1024);
    let template = Template {
        api: Arc::new(ApiConfig {
            max_body_bytes: config.max_body_bytes,
            policy: Arc::clone(&config.delivery.policy),
            inbound: config.inbound.clone(),
            docs_script_url: config.docs_script_url.clone(),
        }),
        admin: Arc::new(AdminToken::new(&admin_token)),
        signer,
        security: Arc::new(Security::new(config.rate_limit)),
        delivery,
        maintenance: config.maintenance.clone(),
        deliver: config.deliver,
        attempts: all_attempts,
    };
    let storage = Storage::of(&config.database, &config.data_dir, postgres.as_ref());
    let environments = Environments::start(
        Arc::clone(&store),
        storage,
        template.clone(),
        mode,
        config.environment_check,
        shutdown.clone(),
    )
    .await;
    let default = Runtime::start(
        &template,
        None,
        OpenStore {
            store: Arc::clone(&store),
            postgres,
        },
        Some(environments.weak_host()),
        &shutdown,
    )
    .await?;

    let addr = listener.local_addr()?;
    let routes = if config.api {
        dispatching(
            default.router.clone(),
            environments.host(),
            Arc::clone(&template.admin),
        )
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
    let api_task = match tls {
        None => tokio::spawn(serve(listener, app, shutdown.clone())),
        Some(acceptor) => tokio::spawn(serve(
            TlsListener::new(listener, acceptor)?,
            app,
            shutdown.clone(),
        )),
    };
    let (maintenance, feed) = (default.maintenance.clone(), default.feed.clone());
    let stopped = tokio::spawn(async move {
        let _ = api_task.await;
        default.stopped().await;
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
