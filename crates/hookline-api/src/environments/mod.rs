//! Environments: separate organisations served by one Hookline.
//!
//! An environment is a whole store of its own (a SQLite file, or a PostgreSQL schema; see
//! `hookline_store::environments`) with its own API router — [`crate::router`] over an
//! [`AppState`](crate::AppState) whose store is the environment's — and its own delivery
//! engine. No query of one environment can see another's rows, so isolation holds by
//! construction rather than by a filter every query must remember.
//!
//! The default environment is the store the server always had; the others are registered in it.
//! [`dispatch`] decides which environment a request is for from what it carries (the key's
//! token names its environment, the admin token chooses one with the [`HEADER`], other
//! environments' sources receive at `/in/{env_id}/{source}`) and forwards it to that
//! environment's router. Whoever runs the server (the binary) implements [`EnvironmentHost`]:
//! opening environments' stores, starting and stopping their engines.

pub mod dispatch;

pub use futures::future::BoxFuture;
use hookline_core::EnvId;
use hookline_store::environments::Environment;
use hookline_store::{Page, PageRequest};

use crate::error::ApiError;

pub use dispatch::dispatching;

/// The header with which the admin token chooses an environment (the default one without it).
pub const HEADER: &str = "hookline-environment";

/// Every environment of a server: the registry, and each environment's running API.
pub trait EnvironmentHost: Send + Sync + std::fmt::Debug + 'static {
    /// Lists registered environments (the default one is not among them).
    fn list<'a>(
        &'a self,
        page: &'a PageRequest,
    ) -> BoxFuture<'a, Result<Page<Environment>, ApiError>>;

    /// The registered environment `id`, if any.
    fn get<'a>(&'a self, id: &'a EnvId) -> BoxFuture<'a, Result<Option<Environment>, ApiError>>;

    /// The API of environment `id`, opened on first use; `None` when no such environment is
    /// registered.
    fn router<'a>(&'a self, id: &'a EnvId)
    -> BoxFuture<'a, Result<Option<axum::Router>, ApiError>>;

    /// Creates an environment: its storage first, then its registry entry (so no one sees it
    /// before it can be used); its deliveries start.
    fn create(&self, name: String) -> BoxFuture<'_, Result<Environment, ApiError>>;

    /// Deletes environment `id` with all its data: unregisters it, stops its deliveries and
    /// removes its storage. 404 when there is no such environment.
    fn delete<'a>(&'a self, id: &'a EnvId) -> BoxFuture<'a, Result<(), ApiError>>;
}
