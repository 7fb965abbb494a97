//! Storage the delivery engine needs beyond claiming and recording: deferring work it cannot start
//! yet, endpoint health, per-endpoint settings and per-event-type retry schedules.

use async_trait::async_trait;
use hookline_core::delivery::{DeliverySettings, EndpointHealth};
use hookline_core::retry::RetrySchedule;
use hookline_core::{EndpointId, EventTypeName, Timestamp};

use crate::StoreResult;
use crate::query::{Deferral, QueueDepth};

/// The delivery engine's extra storage; every write is durable when it returns `Ok`.
#[async_trait]
pub trait EngineStore: Send + Sync {
    /// Hands claimed deliveries back with a new due time, without counting an attempt, and
    /// persists the health changes in the same commit.
    async fn defer_deliveries(&self, deferral: Deferral) -> StoreResult<()>;
    /// What the engine last decided about an endpoint, if it ever held it back.
    async fn endpoint_health(&self, endpoint: &EndpointId) -> StoreResult<Option<EndpointHealth>>;
    /// The endpoint's delivery settings (defaults when none were set).
    async fn delivery_settings(&self, endpoint: &EndpointId) -> StoreResult<DeliverySettings>;
    /// Replaces the endpoint's delivery settings.
    async fn set_delivery_settings(
        &self,
        endpoint: &EndpointId,
        settings: DeliverySettings,
        now: Timestamp,
    ) -> StoreResult<DeliverySettings>;
    /// The event type's own retry schedule, if it has one.
    async fn event_type_retry_schedule(
        &self,
        name: &EventTypeName,
    ) -> StoreResult<Option<RetrySchedule>>;
    /// Sets (or with `None` removes) the event type's retry schedule.
    async fn set_event_type_retry_schedule(
        &self,
        name: &EventTypeName,
        schedule: Option<RetrySchedule>,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// When the earliest delivery due strictly after `now` is due: the scheduler's next wake-up
    /// when everything due now is either claimed or held back by its lane.
    async fn next_due_after(&self, now: Timestamp) -> StoreResult<Option<Timestamp>>;
    /// Registers the delivery engine's wake-up, called after a commit that planned deliveries
    /// (whoever planned them: recorded attempts' operational events, replays, other nodes).
    fn on_planned(&self, wake: crate::due::Wake);
    /// Counts waiting deliveries (an index range count; sample it, do not call per request).
    async fn queue_depth(&self, now: Timestamp) -> StoreResult<QueueDepth>;
}
