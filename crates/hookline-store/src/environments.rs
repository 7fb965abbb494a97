//! The registry of environments: the organisations one Hookline serves, each with its own
//! applications, event types, sources, keys and deliveries.
//!
//! Only the registry lives here, in the default environment's store. An environment's data is
//! a whole store of its own (a SQLite file, or a PostgreSQL schema), opened by whoever runs the
//! environments; no query of one environment's store can see another's rows.

use async_trait::async_trait;
use hookline_core::{EnvId, Timestamp};

use crate::StoreResult;
use crate::page::{Page, PageRequest};

/// A registered environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// Public identifier (`env_...`); also names the environment's storage.
    pub id: EnvId,
    /// A label chosen by the operator (not unique).
    pub name: String,
    /// When it was created.
    pub created_at: Timestamp,
}

/// Storage of the environment registry.
#[async_trait]
pub trait EnvironmentStore: Send + Sync {
    /// Records a new environment; a taken id is a `Conflict`.
    async fn create_environment(&self, environment: Environment) -> StoreResult<Environment>;
    /// Finds an environment by id.
    async fn get_environment(&self, id: &EnvId) -> StoreResult<Option<Environment>>;
    /// Lists environments by id (oldest first by default).
    async fn list_environments(&self, page: &PageRequest) -> StoreResult<Page<Environment>>;
    /// Forgets an environment; `NotFound` when absent (so of two callers, one learns it was
    /// already gone).
    async fn delete_environment(&self, id: &EnvId) -> StoreResult<()>;
    /// Changes whenever any node may have created or deleted an environment (a counter; wait
    /// with `changed()`), for stores shared by several nodes; `None` where this process is the
    /// only writer (SQLite), as it knows its own changes.
    fn environment_changes(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }
}
