//! Storage of inbound sources and the events they accept.

use async_trait::async_trait;
use hookline_core::model::Message;
use hookline_core::source::{InboundEvent, InboundOutcome, Source};
use hookline_core::{EndpointId, SourceId, Timestamp};

use crate::StoreResult;
use crate::page::{Page, PageRequest};

/// Durable storage for inbound sources. Like every store write, a method returning `Ok` means
/// the change is committed to disk.
#[async_trait]
pub trait SourceStore: Send + Sync {
    /// Stores a new source together with its internal application (`source.app_id`, kind
    /// `source`, named after the source), in one transaction. A taken uid is a conflict.
    async fn create_source(&self, source: Source) -> StoreResult<Source>;
    /// Finds a source by id or uid.
    async fn get_source(&self, id_or_uid: &str) -> StoreResult<Option<Source>>;
    /// Finds the source an ingest URL names: by ingest token, id or uid.
    async fn find_ingest_source(&self, key: &str) -> StoreResult<Option<Source>>;
    /// Lists sources by id.
    async fn list_sources(&self, page: &PageRequest) -> StoreResult<Page<Source>>;
    /// Replaces a source's fields (matched by id); its application's name follows.
    async fn update_source(&self, source: Source) -> StoreResult<Source>;
    /// Deletes a source with its application, endpoints, events and their deliveries.
    async fn delete_source(&self, id: &SourceId) -> StoreResult<()>;

    /// Stores an inbound event as `message` of the source's application, planning one delivery
    /// per endpoint, in one transaction. When the event has a dedupe key already seen by this
    /// source less than `window_secs` ago, nothing is stored and the original's id is returned.
    async fn accept_inbound(
        &self,
        event: InboundEvent,
        message: Message,
        window_secs: u32,
    ) -> StoreResult<InboundOutcome>;
    /// Plans the event for delivery again, due `now`, to `endpoint` or to every enabled endpoint
    /// of the source: an existing delivery becomes pending again (unless an attempt is in
    /// flight), an endpoint added after the event gets a new one. Returns how many deliveries
    /// were planned; `NotFound` when the event or endpoint is not the source's.
    async fn replay_inbound(
        &self,
        source: &SourceId,
        event: &str,
        endpoint: Option<&EndpointId>,
        now: Timestamp,
    ) -> StoreResult<usize>;
    /// Lists a source's events by id (their message ids).
    async fn list_inbound_events(
        &self,
        source: &SourceId,
        page: &PageRequest,
    ) -> StoreResult<Page<InboundEvent>>;
    /// One event of a source, by its id.
    async fn get_inbound_event(
        &self,
        source: &SourceId,
        id: &str,
    ) -> StoreResult<Option<InboundEvent>>;
}
