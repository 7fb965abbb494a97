//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::replay::*;
use async_trait::async_trait;
use hookline_core::model::DeliveryStatus;
use hookline_core::{AppId, EndpointId, MessageId, Timestamp};
use serde::{Deserialize, Serialize};

#[async_trait]
impl ReplayStore for PgStore {
    async fn resend(
        &self,
        app: &AppId,
        msg: &MessageId,
        endpoint: &EndpointId,
        now: Timestamp,
    ) -> StoreResult<ResendOutcome> {
        Err(super::unported("resend"))
    }

    async fn replay_batch(
        &self,
        spec: &ReplaySpec,
        after: Option<String>,
        limit: u32,
        now: Timestamp,
    ) -> StoreResult<ReplayBatch> {
        Err(super::unported("replay_batch"))
    }
}
