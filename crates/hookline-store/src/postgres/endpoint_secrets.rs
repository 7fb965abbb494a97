//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::endpoint_secrets::*;
use async_trait::async_trait;
use hookline_core::{AppId, EndpointId, Timestamp};

#[async_trait]
impl EndpointSecretStore for PgStore {
    async fn replace_endpoint_secret(
        &self,
        app: &AppId,
        endpoint: &EndpointId,
        expected: &str,
        new: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        Err(super::unported("replace_endpoint_secret"))
    }

    async fn unsealed_endpoint_secrets(
        &self,
        sealed_prefix: &str,
        limit: u32,
    ) -> StoreResult<Vec<(AppId, EndpointId, String)>> {
        Err(super::unported("unsealed_endpoint_secrets"))
    }
}
