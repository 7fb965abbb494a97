//! The storage contract every backend implements.

use async_trait::async_trait;
use hookline_core::model::{Application, Delivery, Endpoint, EventType, Message};
use hookline_core::{AppId, EndpointId, EventTypeName, Timestamp};

use crate::SourceStore;
use crate::StoreResult;
use crate::endpoint_secrets::EndpointSecretStore;
use crate::feed::FeedStore;
use crate::idempotency::IdempotencyStore;
use crate::keys::KeyStore;
use crate::maintenance::MaintenanceStore;
use crate::operational::OperationalStore;
use crate::page::{Page, PageRequest};
use crate::query::{
    AcceptedMessage, AttemptFilter, AttemptRecord, ClaimRequest, DeliveryJob, MessageFilter,
};
use crate::replay::ReplayStore;
use crate::schemas::SchemaStore;
use crate::tasks::TaskStore;
use crate::tools::ToolsStore;
use hookline_core::model::Attempt;

/// Durable storage for Hookline. Every write is committed to disk before it returns `Ok`.
///
/// Lookups take `id_or_uid` wherever the contract lets a caller use their own `uid` in place of
/// Hookline's id. Unique-value clashes surface as [`crate::StoreError::Conflict`].
#[async_trait]
pub trait Store:
    crate::EngineStore
    + ReplayStore
    + TaskStore
    + MaintenanceStore
    + ToolsStore
    + FeedStore
    + KeyStore
    + IdempotencyStore
    + SchemaStore
    + EndpointSecretStore
    + SourceStore
    + crate::attempt_headers::AttemptHeadersStore
    + OperationalStore
    + crate::EnvironmentStore
    + Send
    + Sync
    + std::fmt::Debug
    + 'static
{
    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Stores a new application.
    async fn create_app(&self, app: Application) -> StoreResult<Application>;
    /// Finds an application by id or uid.
    async fn get_app(&self, id_or_uid: &str) -> StoreResult<Option<Application>>;
    /// Lists applications by id.
    async fn list_apps(&self, page: &PageRequest) -> StoreResult<Page<Application>>;
    /// Replaces an application's fields (matched by id).
    async fn update_app(&self, app: Application) -> StoreResult<Application>;
    /// Deletes an application with its endpoints, messages and attempts.
    async fn delete_app(&self, id: &AppId) -> StoreResult<()>;

    /// Stores a new event type.
    async fn create_event_type(&self, event_type: EventType) -> StoreResult<EventType>;
    /// Finds an event type by name.
    async fn get_event_type(&self, name: &str) -> StoreResult<Option<EventType>>;
    /// Lists event types by name.
    async fn list_event_types(
        &self,
        page: &PageRequest,
        include_archived: bool,
    ) -> StoreResult<Page<EventType>>;
    /// Replaces an event type's fields (matched by name), creating it if absent.
    async fn upsert_event_type(&self, event_type: EventType) -> StoreResult<EventType>;
    /// Removes an event type for good.
    async fn delete_event_type(&self, name: &EventTypeName) -> StoreResult<()>;

    /// Stores a new endpoint.
    async fn create_endpoint(&self, endpoint: Endpoint) -> StoreResult<Endpoint>;
    /// Finds an endpoint of an application by id or uid.
    async fn get_endpoint(&self, app: &AppId, id_or_uid: &str) -> StoreResult<Option<Endpoint>>;
    /// Lists an application's endpoints by id.
    async fn list_endpoints(&self, app: &AppId, page: &PageRequest) -> StoreResult<Page<Endpoint>>;
    /// Replaces an endpoint's fields (matched by id), except its secret (see
    /// [`EndpointSecretStore::replace_endpoint_secret`]).
    async fn update_endpoint(&self, endpoint: Endpoint) -> StoreResult<Endpoint>;
    /// Deletes an endpoint and its pending deliveries.
    async fn delete_endpoint(&self, app: &AppId, id: &EndpointId) -> StoreResult<()>;

    /// Stores a message and one delivery per endpoint of its application that receives it, in
    /// one transaction. A reused `event_id` within the application is a conflict.
    async fn create_message(&self, message: Message) -> StoreResult<AcceptedMessage>;
    /// Finds a message of an application by id or by its `event_id`.
    async fn get_message(&self, app: &AppId, id_or_event_id: &str) -> StoreResult<Option<Message>>;
    /// Lists an application's messages, newest first by default.
    async fn list_messages(
        &self,
        app: &AppId,
        filter: &MessageFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Message>>;
    /// Lists attempts of a message or to an endpoint, newest first by default.
    async fn list_attempts(
        &self,
        app: &AppId,
        filter: &AttemptFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Attempt>>;
    /// The endpoints a message was planned for, each with its delivery state.
    async fn list_message_deliveries(
        &self,
        app: &AppId,
        msg: &str,
        page: &PageRequest,
    ) -> StoreResult<Page<(Endpoint, Delivery)>>;
    /// The messages planned for an endpoint, each with its delivery state.
    async fn list_endpoint_deliveries(
        &self,
        app: &AppId,
        endpoint: &EndpointId,
        filter: &MessageFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<(Message, Delivery)>>;

    /// Claims due deliveries under a lease, oldest due first.
    async fn claim_due(&self, claim: ClaimRequest) -> StoreResult<Vec<DeliveryJob>>;
    /// Records attempts and the new state of their deliveries; each record is atomic.
    async fn record_attempts(&self, records: Vec<AttemptRecord>) -> StoreResult<()>;
    /// When the earliest scheduled delivery is due, if any.
    async fn next_due_at(&self) -> StoreResult<Option<Timestamp>>;
}
