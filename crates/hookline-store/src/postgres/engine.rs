//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
use crate::StoreResult;
use crate::engine_store::*;
use crate::query::{Deferral, QueueDepth};
use async_trait::async_trait;
use hookline_core::delivery::{DeliverySettings, EndpointHealth};
use hookline_core::retry::RetrySchedule;
use hookline_core::{EndpointId, EventTypeName, Timestamp};

#[async_trait]
impl crate::EngineStore for PgStore {
    async fn defer_deliveries(&self, deferral: Deferral) -> StoreResult<()> {
        Err(super::unported("defer_deliveries"))
    }

    async fn endpoint_health(&self, endpoint: &EndpointId) -> StoreResult<Option<EndpointHealth>> {
        Err(super::unported("endpoint_health"))
    }

    async fn delivery_settings(&self, endpoint: &EndpointId) -> StoreResult<DeliverySettings> {
        Err(super::unported("delivery_settings"))
    }

    async fn set_delivery_settings(
        &self,
        endpoint: &EndpointId,
        settings: DeliverySettings,
        now: Timestamp,
    ) -> StoreResult<DeliverySettings> {
        Err(super::unported("set_delivery_settings"))
    }

    async fn event_type_retry_schedule(
        &self,
        name: &EventTypeName,
    ) -> StoreResult<Option<RetrySchedule>> {
        Err(super::unported("event_type_retry_schedule"))
    }

    async fn set_event_type_retry_schedule(
        &self,
        name: &EventTypeName,
        schedule: Option<RetrySchedule>,
        now: Timestamp,
    ) -> StoreResult<()> {
        Err(super::unported("set_event_type_retry_schedule"))
    }

    async fn next_due_after(&self, now: Timestamp) -> StoreResult<Option<Timestamp>> {
        Err(super::unported("next_due_after"))
    }

    async fn queue_depth(&self, now: Timestamp) -> StoreResult<QueueDepth> {
        Err(super::unported("queue_depth"))
    }
}
