//! The core of [`crate::Store`] on PostgreSQL: each method opens a connection (and a transaction
//! where a write spans several statements) and calls the SQL in the resource modules beside it,
//! which other parts call inside their own transactions.

use async_trait::async_trait;
use hookline_core::model::{Application, Attempt, Delivery, Endpoint, EventType, Message};
use hookline_core::{AppId, EndpointId, EventTypeName, Timestamp};

use super::{PgStore, apps, attempts, endpoints, event_types, messages};
use crate::StoreResult;
use crate::page::{Page, PageRequest};
use crate::query::{
    AcceptedMessage, AttemptFilter, AttemptRecord, ClaimRequest, DeliveryJob, MessageFilter,
};

#[async_trait]
impl crate::Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        self.db.client().await?.execute("SELECT 1", &[]).await?;
        Ok(())
    }

    async fn create_app(&self, app: Application) -> StoreResult<Application> {
        apps::create(&self.db.client().await?, &app).await?;
        Ok(app)
    }

    async fn get_app(&self, id_or_uid: &str) -> StoreResult<Option<Application>> {
        apps::get(&self.db.client().await?, id_or_uid).await
    }

    async fn list_apps(&self, page: &PageRequest) -> StoreResult<Page<Application>> {
        apps::list(&self.db, page).await
    }

    async fn update_app(&self, app: Application) -> StoreResult<Application> {
        apps::update(&self.db.client().await?, &app).await?;
        Ok(app)
    }

    async fn delete_app(&self, id: &AppId) -> StoreResult<()> {
        apps::delete(&self.db.client().await?, id).await
    }

    async fn create_event_type(&self, event_type: EventType) -> StoreResult<EventType> {
        event_types::create(&self.db.client().await?, &event_type).await?;
        Ok(event_type)
    }

    async fn get_event_type(&self, name: &str) -> StoreResult<Option<EventType>> {
        event_types::get(&self.db.client().await?, name).await
    }

    async fn list_event_types(
        &self,
        page: &PageRequest,
        include_archived: bool,
    ) -> StoreResult<Page<EventType>> {
        event_types::list(&self.db, page, include_archived).await
    }

    async fn upsert_event_type(&self, event_type: EventType) -> StoreResult<EventType> {
        event_types::upsert(&self.db.client().await?, &event_type).await
    }

    async fn delete_event_type(&self, name: &EventTypeName) -> StoreResult<()> {
        event_types::delete(&self.db.client().await?, name).await
    }

    async fn create_endpoint(&self, endpoint: Endpoint) -> StoreResult<Endpoint> {
        endpoints::create(&self.db.client().await?, &endpoint).await?;
        Ok(endpoint)
    }

    async fn get_endpoint(&self, app: &AppId, id_or_uid: &str) -> StoreResult<Option<Endpoint>> {
        endpoints::get(&self.db.client().await?, app, id_or_uid).await
    }

    async fn list_endpoints(&self, app: &AppId, page: &PageRequest) -> StoreResult<Page<Endpoint>> {
        endpoints::list(&self.db, app, page).await
    }

    async fn update_endpoint(&self, endpoint: Endpoint) -> StoreResult<Endpoint> {
        endpoints::update(&self.db.client().await?, &endpoint).await?;
        Ok(endpoint)
    }

    async fn delete_endpoint(&self, app: &AppId, id: &EndpointId) -> StoreResult<()> {
        endpoints::delete(&self.db.client().await?, app, id).await
    }

    async fn create_message(&self, message: Message) -> StoreResult<AcceptedMessage> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        let accepted = messages::insert_message(&tx, &message).await?;
        tx.commit().await?;
        Ok(accepted)
    }

    async fn get_message(&self, app: &AppId, id_or_event_id: &str) -> StoreResult<Option<Message>> {
        messages::get(&self.db.client().await?, app, id_or_event_id).await
    }

    async fn list_messages(
        &self,
        app: &AppId,
        filter: &MessageFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Message>> {
        messages::list(&self.db, app, filter, page).await
    }

    async fn list_attempts(
        &self,
        app: &AppId,
        filter: &AttemptFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Attempt>> {
        attempts::list(&self.db, app, filter, page).await
    }

    async fn list_message_deliveries(
        &self,
        app: &AppId,
        msg: &str,
        page: &PageRequest,
    ) -> StoreResult<Page<(Endpoint, Delivery)>> {
        messages::list_deliveries(&self.db, app, msg, page).await
    }

    async fn list_endpoint_deliveries(
        &self,
        app: &AppId,
        endpoint: &EndpointId,
        filter: &MessageFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<(Message, Delivery)>> {
        messages::list_for_endpoint(&self.db, app, endpoint, filter, page).await
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
