//! The delivery engine's storage on a real SQLite file: claims that skip blocked endpoints and
//! respect ordering, hand-backs that are not attempts, and pauses that hold an endpoint's work.

use std::time::Duration;

use hookline_core::delivery::{CircuitState, DeliverySettings, EndpointHealth, RATE_LIMITED};
use hookline_core::model::{Application, Attempt, DeliveryStatus, Endpoint, Message, TriggerType};
use hookline_core::{
    AppId, AttemptId, EndpointId, EndpointUrl, EventTypeName, MessageId, Timestamp,
};
use hookline_store::query::{AttemptRecord, ClaimRequest, Deferral, DeliveryJob};
use hookline_store::{EngineStore, SqliteStore, Store};

struct Fixture {
    store: SqliteStore,
    app: AppId,
    _dir: tempfile::TempDir,
}

fn now() -> Timestamp {
    Timestamp::now()
}

impl Fixture {
    async fn new() -> Self {
        Self::with_app_rate(None).await
    }

    async fn with_app_rate(throttle_rate: Option<u16>) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = SqliteStore::open(&dir.path().join("hookline.db")).expect("open the store");
        let app = Application {
            id: AppId::generate(),
            uid: None,
            name: "Acme".into(),
            metadata: Default::default(),
            throttle_rate,
            created_at: now(),
            updated_at: now(),
        };
        let app = store.create_app(app).await.expect("create app").id;
        Self {
            store,
            app,
            _dir: dir,
        }
    }

    async fn endpoint(&self) -> EndpointId {
        self.endpoint_with_rate(None).await
    }

    async fn endpoint_with_rate(&self, throttle_rate: Option<u16>) -> EndpointId {
        let endpoint = Endpoint {
            id: EndpointId::generate(),
            app_id: self.app.clone(),
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
        };
        self.store
            .create_endpoint(endpoint)
            .await
            .expect("create endpoint")
            .id
    }

    async fn message(&self) -> MessageId {
        let message = Message {
            id: MessageId::generate(),
            app_id: self.app.clone(),
            event_type: EventTypeName::from_trusted("a".into()),
            event_id: None,
            channels: None,
            payload: Some("{}".into()),
            created_at: now(),
        };
        self.store
            .create_message(message)
            .await
            .expect("create message")
            .message
            .id
    }

    async fn claim(&self, exclude: Vec<EndpointId>) -> Vec<DeliveryJob> {
        let claim = ClaimRequest {
            now: now(),
            limit: 100,
            lease: Duration::from_secs(30),
            exclude,
        };
        self.store.claim_due(claim).await.expect("claim")
    }
}

fn failed(job: &DeliveryJob, next: Timestamp, ordered: bool) -> AttemptRecord {
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

#[tokio::test]
async fn a_claim_skips_excluded_endpoints_and_leaves_their_work_due() {
    let f = Fixture::new().await;
    let (blocked, open) = (f.endpoint().await, f.endpoint().await);
    f.message().await;
    let jobs = f.claim(vec![blocked.clone()]).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].endpoint.id, open);
    assert_eq!(jobs[0].delivery.status, DeliveryStatus::Sending);
    let later = f.claim(vec![]).await;
    assert_eq!(
        later.len(),
        1,
        "the excluded endpoint's delivery is still due"
    );
    assert_eq!(later[0].endpoint.id, blocked);
}

#[tokio::test]
async fn a_handed_back_delivery_is_not_an_attempt_and_comes_back_at_its_time() {
    let f = Fixture::new().await;
    f.endpoint().await;
    f.message().await;
    let job = f.claim(vec![]).await.remove(0);
    let due = now().plus(Duration::from_millis(300));
    let deferral = Deferral {
        deliveries: vec![(job.delivery.id.clone(), due)],
        health: vec![],
    };
    f.store.defer_deliveries(deferral).await.expect("defer");
    assert!(f.claim(vec![]).await.is_empty(), "not due yet");
    assert_eq!(
        f.store.next_due_after(now()).await.expect("next"),
        Some(due)
    );
    let claim = ClaimRequest {
        now: due,
        limit: 10,
        lease: Duration::from_secs(30),
        exclude: vec![],
    };
    let again = f.store.claim_due(claim).await.expect("claim");
    assert_eq!(again[0].delivery.id, job.delivery.id);
    assert_eq!(again[0].delivery.attempt_count, 0);
}

