//! The environments of a server: separate organisations, each a whole store of its own (see
//! [`storage`]) with its own delivery engine and API ([`runtime`]), registered in the default
//! environment's store; the API reaches them through [`host`].
//!
//! [`Environments`] opens an environment when a request first needs it, or at start for nodes
//! that deliver (its deliveries must go on after a restart without waiting for a request), and
//! keeps it open until it is deleted or the server stops. Nodes sharing a PostgreSQL database
//! look at the registry when another node announces a change (`NOTIFY hookline_environments`),
//! and every [`REGISTRY_CHECK`] in any case, to open environments created elsewhere (nodes that
//! deliver) and close those deleted elsewhere; requests never wait for that, as an environment a
//! request names is looked up in the registry when it is not open yet.

mod host;
mod runtime;
mod storage;

use std::collections::HashMap;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use hookline_api::environments::EnvironmentHost;
use hookline_api::error::ApiError;
use hookline_core::{EnvId, Timestamp};
use hookline_store::environments::Environment;
use hookline_store::sqlite::MigrationMode;
use hookline_store::{Order, PageRequest, Store, StoreError};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub use runtime::{OpenStore, Runtime, Template};
pub use storage::Storage;

/// How often nodes sharing a database look for environments created or deleted by others even
/// when no change was announced, by default: changes are announced (`NOTIFY`), so this only
/// covers an announcement lost with a dropped connection.
pub const REGISTRY_CHECK: Duration = Duration::from_secs(60);

/// Every environment of this server but the default one.
#[derive(Debug, Clone)]
pub struct Environments {
    inner: Arc<Inner>,
}

struct Inner {
    /// The default environment's store, which holds the registry.
    registry: Arc<dyn Store>,
    storage: Storage,
    template: Template,
    /// Migrations at open: applied, or only checked (`--no-migrate`). New environments are
    /// always migrated: that is how their storage is made.
    mode: MigrationMode,
    shutdown: CancellationToken,
    /// How often to look at the registry when it is shared.
    check: Duration,
    /// The environments open on this node.
    open: RwLock<HashMap<EnvId, Runtime>>,
    /// Opening, creating, deleting and closing happen one at a time.
    changing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Environments")
            .field("storage", &self.storage)
            .field("open", &self.read().len())
            .finish()
    }
}

