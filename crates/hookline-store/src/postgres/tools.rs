//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::query::AttemptFilter;
use crate::tools::*;
use async_trait::async_trait;
use hookline_core::model::Message;
use hookline_core::{AppId, EndpointId, Timestamp};

#[async_trait]
impl ToolsStore for PgStore {
    async fn create_message_for_endpoint(
        &self,
        message: Message,
        endpoint: &EndpointId,
    ) -> StoreResult<Message> {
        Err(super::unported("create_message_for_endpoint"))
    }

    async fn endpoint_stats(
        &self,
        app: &AppId,
        endpoint: &EndpointId,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
    ) -> StoreResult<EndpointStats> {
        Err(super::unported("endpoint_stats"))
    }

    async fn count_attempts(
        &self,
        app: &AppId,
        filter: &AttemptFilter,
        cap: u64,
    ) -> StoreResult<(u64, bool)> {
        Err(super::unported("count_attempts"))
    }

    async fn expunge_message_content(&self, app: &AppId, msg_id: &str) -> StoreResult<()> {
        Err(super::unported("expunge_message_content"))
    }

    async fn expunge_attempt_content(
        &self,
        app: &AppId,
        msg_id: &str,
        attempt_id: &str,
    ) -> StoreResult<()> {
        Err(super::unported("expunge_attempt_content"))
    }
}
