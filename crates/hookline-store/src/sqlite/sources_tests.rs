//! Sources and inbound events against a real SQLite file.

use std::time::Duration;

use hookline_core::model::{Endpoint, Message, Metadata};
use hookline_core::source::{InboundEvent, InboundOutcome, Source};
use hookline_core::{
    AppId, EndpointId, EndpointUrl, EventTypeName, MessageId, SourceId, Timestamp, Uid,
};

use crate::page::{Order, PageRequest};
use crate::query::ClaimRequest;
use crate::{SourceStore, SqliteStore, Store, StoreError};

const T0: i64 = 1_700_000_000_000;

fn open() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("hookline.db")).expect("open");
    (dir, store)
}

fn new_source(uid: Option<&str>) -> Source {
    let at = Timestamp::from_millis(T0);
    Source {
        id: SourceId::generate(),
        uid: uid.map(|u| Uid::parse(u).expect("uid")),
        name: "GitHub".into(),
        app_id: AppId::generate(),
        source_type: "github".into(),
        config: serde_json::json!({ "secret": "s" }),
        ingest_token: format!("tok{}", SourceId::generate()),
        allowed_ips: vec!["192.0.2.0/24".parse().expect("cidr")],
        dedupe_window_secs: 60,
        metadata: Metadata::new(),
        created_at: at,
        updated_at: at,
    }
}

fn event(source: &Source, key: Option<&str>, at_millis: i64) -> (InboundEvent, Message) {
    let id = MessageId::generate();
    let at = Timestamp::from_millis(at_millis);
    let event = InboundEvent {
        id: id.clone(),
        source_id: source.id.clone(),
        content_type: Some("application/octet-stream".into()),
        headers: vec![("x-github-event".into(), "push".into())],
        body: vec![0, 159, 146, 150, 255],
        dedupe_key: key.map(str::to_owned),
        received_at: at,
    };
    let message = Message {
        id,
        app_id: source.app_id.clone(),
        event_type: EventTypeName::from_trusted("inbound.github".into()),
        event_id: None,
        channels: None,
        payload: Some(String::new()),
        tags: None,
        payload_expires_at: None,
        created_at: at,
    };
    (event, message)
}

async fn accept(store: &SqliteStore, source: &Source, key: &str, at: i64) -> InboundOutcome {
    let (event, message) = event(source, Some(key), at);
    store
        .accept_inbound(event, message, source.dedupe_window_secs)
        .await
        .expect("accept")
}

#[tokio::test]
async fn a_delivery_id_is_a_duplicate_only_within_its_window() {
    let (_dir, store) = open();
    let source = store.create_source(new_source(None)).await.expect("create");
    let first = accept(&store, &source, "d-1", T0).await;
    assert_eq!(first, InboundOutcome::Accepted { deliveries: 0 });
    let page = PageRequest::first(10, Order::Ascending);
    let original = store
        .list_inbound_events(&source.id, &page)
        .await
        .expect("list")
        .items[0]
        .id
        .clone();

    let within = accept(&store, &source, "d-1", T0 + 59_000).await;
    assert_eq!(within, InboundOutcome::Duplicate(original));
    let after = accept(&store, &source, "d-1", T0 + 61_000).await;
    assert_eq!(after, InboundOutcome::Accepted { deliveries: 0 });
    // Another source may use the same delivery id.
    let other = store.create_source(new_source(None)).await.expect("create");
    let elsewhere = accept(&store, &other, "d-1", T0 + 1).await;
    assert_eq!(elsewhere, InboundOutcome::Accepted { deliveries: 0 });
    let listed = store
        .list_inbound_events(&source.id, &page)
        .await
        .expect("list");
    assert_eq!(listed.items.len(), 2);
}

#[tokio::test]
async fn a_source_round_trips_and_is_found_by_token_id_or_uid() {
    let (_dir, store) = open();
    let created = store
        .create_source(new_source(Some("gh")))
        .await
        .expect("create");
    for key in [created.ingest_token.as_str(), created.id.as_str(), "gh"] {
        let found = store.find_ingest_source(key).await.expect("find");
        assert_eq!(found.as_ref(), Some(&created), "{key}");
    }
    assert_eq!(
        store.get_source("gh").await.expect("get"),
        Some(created.clone())
    );
    // The token is not a management name.
    assert_eq!(
        store.get_source(&created.ingest_token).await.expect("get"),
        None
    );
    let clash = store.create_source(new_source(Some("gh"))).await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    // Its application is internal.
    assert_eq!(
        store.get_app(created.app_id.as_str()).await.expect("app"),
        None
    );
    let apps = store
        .list_apps(&PageRequest::first(10, Order::Ascending))
        .await
        .expect("apps");
    assert!(apps.items.is_empty());

    store.delete_source(&created.id).await.expect("delete");
    assert_eq!(store.find_ingest_source("gh").await.expect("find"), None);
    assert!(matches!(
        store.delete_source(&created.id).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn claimed_jobs_of_an_inbound_event_carry_its_exact_request() {
    let (_dir, store) = open();
    let source = store.create_source(new_source(None)).await.expect("create");
    let endpoint = Endpoint {
        id: EndpointId::generate(),
        app_id: source.app_id.clone(),
        uid: None,
        url: EndpointUrl::parse("http://127.0.0.1:9/in").expect("url"),
        description: String::new(),
        event_types: None,
        channels: None,
        disabled: false,
        throttle_rate: None,
        metadata: Metadata::new(),
        headers: Default::default(),
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        created_at: Timestamp::from_millis(T0),
        updated_at: Timestamp::from_millis(T0),
    };
    store.create_endpoint(endpoint).await.expect("endpoint");
    let (event, message) = event(&source, None, T0);
    let expected_body = event.body.clone();
    let outcome = store
        .accept_inbound(event, message, 60)
        .await
        .expect("accept");
    assert_eq!(outcome, InboundOutcome::Accepted { deliveries: 1 });

    let jobs = store
        .claim_due(ClaimRequest {
            now: Timestamp::from_millis(T0 + 1),
            limit: 10,
            lease: Duration::from_secs(30),
            exclude: Vec::new(),
        })
        .await
        .expect("claim");
    assert_eq!(jobs.len(), 1);
    let forward = jobs[0].forward.as_ref().expect("the original request");
    assert_eq!(forward.body, expected_body);
    assert_eq!(
        forward.content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(
        forward.headers,
        vec![("x-github-event".to_owned(), "push".to_owned())]
    );
}

#[tokio::test]
async fn a_token_wins_over_a_uid_spelled_the_same() {
    let (_dir, store) = open();
    let owner = store.create_source(new_source(None)).await.expect("create");
    let mut lookalike = new_source(None);
    lookalike.uid = Some(Uid::parse(owner.ingest_token.clone()).expect("uid"));
    store.create_source(lookalike).await.expect("create");
    let found = store
        .find_ingest_source(&owner.ingest_token)
        .await
        .expect("find");
    assert_eq!(found.map(|s| s.id), Some(owner.id));
}
