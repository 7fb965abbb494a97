//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::page::{Page, PageRequest};
use crate::tasks::*;
use async_trait::async_trait;
use hookline_core::{DeliveryId, Timestamp};
use rand::Rng;
use rand::distr::Alphanumeric;

#[async_trait]
impl TaskStore for PgStore {
    async fn create_task(&self, task: BackgroundTask) -> StoreResult<BackgroundTask> {
        Err(super::unported("create_task"))
    }

    async fn update_task(
        &self,
        id: &str,
        status: TaskStatus,
        data: serde_json::Value,
        now: Timestamp,
    ) -> StoreResult<()> {
        Err(super::unported("update_task"))
    }

    async fn get_task(&self, id: &str) -> StoreResult<Option<BackgroundTask>> {
        Err(super::unported("get_task"))
    }

    async fn list_tasks(
        &self,
        filter: &TaskFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<BackgroundTask>> {
        Err(super::unported("list_tasks"))
    }
}
