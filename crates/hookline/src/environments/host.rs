//! [`Environments`] as the API sees them ([`EnvironmentHost`]), strongly (the dispatch layer)
//! or weakly (environments' own API states, which the environments hold).

use std::sync::Weak;

use hookline_api::environments::{BoxFuture, EnvironmentHost};
use hookline_api::error::ApiError;
use hookline_core::EnvId;
use hookline_store::environments::Environment;
use hookline_store::{Page, PageRequest};

use super::{Environments, Inner};

impl EnvironmentHost for Environments {
    fn list<'a>(
        &'a self,
        page: &'a PageRequest,
    ) -> BoxFuture<'a, Result<Page<Environment>, ApiError>> {
        Box::pin(async move { Ok(self.inner.registry.list_environments(page).await?) })
    }

    fn get<'a>(&'a self, id: &'a EnvId) -> BoxFuture<'a, Result<Option<Environment>, ApiError>> {
        Box::pin(async move { Ok(self.inner.registry.get_environment(id).await?) })
    }

    fn router<'a>(
        &'a self,
        id: &'a EnvId,
    ) -> BoxFuture<'a, Result<Option<axum::Router>, ApiError>> {
        Box::pin(self.router_of(id))
    }

    fn create(&self, name: String) -> BoxFuture<'_, Result<Environment, ApiError>> {
        Box::pin(Environments::create(self, name))
    }

    fn delete<'a>(&'a self, id: &'a EnvId) -> BoxFuture<'a, Result<(), ApiError>> {
        Box::pin(Environments::delete(self, id))
    }
}

/// [`Environments`] without keeping them alive.
#[derive(Debug)]
pub(super) struct WeakHost(pub(super) Weak<Inner>);

impl WeakHost {
    fn get(&self) -> Result<Environments, ApiError> {
        self.0
            .upgrade()
            .map(|inner| Environments { inner })
            .ok_or_else(|| ApiError::Unavailable("the server is stopping".into()))
    }
}

impl EnvironmentHost for WeakHost {
    fn list<'a>(
        &'a self,
        page: &'a PageRequest,
    ) -> BoxFuture<'a, Result<Page<Environment>, ApiError>> {
        Box::pin(async move { self.get()?.list(page).await })
    }

    fn get<'a>(&'a self, id: &'a EnvId) -> BoxFuture<'a, Result<Option<Environment>, ApiError>> {
        Box::pin(async move { EnvironmentHost::get(&self.get()?, id).await })
    }

    fn router<'a>(
        &'a self,
        id: &'a EnvId,
    ) -> BoxFuture<'a, Result<Option<axum::Router>, ApiError>> {
        Box::pin(async move { self.get()?.router_of(id).await })
    }

    fn create(&self, name: String) -> BoxFuture<'_, Result<Environment, ApiError>> {
        Box::pin(async move { Environments::create(&self.get()?, name).await })
    }

    fn delete<'a>(&'a self, id: &'a EnvId) -> BoxFuture<'a, Result<(), ApiError>> {
        Box::pin(async move { Environments::delete(&self.get()?, id).await })
    }
}
