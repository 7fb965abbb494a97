//! One environment running: its delivery engine and housekeeping, and the API state and router
//! over its store. The default environment and every other one are started alike.

use std::sync::Arc;

use anyhow::Context;
use hookline_api::auth::AdminToken;
use hookline_api::environments::EnvironmentHost;
use hookline_api::security::Security;
use hookline_api::{ApiConfig, AppState, StateParts};
use hookline_core::EnvId;
use hookline_core::model::Attempt;
use hookline_delivery::maintenance::{Maintenance, MaintenanceConfig};
use hookline_delivery::signing::{Signer, seal_unsealed_secrets};
use hookline_delivery::{DeliveryConfig, DeliveryEngine};
use hookline_store::feed::FeedSignal;
use hookline_store::{PgStore, Store};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// What every environment's runtime shares: settings, the admin token, the signer, the rate
/// limits (so a key's bucket, and the admin token's, is one across environments).
#[derive(Debug, Clone)]
pub struct Template {
    /// API settings.
    pub api: Arc<ApiConfig>,
    /// The admin token, valid in every environment.
    pub admin: Arc<AdminToken>,
    /// Seals and opens secrets (one key for every environment).
    pub signer: Signer,
    /// Rate-limit buckets and the other state of the request guards.
    pub security: Arc<Security>,
    /// Delivery engine settings (with `signer`).
    pub delivery: DeliveryConfig,
    /// Housekeeping settings.
    pub maintenance: MaintenanceConfig,
    /// Whether this node runs delivery engines (and housekeeping).
    pub deliver: bool,
    /// Where every environment's recorded attempts are announced (for tests and tools).
    pub attempts: broadcast::Sender<Attempt>,
}

/// An environment's store, with its PostgreSQL handle when it is one (for wake-ups from other
/// nodes and handing endpoints back at stop).
#[derive(Debug, Clone)]
pub struct OpenStore {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The same store when it is PostgreSQL.
    pub postgres: Option<PgStore>,
}

/// A started environment.
#[derive(Debug)]
pub struct Runtime {
    /// Its API state (its store, its engine's waker).
    pub state: AppState,
    /// Its API.
    pub router: axum::Router,
    /// Its housekeeping, callable for a pass at a time.
    pub maintenance: Maintenance,
    /// Wakes its pull consumers; closed when it stops.
    pub feed: FeedSignal,
    stop: CancellationToken,
    stopped: JoinHandle<()>,
}

impl Runtime {
    /// Starts environment `environment` (`None`: the default one) over `opened`: its engine and
    /// housekeeping when the node delivers, until `shutdown` or [`Runtime::stop`].
    pub async fn start(
        template: &Template,
        environment: Option<EnvId>,
        opened: OpenStore,
        host: Option<Arc<dyn EnvironmentHost>>,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<Self> {
        let OpenStore { store, postgres } = opened;
        // With one node, a task still marked running was left by this node's previous process.
        // With PostgreSQL another live node may be running it, so it is left alone.
        if postgres.is_none() {
            let interrupted = hookline_delivery::replay::fail_interrupted(store.as_ref()).await?;
            if interrupted > 0 {
                tracing::warn!(
                    interrupted,
                    environment = ?environment,
                    "replays interrupted by the last shutdown were marked failed"
                );
            }
        }
        let sealed = seal_unsealed_secrets(store.as_ref(), &template.signer).await?;
        if sealed > 0 {
            tracing::info!(
                sealed,
                environment = ?environment,
                "encrypted endpoint secrets that were stored in the clear"
            );
        }
        let mut delivery = template.delivery.clone();
        delivery.environment = Arc::from(environment.as_ref().map_or("default", |id| id.as_str()));
        let engine = DeliveryEngine::new(Arc::clone(&store), delivery)
            .context("cannot build the HTTP client for deliveries")?;
        forward_attempts(engine.subscribe(), template.attempts.clone());
        // Deliveries planned outside an API call that wakes the engine (operational events,
        // other nodes through NOTIFY hookline_due) wake it too.
        let waker = engine.waker();
        store.on_planned(Arc::new(move || waker.wake()));
        let maintenance = Maintenance::new(Arc::clone(&store), template.maintenance.clone())
            .with_waker(engine.waker());
        let feed = store.feed_signal();
        let state = AppState::new(StateParts {
            store,
            config: Arc::clone(&template.api),
            waker: engine.waker(),
            admin: Arc::clone(&template.admin),
            signer: template.signer.clone(),
            security: Arc::clone(&template.security),
            payload_schemas: Default::default(),
            environment,
            environments: host,
        });
        let router = hookline_api::router(state.clone());

        let stop = shutdown.child_token();
        let closing = (stop.clone(), feed.clone());
        tokio::spawn(async move {
            closing.0.cancelled().await;
            closing.1.close();
        });
        // Housekeeping goes with the engine: API-only nodes leave both to the workers.
        let stopped = if template.deliver {
            tokio::spawn(maintenance.clone().run(stop.clone()));
            let run = engine.run(stop.clone());
            tokio::spawn(async move {
                run.await;
                // Drained (or out of drain time, and about to exit): nothing more will be sent,
                // so this node's endpoints can go to the other nodes (or to this node's next
                // start) now rather than when its ownership lapses.
                if let Some(pg) = postgres {
                    match pg.release_endpoints().await {
                        Ok(released) => {
                            tracing::info!(released, "handed back this node's endpoints");
                        }
                        Err(err) => {
                            tracing::warn!(error = %err, "cannot hand back this node's endpoints; they pass to other nodes when their ownership lapses");
                        }
                    }
                }
            })
        } else {
            tokio::spawn(async {})
        };
        Ok(Self {
            state,
            router,
            maintenance,
            feed,
            stop,
            stopped,
        })
    }

    /// Stops the engine and housekeeping and waits for in-flight deliveries to drain.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.stopped.await;
    }

    /// Waits until the engine has stopped (after the shutdown token given to `start`).
    pub async fn stopped(self) {
        let _ = self.stopped.await;
    }
}

/// Announces an engine's recorded attempts on the server-wide channel, until the engine stops.
fn forward_attempts(mut recorded: broadcast::Receiver<Attempt>, to: broadcast::Sender<Attempt>) {
    tokio::spawn(async move {
        loop {
            match recorded.recv().await {
                Ok(attempt) => {
                    let _ = to.send(attempt);
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}
