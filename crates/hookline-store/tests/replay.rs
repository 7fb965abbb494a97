//! Replays against a real SQLite file: never a double enqueue, bounded batches.

use std::collections::BTreeMap;
use std::time::Duration;

use hookline_core::model::{Application, DeliveryStatus, Endpoint, Message};
use hookline_core::{AppId, EndpointId, EndpointUrl, EventTypeName, MessageId, Timestamp};
use hookline_store::maintenance::MaintenanceStore;
use hookline_store::query::{ClaimRequest, MessageFilter};
use hookline_store::replay::{ReplayMode, ReplaySpec, ReplayStore, ResendOutcome};
use hookline_store::tools::ToolsStore;
use hookline_store::{Order, PageRequest, SqliteStore, Store};

struct Fixture {
    store: SqliteStore,
    app: AppId,
    endpoint: EndpointId,
    _dir: tempfile::TempDir,
}

async fn fixture(messages: usize) -> (Fixture, Vec<MessageId>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("hookline.db")).expect("open");
    let now = Timestamp::now();
    let app = store
        .create_app(Application {
            id: AppId::generate(),
            uid: None,
            name: "Acme".into(),
            metadata: BTreeMap::new(),
            throttle_rate: None,
            created_at: now,
            updated_at: now,
        })
        .await
        .expect("app");
    let endpoint = store
        .create_endpoint(Endpoint {
            id: EndpointId::generate(),
            app_id: app.id.clone(),
            uid: None,
            url: EndpointUrl::parse("http://127.0.0.1:9/").expect("url"),
            description: String::new(),
            event_types: None,
            channels: None,
            disabled: false,
            throttle_rate: None,
            metadata: BTreeMap::new(),
            headers: BTreeMap::new(),
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            created_at: now,
            updated_at: now,
        })
        .await
        .expect("endpoint");
    let mut ids = Vec::new();
    for _ in 0..messages {
        let accepted = store
            .create_message(Message {
                id: MessageId::generate(),
                app_id: app.id.clone(),
                event_type: EventTypeName::parse("a").expect("name"),
                event_id: None,
                channels: None,
                payload: Some("{}".into()),
                created_at: Timestamp::now(),
            })
            .await
            .expect("message");
        ids.push(accepted.message.id);
    }
    let fixture = Fixture {
        store,
        app: app.id,
        endpoint: endpoint.id,
        _dir: dir,
    };
    (fixture, ids)
}

async fn waiting(f: &Fixture) -> usize {
    let filter = MessageFilter {
        status: Some(DeliveryStatus::Pending),
        ..MessageFilter::default()
    };
    f.store
        .list_endpoint_deliveries(
            &f.app,
            &f.endpoint,
            &filter,
            &PageRequest::first(250, Order::Ascending),
        )
        .await
        .expect("list")
        .items
        .len()
}

fn recover(f: &Fixture) -> ReplaySpec {
    ReplaySpec {
        app_id: f.app.clone(),
        endpoint_id: f.endpoint.clone(),
        since: Timestamp::now().minus(Duration::from_secs(60)),
        until: None,
        mode: ReplayMode::Recover,
    }
}

#[tokio::test]
async fn a_message_already_waiting_is_never_enqueued_twice() {
    let (f, ids) = fixture(1).await;
    let now = Timestamp::now();
    let outcome = f.store.resend(&f.app, &ids[0], &f.endpoint, now).await;
    assert_eq!(outcome.expect("resend"), ResendOutcome::AlreadyQueued);
    let batch = f
        .store
        .replay_batch(&recover(&f), None, 10, now)
        .await
        .expect("batch");
    assert_eq!(batch.queued, 0, "a pending delivery is not failed yet");
    assert_eq!(waiting(&f).await, 1);
}

#[tokio::test]
async fn recover_requeues_failed_deliveries_in_bounded_batches_once() {
    let (f, _) = fixture(5).await;
    // Give up on every delivery, as the engine does for a disabled endpoint.
    let mut endpoint = f
        .store
        .get_endpoint(&f.app, f.endpoint.as_str())
        .await
        .expect("get")
        .expect("endpoint");
    endpoint.disabled = true;
    f.store
        .update_endpoint(endpoint.clone())
        .await
        .expect("disable");
    let claim = ClaimRequest {
        now: Timestamp::now().plus(Duration::from_secs(1)),
        limit: 10,
        lease: Duration::from_secs(30),
        exclude: Vec::new(),
    };
    assert!(f.store.claim_due(claim).await.expect("claim").is_empty());
    endpoint.disabled = false;
    f.store.update_endpoint(endpoint).await.expect("enable");
    assert_eq!(waiting(&f).await, 0);

    let spec = recover(&f);
    let now = Timestamp::now();
    let first = f
        .store
        .replay_batch(&spec, None, 2, now)
        .await
        .expect("batch 1");
    assert_eq!(first.queued, 2);
    let second = f
        .store
        .replay_batch(&spec, first.next.clone(), 2, now)
        .await
        .expect("batch 2");
    let third = f
        .store
        .replay_batch(&spec, second.next.clone(), 2, now)
        .await
        .expect("batch 3");
    assert!(first.next.is_some() && second.next.is_some());
    assert_eq!(second.queued + third.queued, 3);
    assert_eq!(third.next, None);
    assert_eq!(waiting(&f).await, 5);

    let again = f
        .store
        .replay_batch(&spec, None, 10, now)
        .await
        .expect("again");
    assert_eq!(again.queued, 0, "waiting deliveries are not queued twice");
}

#[tokio::test]
async fn a_delivery_failed_without_an_attempt_does_not_start_the_auto_disable_clock() {
    let (f, ids) = fixture(1).await;
    f.store
        .expunge_message_content(&f.app, ids[0].as_str())
        .await
        .expect("expunge");
    let claim = ClaimRequest {
        now: Timestamp::now().plus(Duration::from_secs(1)),
        limit: 10,
        lease: Duration::from_secs(30),
        exclude: Vec::new(),
    };
    assert!(f.store.claim_due(claim).await.expect("claim").is_empty());
    assert_eq!(
        waiting(&f).await,
        0,
        "the delivery failed: nothing left to send"
    );
    let far = Timestamp::now().plus(Duration::from_secs(365 * 24 * 3600));
    let disabled = f.store.disable_failing_endpoints(far, far).await;
    assert_eq!(disabled.expect("pass"), vec![]);
}