impl Inner {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<EnvId, Runtime>> {
        self.open.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<EnvId, Runtime>> {
        self.open.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// A 500 whose detail (with its causes) goes to the log, not to the caller.
fn internal(err: anyhow::Error) -> ApiError {
    ApiError::Internal(format!("{err:#}"))
}

impl Environments {
    /// Starts managing the environments registered in `registry`: nodes that deliver open them
    /// all now, and nodes sharing the database look at the registry every `check` until
    /// `shutdown`.
    pub async fn start(
        registry: Arc<dyn Store>,
        storage: Storage,
        template: Template,
        mode: MigrationMode,
        check: Duration,
        shutdown: CancellationToken,
    ) -> Self {
        let shared = storage.is_shared();
        // Subscribed before the first look, so a change announced meanwhile is not missed.
        let changes = registry.environment_changes();
        let environments = Self {
            inner: Arc::new(Inner {
                registry,
                storage,
                template,
                mode,
                shutdown,
                check,
                open: RwLock::new(HashMap::new()),
                changing: tokio::sync::Mutex::new(()),
            }),
        };
        if let Err(err) = environments.sync().await {
            tracing::error!(error = format!("{err:#}"), "cannot open the environments");
        }
        if shared {
            tokio::spawn(watch(Arc::downgrade(&environments.inner), changes));
        }
        environments
    }

    /// The handle the dispatch layer keeps.
    pub fn host(&self) -> Arc<dyn EnvironmentHost> {
        Arc::new(self.clone())
    }

    /// The handle environments' own API states keep: it does not keep the environments alive
    /// (they hold those states).
    pub fn weak_host(&self) -> Arc<dyn EnvironmentHost> {
        Arc::new(host::WeakHost(Arc::downgrade(&self.inner)))
    }

    /// Opens registered environment `id` unless it is; the caller holds `changing`. Its storage
    /// must exist: opening never creates it, so an environment deleted meanwhile (by this node
    /// or another) is not brought back empty.
    async fn open(&self, id: &EnvId, mode: MigrationMode) -> anyhow::Result<axum::Router> {
        if let Some(running) = self.inner.read().get(id) {
            return Ok(running.router.clone());
        }
        let opened = self.inner.storage.open(id, mode).await?;
        self.launch(id, opened).await
    }

    /// Starts environment `id` over its opened store; the caller holds `changing`.
    async fn launch(&self, id: &EnvId, opened: OpenStore) -> anyhow::Result<axum::Router> {
        let feed = opened.store.feed_signal();
        let runtime = Runtime::start(
            &self.inner.template,
            Some(id.clone()),
            opened,
            Some(self.weak_host()),
            &self.inner.shutdown,
        )
        .await
        .inspect_err(|_| feed.close())?;
        let router = runtime.router.clone();
        self.inner.write().insert(id.clone(), runtime);
        tracing::info!(environment = %id, "opened the environment");
        Ok(router)
    }

    /// One look at the registry: closes what was deleted by another node and opens what this
    /// node should run (every environment, on nodes that deliver). The registry is read under
    /// the lock, so an environment this node deletes meanwhile is not reopened.
    pub async fn sync(&self) -> anyhow::Result<()> {
        let gone: Vec<(EnvId, Runtime)> = {
            let _changing = self.inner.changing.lock().await;
            let registered = registered(self.inner.registry.as_ref()).await?;
            let mut open = self.inner.write();
            let ids: Vec<EnvId> = open
                .keys()
                .filter(|id| !registered.iter().any(|e| &e.id == *id))
                .cloned()
                .collect();
            ids.into_iter()
                .filter_map(|id| open.remove(&id).map(|runtime| (id, runtime)))
                .collect()
        };
        for (id, runtime) in gone {
            runtime.stop().await;
            tracing::info!(environment = %id, "closed an environment deleted elsewhere");
        }
        if !self.inner.template.deliver {
            return Ok(());
        }
        let _changing = self.inner.changing.lock().await;
        for environment in registered(self.inner.registry.as_ref()).await? {
            if let Err(err) = self.open(&environment.id, self.inner.mode).await {
                tracing::error!(
                    environment = %environment.id,
                    error = format!("{err:#}"),
                    "cannot open the environment; its deliveries wait"
                );
            }
        }
        Ok(())
    }

    /// Waits until every open environment's engine has stopped (after the shutdown token),
    /// and lets them go.
    pub async fn stopped(&self) {
        let _changing = self.inner.changing.lock().await;
        let all: Vec<Runtime> = self.inner.write().drain().map(|(_, r)| r).collect();
        for runtime in all {
            runtime.stopped().await;
        }
    }

    async fn router_of(&self, id: &EnvId) -> Result<Option<axum::Router>, ApiError> {
        if let Some(running) = self.inner.read().get(id) {
            return Ok(Some(running.router.clone()));
        }
        // Tokens naming environments that do not exist cost one read and never wait for the
        // lock; the read is repeated under it, as a delete may have finished meanwhile.
        if self.inner.registry.get_environment(id).await?.is_none() {
            return Ok(None);
        }
        let _changing = self.inner.changing.lock().await;
        if self.inner.registry.get_environment(id).await?.is_none() {
            return Ok(None);
        }
        self.open(id, self.inner.mode)
            .await
            .map(Some)
            .map_err(internal)
    }

    async fn create(&self, name: String) -> Result<Environment, ApiError> {
        let environment = Environment {
            id: EnvId::generate(),
            name,
            created_at: Timestamp::now(),
        };
        let id = environment.id.clone();
        let _changing = self.inner.changing.lock().await;
        // Storage first, then the registry: no one sees an environment it cannot open.
        let opened = self.inner.storage.create(&id).await.map_err(internal)?;
        if let Err(err) = self
            .inner
            .registry
            .create_environment(environment.clone())
            .await
        {
            // Its store's background work (PostgreSQL notifications) ends with its feed.
            opened.store.feed_signal().close();
            drop(opened);
            self.discard(&id).await;
            return Err(err.into());
        }
        if let Err(err) = self.launch(&id, opened).await {
            let _ = self.inner.registry.delete_environment(&id).await;
            self.discard(&id).await;
            return Err(internal(err));
        }
        tracing::info!(environment = %id, "created an environment");
        Ok(environment)
    }

    /// Removes the storage of an environment no one can reach any more.
    async fn discard(&self, id: &EnvId) {
        if let Err(err) = self.inner.storage.destroy(id).await {
            tracing::error!(
                environment = %id,
                error = format!("{err:#}"),
                "cannot remove the environment's storage; remove it by hand"
            );
        }
    }

    async fn delete(&self, id: &EnvId) -> Result<(), ApiError> {
        let runtime = {
            let _changing = self.inner.changing.lock().await;
            match self.inner.registry.delete_environment(id).await {
                Err(StoreError::NotFound) => return Err(ApiError::not_found("environment")),
                other => other?,
            }
            self.inner.write().remove(id)
        };
        // Unregistered and closed on this node: no one opens it again, so draining its
        // deliveries and removing its storage need not hold up other environments.
        if let Some(runtime) = runtime {
            runtime.stop().await;
        }
        self.discard(id).await;
        tracing::info!(environment = %id, "deleted an environment");
        Ok(())
    }
}

/// Every environment registered in `registry`.
async fn registered(registry: &dyn Store) -> Result<Vec<Environment>, StoreError> {
    let mut all = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT, Order::Ascending);
    loop {
        let found = registry.list_environments(&page).await?;
        all.extend(found.items);
        match found.iterator {
            Some(next) if !found.done => page.iterator = Some(next),
            _ => return Ok(all),
        }
    }
}

/// Opens the store of every environment registered in `registry` (`MigrationMode::Apply`
/// brings each up to date), for the commands that work on all of them (`hookline migrate`,
/// `hookline prune`).
pub async fn open_all(
    registry: &dyn Store,
    storage: &Storage,
    mode: MigrationMode,
) -> anyhow::Result<Vec<(Environment, OpenStore)>> {
    let mut opened = Vec::new();
    for environment in registered(registry).await? {
        let store = storage.open(&environment.id, mode).await?;
        opened.push((environment, store));
    }
    Ok(opened)
}

/// Looks at the registry whenever a node announces a change (PostgreSQL's `NOTIFY`), and every
/// `check` in any case (a safety net for an announcement lost with a connection), until the
/// server stops.
async fn watch(inner: Weak<Inner>, mut changes: Option<watch::Receiver<u64>>) {
    loop {
        let Some((shutdown, check)) = inner.upgrade().map(|i| (i.shutdown.clone(), i.check)) else {
            return;
        };
        let announced = async {
            match changes.as_mut() {
                Some(changes) => {
                    if changes.changed().await.is_err() {
                        // The store is gone: only the periodic look is left.
                        std::future::pending::<()>().await;
                    }
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(check) => {}
            () = announced => {}
        }
        let Some(inner) = inner.upgrade() else {
            return;
        };
        if let Err(err) = (Environments { inner }).sync().await {
            tracing::warn!(
                error = format!("{err:#}"),
                "cannot read the environment registry"
            );
        }
    }
}
