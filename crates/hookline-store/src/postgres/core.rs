//! PostgreSQL: TODO(port) — being ported from ../sqlite.

#![allow(unused_imports, unused_variables)]

use super::PgStore;
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
use async_trait::async_trait;
use hookline_core::model::Attempt;
use hookline_core::model::{Application, Delivery, Endpoint, EventType, Message};
use hookline_core::{AppId, EndpointId, EventTypeName, Timestamp};

#[async_trait]
impl crate::Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        self.db.client().await?.execute("SELECT 1", &[]).await?;
        Ok(())
    }

    async fn create_app(&self, app: Application) -> StoreResult<Application> {
        Err(super::unported("create_app"))
    }

    async fn get_app(&self, id_or_uid: &str) -> StoreResult<Option<Application>> {
        Err(super::unported("get_app"))
    }

    async fn list_apps(&self, page: &PageRequest) -> StoreResult<Page<Application>> {
        Err(super::unported("list_apps"))
    }

    async fn update_app(&self, app: Application) -> StoreResult<Application> {
        Err(super::unported("update_app"))
    }

    async fn delete_app(&self, id: &AppId) -> StoreResult<()> {
        Err(super::unported("delete_app"))
    }

    async fn create_event_type(&self, event_type: EventType) -> StoreResult<EventType> {
        Err(super::unported("create_event_type"))
    }

    async fn get_event_type(&self, name: &str) -> StoreResult<Option<EventType>> {
        Err(super::unported("get_event_type"))
    }

    async fn list_event_types(
        &self,
        page: &PageRequest,
        include_archived: bool,
    ) -> StoreResult<Page<EventType>> {
        Err(super::unported("list_event_types"))
    }

    async fn upsert_event_type(&self, event_type: EventType) -> StoreResult<EventType> {
        Err(super::unported("upsert_event_type"))
    }

    async fn delete_event_type(&self, name: &EventTypeName) -> StoreResult<()> {
        Err(super::unported("delete_event_type"))
    }

    async fn create_endpoint(&self, endpoint: Endpoint) -> StoreResult<Endpoint> {
        Err(super::unported("create_endpoint"))
    }

    async fn get_endpoint(&self, app: &AppId, id_or_uid: &str) -> StoreResult<Option<Endpoint>> {
        Err(super::unported("get_endpoint"))
    }

    async fn list_endpoints(&self, app: &AppId, page: &PageRequest) -> StoreResult<Page<Endpoint>> {
        Err(super::unported("list_endpoints"))
    }

    async fn update_endpoint(&self, endpoint: Endpoint) -> StoreResult<Endpoint> {
        Err(super::unported("update_endpoint"))
    }

    async fn delete_endpoint(&self, app: &AppId, id: &EndpointId) -> StoreResult<()> {
        Err(super::unported("delete_endpoint"))
    }

    async fn create_message(&self, message: Message) -> StoreResult<AcceptedMessage> {
        Err(super::unported("create_message"))
    }

    async fn get_message(&self, app: &AppId, id_or_event_id: &str) -> StoreResult<Option<Message>> {
        Err(super::unported("get_message"))
    }

    async fn list_messages(
        &self,
        app: &AppId,
        filter: &MessageFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Message>> {
        Err(super::unported("list_messages"))
    }

    async fn list_attempts(
        &self,
        app: &AppId,
        filter: &AttemptFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Attempt>> {
        Err(super::unported("list_attempts"))
    }

    async fn list_message_deliveries(
        &self,
        app: &AppId,
        msg: &str,
        page: &PageRequest,
    ) -> StoreResult<Page<(Endpoint, Delivery)>> {
        Err(super::unported("list_message_deliveries"))
    }

    async fn list_endpoint_deliveries(
        &self,
        app: &AppId,
        endpoint: &EndpointId,
        filter: &MessageFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<(Message, Delivery)>> {
        Err(super::unported("list_endpoint_deliveries"))
    }

    async fn claim_due(&self, claim: ClaimRequest) -> StoreResult<Vec<DeliveryJob>> {
        super::deliveries::claim_due(self, claim).await
    }

    async fn record_attempts(&self, records: Vec<AttemptRecord>) -> StoreResult<()> {
        super::deliveries::record_attempts(self, records).await
    }

    async fn next_due_at(&self) -> StoreResult<Option<Timestamp>> {
        super::deliveries::next_due_at(self).await
    }
}
