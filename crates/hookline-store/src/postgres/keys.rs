//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::keys::*;
use crate::page::{Page, PageRequest};
use async_trait::async_trait;
use hookline_core::{AppId, KeyId, Timestamp};

#[async_trait]
impl KeyStore for PgStore {
    async fn create_api_key(&self, key: ApiKey, digest: TokenDigest) -> StoreResult<ApiKey> {
        Err(super::unported("create_api_key"))
    }

    async fn find_api_key(&self, digest: TokenDigest) -> StoreResult<Option<ApiKey>> {
        Err(super::unported("find_api_key"))
    }

    async fn get_api_key(&self, id: &KeyId) -> StoreResult<Option<ApiKey>> {
        Err(super::unported("get_api_key"))
    }

    async fn list_api_keys(&self, page: &PageRequest) -> StoreResult<Page<ApiKey>> {
        Err(super::unported("list_api_keys"))
    }

    async fn revoke_api_key(&self, id: &KeyId, at: Timestamp) -> StoreResult<ApiKey> {
        Err(super::unported("revoke_api_key"))
    }

    async fn touch_api_keys(&self, used: Vec<(KeyId, Timestamp)>) -> StoreResult<()> {
        Err(super::unported("touch_api_keys"))
    }
}
