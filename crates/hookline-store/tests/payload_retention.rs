//! Per-message payload retention on every backend: a payload with its own expiry goes at that
//! time (sooner or later than the server's retention); one without follows the server's.

// The fixture's items are `pub` for every test binary that includes it.
#[allow(unreachable_pub)]
mod common;
mod seed;

use std::time::Duration;

use hookline_core::{AppId, MessageId, Timestamp};
use hookline_store::Store;

const DAY: Duration = Duration::from_secs(24 * 3600);

/// Stores a message made at `created_at` whose payload expires at `expires_at` (or with the
/// server's retention when `None`).
async fn sent(
    store: &dyn Store,
    app: &AppId,
    created_at: Timestamp,
    expires_at: Option<Timestamp>,
) -> MessageId {
    let mut message = seed::message_at(app, "a", created_at);
    message.payload_expires_at = expires_at;
    seed::send(store, message).await
}

async fn has_payload(store: &dyn Store, app: &AppId, msg: &MessageId) -> bool {
    store
        .get_message(app, msg.as_str())
        .await
        .expect("get")
        .expect("the message is kept")
        .payload
        .is_some()
}

#[tokio::test]
async fn each_payload_expires_at_its_own_time_and_the_others_after_the_server_retention() {
    let test = "each_payload_expires_at_its_own_time_and_the_others_after_the_server_retention";
    for backend in common::backends(test).await {
        let (store, name) = (backend.store.as_ref(), backend.name);
        let app = seed::app(store).await;
        let now = Timestamp::now();
        let before = now.minus(90 * DAY);
        let short = sent(store, &app, now.minus(10 * DAY), Some(now.minus(DAY))).await;
        let long = sent(store, &app, now.minus(100 * DAY), Some(now.plus(DAY))).await;
        let old = sent(store, &app, now.minus(100 * DAY), None).await;
        let recent = sent(store, &app, now.minus(10 * DAY), None).await;
        let due_now = sent(store, &app, now.minus(5 * DAY), Some(now)).await;

        let mut counts = Vec::new();
        loop {
            let n = store.expire_payloads(now, before, 1).await.expect("batch");
            counts.push(n);
            if n < 1 {
                break;
            }
        }
        assert_eq!(
            counts,
            vec![1, 1, 1, 0],
            "{name}: one bounded batch at a time"
        );
        for (msg, kept, what) in [
            (&short, false, "its own, shorter period ran out"),
            (&due_now, false, "its own expiry is now"),
            (&old, false, "older than the server's retention"),
            (&long, true, "its own, longer period has not run out"),
            (&recent, true, "younger than the server's retention"),
        ] {
            assert_eq!(has_payload(store, &app, msg).await, kept, "{name}: {what}");
        }
        let pruned = store.prune_messages(before, 10).await.expect("prune");
        assert_eq!(
            pruned, 1,
            "{name}: only the old message without its payload"
        );
        assert!(has_payload(store, &app, &long).await, "{name}: kept whole");

        let later = now.plus(2 * DAY);
        let expired = store.expire_payloads(later, before, 10).await;
        assert_eq!(expired.expect("batch"), 1, "{name}");
        assert!(
            !has_payload(store, &app, &long).await,
            "{name}: gone in its time"
        );
    }
}