#[tokio::test]
async fn an_ordered_endpoint_is_offered_one_delivery_at_a_time_in_acceptance_order() {
    let f = Fixture::new().await;
    let ep = f.endpoint().await;
    let ordered = DeliverySettings {
        ordered: true,
        ..DeliverySettings::default()
    };
    f.store
        .set_delivery_settings(&ep, ordered, now())
        .await
        .expect("settings");
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(f.message().await);
    }
    let first = f.claim(vec![]).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].message.id, ids[0]);
    assert!(first[0].settings.ordered);
    assert!(f.claim(vec![]).await.is_empty(), "the head is in flight");
    // The head fails and is retried later: the others wait behind it.
    let retry = now().plus(Duration::from_millis(200));
    f.store
        .record_attempts(vec![failed(&first[0], retry, true)])
        .await
        .expect("record");
    assert!(f.claim(vec![]).await.is_empty(), "the head is pending");
    assert_eq!(
        f.store.next_due_after(now()).await.expect("next"),
        Some(retry)
    );
}

#[tokio::test]
async fn a_pause_holds_the_endpoints_pending_work_but_a_rate_limit_does_not() {
    let f = Fixture::new().await;
    let ep = f.endpoint().await;
    f.message().await;
    f.message().await;
    let jobs = f.claim(vec![]).await;
    let until = now().plus(Duration::from_secs(60));
    let mut health = EndpointHealth {
        endpoint_id: ep.clone(),
        circuit: CircuitState::Open,
        throttled_since: Some(now()),
        paused_until: Some(until),
        reason: Some("circuit_open".into()),
        updated_at: now(),
    };
    let mut record = failed(&jobs[0], now(), false);
    record.health = Some(health.clone());
    // The other claimed delivery is handed back as due now; the pause must still hold it.
    let back = Deferral {
        deliveries: vec![(jobs[1].delivery.id.clone(), now())],
        health: vec![],
    };
    f.store.defer_deliveries(back).await.expect("defer");
    f.store.record_attempts(vec![record]).await.expect("record");
    assert!(f.claim(vec![]).await.is_empty(), "paused");
    assert_eq!(
        f.store.next_due_after(now()).await.expect("next"),
        Some(until)
    );
    let stored = f.store.endpoint_health(&ep).await.expect("health");
    assert_eq!(stored.as_ref().map(|h| h.circuit), Some(CircuitState::Open));

    // A rate-limit report only describes the spreading; it moves no delivery.
    f.message().await;
    health.circuit = CircuitState::Closed;
    health.reason = Some(RATE_LIMITED.into());
    let report = Deferral {
        deliveries: vec![],
        health: vec![health],
    };
    f.store.defer_deliveries(report).await.expect("report");
    assert_eq!(
        f.claim(vec![]).await.len(),
        1,
        "the new message is still due"
    );
}

#[tokio::test]
async fn an_endpoint_without_its_own_rate_limit_gets_its_applications() {
    let f = Fixture::with_app_rate(Some(3)).await;
    let inherits = f.endpoint().await;
    let own = f.endpoint_with_rate(Some(7)).await;
    f.message().await;
    let jobs = f.claim(vec![]).await;
    let rate = |ep: &EndpointId| {
        jobs.iter()
            .find(|j| &j.endpoint.id == ep)
            .map(DeliveryJob::throttle_rate)
    };
    assert_eq!(rate(&inherits), Some(Some(3)));
    assert_eq!(rate(&own), Some(Some(7)));
}
