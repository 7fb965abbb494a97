//! Sources and inbound events: lookups, internal applications, dedupe windows, exact bytes.

use std::sync::Arc;
use std::time::Duration;

use hookline_core::model::{Endpoint, Message, Metadata};
use hookline_core::source::{InboundEvent, InboundOutcome, Source};
use hookline_core::{
    AppId, EndpointId, EndpointUrl, EventTypeName, MessageId, SourceId, Timestamp, Uid,
};
use hookline_store::feed::{FeedFilter, FeedPosition, FeedQuery};
use hookline_store::page::{Order, PageRequest};
use hookline_store::query::ClaimRequest;
use hookline_store::{Store, StoreError};

use crate::common;

pub(crate) const T0: i64 = 1_700_000_000_000;

pub(crate) fn new_source(uid: Option<&str>) -> Source {
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

pub(crate) fn event(source: &Source, key: Option<&str>, at_millis: i64) -> (InboundEvent, Message) {
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

pub(crate) fn forwarding_endpoint(source: &Source) -> Endpoint {
    Endpoint {
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
    }
}

async fn accept(store: &Arc<dyn Store>, source: &Source, key: &str, at: i64) -> InboundOutcome {
    let (event, message) = event(source, Some(key), at);
    store
        .accept_inbound(event, message, source.dedupe_window_secs)
        .await
        .expect("accept")
}

#[tokio::test]
async fn a_delivery_id_is_a_duplicate_only_within_its_window() {
    for backend in common::backends("inbound_dedupe_window").await {
        let (store, name) = (&backend.store, backend.name);
        let source = store.create_source(new_source(None)).await.expect("create");
        let first = accept(store, &source, "d-1", T0).await;
        assert_eq!(first, InboundOutcome::Accepted { deliveries: 0 }, "{name}");
        let page = PageRequest::first(10, Order::Ascending);
        let original = store
            .list_inbound_events(&source.id, &page)
            .await
            .expect("list")
            .items[0]
            .id
            .clone();

        let within = accept(store, &source, "d-1", T0 + 59_000).await;
        assert_eq!(within, InboundOutcome::Duplicate(original), "{name}");
        let after = accept(store, &source, "d-1", T0 + 61_000).await;
        assert_eq!(after, InboundOutcome::Accepted { deliveries: 0 }, "{name}");
        // Another source may use the same delivery id.
        let other = store.create_source(new_source(None)).await.expect("create");
        let elsewhere = accept(store, &other, "d-1", T0 + 1).await;
        assert_eq!(
            elsewhere,
            InboundOutcome::Accepted { deliveries: 0 },
            "{name}"
        );
        let listed = store
            .list_inbound_events(&source.id, &page)
            .await
            .expect("list");
        assert_eq!(listed.items.len(), 2, "{name}");
    }
}

#[tokio::test]
async fn a_source_round_trips_and_is_found_by_token_id_or_uid() {
    for backend in common::backends("sources_round_trip").await {
        let (store, name) = (&backend.store, backend.name);
        let created = store
            .create_source(new_source(Some("gh")))
            .await
            .expect("create");
        for key in [created.ingest_token.as_str(), created.id.as_str(), "gh"] {
            let found = store.find_ingest_source(key).await.expect("find");
            assert_eq!(found.as_ref(), Some(&created), "{name}: {key}");
        }
        assert_eq!(
            store.get_source("gh").await.expect("get"),
            Some(created.clone()),
            "{name}"
        );
        // The token is not a management name.
        assert_eq!(
            store.get_source(&created.ingest_token).await.expect("get"),
            None,
            "{name}"
        );
        let clash = store.create_source(new_source(Some("gh"))).await;
        assert!(
            matches!(&clash, Err(StoreError::Conflict(text)) if text.contains("uid")),
            "{name}: {clash:?}"
        );
        // Its application is internal.
        assert_eq!(
            store.get_app(created.app_id.as_str()).await.expect("app"),
            None,
            "{name}"
        );
        let apps = store
            .list_apps(&PageRequest::first(10, Order::Ascending))
            .await
            .expect("apps");
        assert!(apps.items.is_empty(), "{name}");

        store.delete_source(&created.id).await.expect("delete");
        assert_eq!(
            store.find_ingest_source("gh").await.expect("find"),
            None,
            "{name}"
        );
        assert!(
            matches!(
                store.delete_source(&created.id).await,
                Err(StoreError::NotFound)
            ),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_source_update_replaces_its_fields_and_keeps_uids_unique() {
    for backend in common::backends("sources_update").await {
        let (store, name) = (&backend.store, backend.name);
        let taken = store
            .create_source(new_source(Some("taken")))
            .await
            .expect("create");
        let mut source = store.create_source(new_source(None)).await.expect("create");
        source.name = "Stripe".into();
        source.uid = Some(Uid::parse("stripe").expect("uid"));
        source.dedupe_window_secs = 600;
        source.allowed_ips = Vec::new();
        source.updated_at = Timestamp::from_millis(T0 + 1);
        let updated = store.update_source(source.clone()).await.expect("update");
        assert_eq!(updated, source, "{name}");
        assert_eq!(
            store.get_source("stripe").await.expect("get"),
            Some(source.clone()),
            "{name}"
        );
        let page = store
            .list_sources(&PageRequest::first(10, Order::Ascending))
            .await
            .expect("list");
        let mut want = vec![taken.id.clone(), source.id.clone()];
        want.sort();
        let got: Vec<_> = page.items.iter().map(|s| s.id.clone()).collect();
        assert_eq!(got, want, "{name}");

        let mut clash = source.clone();
        clash.uid = taken.uid.clone();
        let refused = store.update_source(clash).await;
        assert!(
            matches!(&refused, Err(StoreError::Conflict(text)) if text.contains("uid")),
            "{name}: {refused:?}"
        );
        let missing = store.update_source(new_source(None)).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound)),
            "{name}: {missing:?}"
        );
    }
}

#[tokio::test]
async fn claimed_jobs_of_an_inbound_event_carry_its_exact_request() {
    for backend in common::backends("inbound_forwarding").await {
        let (store, name) = (&backend.store, backend.name);
        let source = store.create_source(new_source(None)).await.expect("create");
        store
            .create_endpoint(forwarding_endpoint(&source))
            .await
            .expect("endpoint");
        let (event, message) = event(&source, None, T0);
        let expected_body = event.body.clone();
        let outcome = store
            .accept_inbound(event, message, 60)
            .await
            .expect("accept");
        assert_eq!(
            outcome,
            InboundOutcome::Accepted { deliveries: 1 },
            "{name}"
        );

        let jobs = store
            .claim_due(ClaimRequest {
                now: Timestamp::from_millis(T0 + 1),
                limit: 10,
                lease: Duration::from_secs(30),
                exclude: Vec::new(),
            })
            .await
            .expect("claim");
        assert_eq!(jobs.len(), 1, "{name}");
        let forward = jobs[0].forward.as_ref().expect("the original request");
        assert_eq!(forward.body, expected_body, "{name}");
        assert_eq!(
            forward.content_type.as_deref(),
            Some("application/octet-stream"),
            "{name}"
        );
        assert_eq!(
            forward.headers,
            vec![("x-github-event".to_owned(), "push".to_owned())],
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_token_wins_over_a_uid_spelled_the_same() {
    for backend in common::backends("sources_token_wins").await {
        let (store, name) = (&backend.store, backend.name);
        let owner = store.create_source(new_source(None)).await.expect("create");
        let mut lookalike = new_source(None);
        lookalike.uid = Some(Uid::parse(owner.ingest_token.clone()).expect("uid"));
        store.create_source(lookalike).await.expect("create");
        let found = store
            .find_ingest_source(&owner.ingest_token)
            .await
            .expect("find");
        assert_eq!(found.map(|s| s.id), Some(owner.id), "{name}");
    }
}

#[tokio::test]
async fn events_are_listed_and_read_back_byte_for_byte_per_source() {
    for backend in common::backends("inbound_events_read_back").await {
        let (store, name) = (&backend.store, backend.name);
        let source = store.create_source(new_source(None)).await.expect("create");
        let other = store.create_source(new_source(None)).await.expect("create");
        let (first, message) = event(&source, Some("d-1"), T0);
        store
            .accept_inbound(first.clone(), message, 60)
            .await
            .expect("accept");
        let (second, message) = event(&source, None, T0 + 1);
        store
            .accept_inbound(second.clone(), message, 60)
            .await
            .expect("accept");

        let got = store
            .get_inbound_event(&source.id, first.id.as_str())
            .await
            .expect("get");
        assert_eq!(got.as_ref(), Some(&first), "{name}");
        assert_eq!(
            store
                .get_inbound_event(&other.id, first.id.as_str())
                .await
                .expect("get"),
            None,
            "{name}: another source's event is not found"
        );
        let newest_first = store
            .list_inbound_events(&source.id, &PageRequest::first(1, Order::Descending))
            .await
            .expect("list");
        assert_eq!(newest_first.items, vec![second.clone()], "{name}");
        assert!(!newest_first.done, "{name}");
        let next = PageRequest {
            iterator: newest_first.iterator.clone(),
            ..PageRequest::first(1, Order::Descending)
        };
        let rest = store
            .list_inbound_events(&source.id, &next)
            .await
            .expect("list");
        assert_eq!(rest.items, vec![first], "{name}");
        assert!(rest.done, "{name}");
    }
}

#[tokio::test]
async fn an_inbound_event_reads_from_its_source_feed_with_the_body_received() {
    for backend in common::backends("inbound_feed").await {
        let (store, name) = (&backend.store, backend.name);
        let source = store.create_source(new_source(None)).await.expect("create");
        let (mut event, message) = event(&source, None, T0);
        event.body = br#"{"ref":"main"}"#.to_vec();
        store
            .accept_inbound(event, message, 60)
            .await
            .expect("accept");
        let read = |app: Option<AppId>| FeedQuery {
            app,
            after: FeedPosition::START,
            filter: FeedFilter::all(),
            limit: 10,
        };
        let own = store
            .read_feed(read(Some(source.app_id.clone())))
            .await
            .expect("read");
        let payloads: Vec<_> = own
            .items
            .iter()
            .map(|i| i.message.payload.clone())
            .collect();
        assert_eq!(
            payloads,
            vec![Some(r#"{"ref":"main"}"#.to_owned())],
            "{name}"
        );
        let environment = store.read_feed(read(None)).await.expect("read");
        assert!(
            environment.items.is_empty(),
            "{name}: sources' events are not customer messages"
        );
    }
}
