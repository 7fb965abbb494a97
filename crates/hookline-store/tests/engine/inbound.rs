//! Claims of inbound events: the job carries the original request to forward, byte for byte.

use hookline_core::model::{Message, Metadata};
use hookline_core::source::{InboundEvent, InboundOutcome, Source};
use hookline_core::{AppId, EventTypeName, MessageId, SourceId};
use hookline_store::query::ForwardedRequest;

use crate::fixture::{Fixture, add_endpoint, now};

fn source() -> Source {
    Source {
        id: SourceId::generate(),
        uid: None,
        name: "GitHub".into(),
        app_id: AppId::generate(),
        source_type: "github".into(),
        config: serde_json::json!({ "secret": "s" }),
        ingest_token: format!("tok{}", SourceId::generate()),
        allowed_ips: vec![],
        dedupe_window_secs: 60,
        metadata: Metadata::new(),
        created_at: now(),
        updated_at: now(),
    }
}

#[tokio::test]
async fn a_claimed_inbound_event_carries_the_original_request() {
    for f in Fixture::each("claim_inbound").await {
        let name = f.name;
        let source = f.store.create_source(source()).await.expect("source");
        add_endpoint(&f.store, &source.app_id, None).await;
        let id = MessageId::generate();
        // Not UTF-8: only the stored bytes can be forwarded.
        let body = vec![0, 159, 146, 150, 255];
        let event = InboundEvent {
            id: id.clone(),
            source_id: source.id.clone(),
            content_type: Some("application/octet-stream".into()),
            headers: vec![("x-github-event".into(), "push".into())],
            body: body.clone(),
            dedupe_key: Some("d-1".into()),
            received_at: now(),
        };
        // Inbound messages carry identity and the plan; their payload text stays empty.
        let message = Message {
            id: id.clone(),
            app_id: source.app_id.clone(),
            event_type: EventTypeName::from_trusted("inbound.github".into()),
            event_id: None,
            channels: None,
            payload: Some(String::new()),
            tags: None,
            payload_expires_at: None,
            created_at: now(),
        };
        let outcome = f.store.accept_inbound(event, message, 60).await;
        assert_eq!(
            outcome.expect("accept"),
            InboundOutcome::Accepted { deliveries: 1 },
            "{name}"
        );
        // An ordinary message alongside: nothing to forward for it.
        f.endpoint().await;
        f.message().await;
        let jobs = f.claim(vec![]).await;
        assert_eq!(jobs.len(), 2, "{name}");
        for job in jobs {
            if job.message.id == id {
                let expected = ForwardedRequest {
                    content_type: Some("application/octet-stream".into()),
                    headers: vec![("x-github-event".into(), "push".into())],
                    body: body.clone(),
                };
                assert_eq!(job.forward, Some(expected), "{name}");
            } else {
                assert_eq!(job.forward, None, "{name}");
            }
        }
    }
}
