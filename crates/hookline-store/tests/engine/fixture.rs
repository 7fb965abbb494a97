//! One application on a fresh store per backend, and the records the engine would write.

use std::sync::Arc;
use std::time::Duration;

use hookline_core::model::{Application, Attempt, DeliveryStatus, Endpoint, Message, TriggerType};
use hookline_core::{
    AppId, AttemptId, EndpointId, EndpointUrl, EventTypeName, MessageId, Timestamp,
};
use hookline_store::Store;
use hookline_store::query::{AttemptRecord, ClaimRequest, DeliveryJob};

use crate::common::{self, Backend};

/// How long test claims hold.
pub(crate) const LEASE: Duration = Duration::from_secs(30);

pub(crate) fn now() -> Timestamp {
    Timestamp::now()
}

/// A store with one application, on one backend.
pub(crate) struct Fixture {
    /// `sqlite` or `postgres`, for failure messages.
    pub(crate) name: &'static str,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) app: AppId,
    _backend: Backend,
}

impl Fixture {
    /// One fixture per available backend.
    pub(crate) async fn each(test: &str) -> Vec<Self> {
        Self::each_with_app_rate(test, None).await
    }

    /// One fixture per available backend, its application limited to `throttle_rate`.
    pub(crate) async fn each_with_app_rate(test: &str, throttle_rate: Option<u16>) -> Vec<Self> {
        let mut all = Vec::new();
        for backend in common::backends(test).await {
            let store = Arc::clone(&backend.store);
            let app = new_app(&store, throttle_rate).await;
            all.push(Self {
                name: backend.name,
                store,
                app,
                _backend: backend,
            });
        }
        all
    }

    pub(crate) async fn endpoint(&self) -> EndpointId {
        self.endpoint_with_rate(None).await
    }

    pub(crate) async fn endpoint_with_rate(&self, throttle_rate: Option<u16>) -> EndpointId {
        add_endpoint(&self.store, &self.app, throttle_rate).await
    }

    /// A message planned for every endpoint of the application.
    pub(crate) async fn message(&self) -> MessageId {
        add_message(&self.store, &self.app).await
    }

    /// Claims what is due now, up to 100, skipping `exclude`.
    pub(crate) async fn claim(&self, exclude: Vec<EndpointId>) -> Vec<DeliveryJob> {
        self.claim_at(now(), exclude).await
    }

    pub(crate) async fn claim_at(
        &self,
        at: Timestamp,
        exclude: Vec<EndpointId>,
    ) -> Vec<DeliveryJob> {
        self.store
            .claim_due(claim_request(at, 100, exclude))
            .await
            .expect("claim")
    }
}

pub(crate) fn claim_request(now: Timestamp, limit: u32, exclude: Vec<EndpointId>) -> ClaimRequest {
    ClaimRequest {
        now,
        limit,
        lease: LEASE,
        exclude,
    }
}

pub(crate) async fn new_app(store: &Arc<dyn Store>, throttle_rate: Option<u16>) -> AppId {
    let app = Application {
        id: AppId::generate(),
        uid: None,
        name: "Acme".into(),
        metadata: Default::default(),
        throttle_rate,
        created_at: now(),
        updated_at: now(),
    };
    store.create_app(app).await.expect("create app").id
}

pub(crate) fn endpoint_record(app: &AppId, throttle_rate: Option<u16>) -> Endpoint {
    Endpoint {
        id: EndpointId::generate(),
        app_id: app.clone(),
        uid: None,
        url: EndpointUrl::parse("https://example.com/hook").expect("valid url"),
        description: String::new(),
        event_types: None,
        channels: None,
        disabled: false,
        throttle_rate,
        metadata: Default::default(),
        headers: Default::default(),
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        created_at: now(),
        updated_at: now(),
    }
}

pub(crate) async fn add_endpoint(
    store: &Arc<dyn Store>,
    app: &AppId,
    throttle_rate: Option<u16>,
) -> EndpointId {
    store
        .create_endpoint(endpoint_record(app, throttle_rate))
        .await
        .expect("create endpoint")
        .id
}

pub(crate) async fn add_message(store: &Arc<dyn Store>, app: &AppId) -> MessageId {
    let message = Message {
        id: MessageId::generate(),
        app_id: app.clone(),
        event_type: EventTypeName::from_trusted("a".into()),
        event_id: None,
        channels: None,
        payload: Some("{}".into()),
        tags: None,
        payload_expires_at: None,
        created_at: now(),
    };
    store
        .create_message(message)
        .await
        .expect("create message")
        .message
        .id
}

/// The record of a failed attempt of `job`, due again at `next`.
pub(crate) fn failed(job: &DeliveryJob, next: Timestamp, ordered: bool) -> AttemptRecord {
    AttemptRecord {
        attempt: Attempt {
            id: AttemptId::generate(),
            delivery_id: job.delivery.id.clone(),
            msg_id: job.message.id.clone(),
            endpoint_id: job.endpoint.id.clone(),
            app_id: job.endpoint.app_id.clone(),
            url: job.endpoint.url.to_string(),
            status: DeliveryStatus::Fail,
            response_status_code: 500,
            response: String::new(),
            response_duration_ms: 1,
            trigger_type: TriggerType::Scheduled,
            attempt_number: job.delivery.attempt_count + 1,
            next_attempt_at: Some(next),
            error_code: None,
            created_at: now(),
        },
        delivery_status: DeliveryStatus::Pending,
        next_attempt_at: Some(next),
        disable_endpoint: false,
        ordered,
        health: None,
        headers: None,
    }
}

/// The record of a successful attempt of `job`.
pub(crate) fn delivered(job: &DeliveryJob) -> AttemptRecord {
    let mut record = failed(job, now(), job.settings.ordered);
    record.attempt.status = DeliveryStatus::Success;
    record.attempt.response_status_code = 200;
    record.attempt.next_attempt_at = None;
    record.delivery_status = DeliveryStatus::Success;
    record.next_attempt_at = None;
    record
}
