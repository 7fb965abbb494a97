//! `LISTEN/NOTIFY`: one connection per node hears that any node planned deliveries
//! (`hookline_due`) or committed messages to the feed (`hookline_feed`), and wakes the delivery
//! engine or the feed readers. A lost connection is re-opened; wake-ups missed meanwhile are
//! covered by a wake-up on reconnect. The connection closes with the feed (the store's owner
//! shutting down, or an environment being closed).
//!
//! The channels are the database's, shared by every schema in it; each notification names the
//! schema whose tables changed, and a store wakes only for its own (see [`concerns`]), so the
//! engines of other environments (schemas) are not woken for nothing.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio_postgres::AsyncMessage;

use crate::StoreResult;
use crate::due::DueSignal;
use crate::feed::FeedSignal;

/// The channel new deliveries are announced on.
pub(crate) const DUE_CHANNEL: &str = "hookline_due";
/// The channel feed appends are announced on.
pub(crate) const FEED_CHANNEL: &str = "hookline_feed";

/// Whether a notification with `payload` concerns the store whose tables are in `schema`: it
/// names that schema, or none (a sender that does not say).
pub(crate) fn concerns(payload: &str, schema: &str) -> bool {
    payload.is_empty() || payload == schema
}

/// Opens the listening connection (failing if it cannot) and keeps it open in the background,
/// waking `feed` and `due` for notifications about `schema`.
pub(crate) async fn spawn(
    url: &str,
    schema: String,
    feed: FeedSignal,
    due: DueSignal,
) -> StoreResult<()> {
    let schema: Arc<str> = schema.into();
    let first = listen(url, &schema, &feed, &due).await?;
    let url = url.to_owned();
    tokio::spawn(async move {
        let mut finished = first;
        loop {
            let _ = finished.await;
            if feed.is_closed() {
                return;
            }
            tracing::warn!("lost the database notification connection; reconnecting");
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                match listen(&url, &schema, &feed, &due).await {
                    Ok(next) => {
                        // Anything announced while disconnected: look again.
                        due.wake();
                        feed.notify();
                        finished = next;
                        break;
                    }
                    Err(err) => tracing::warn!(error = %err, "cannot reconnect to the database"),
                }
            }
        }
    });
    Ok(())
}

/// Connects, subscribes to both channels and returns the task driving the connection.
async fn listen(
    url: &str,
    schema: &Arc<str>,
    feed: &FeedSignal,
    due: &DueSignal,
) -> StoreResult<tokio::task::JoinHandle<()>> {
    let target = super::tls::target(url)?;
    let (client, mut connection) = target.config.connect(target.tls).await?;
    let (schema, feed, due) = (Arc::clone(schema), feed.clone(), due.clone());
    let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
    let driver = tokio::spawn(async move {
        loop {
            let message = tokio::select! {
                message = messages.next() => message,
                () = feed.closed() => return,
            };
            let Some(message) = message else { return };
            match message {
                Ok(AsyncMessage::Notification(n)) if !concerns(n.payload(), &schema) => {}
                Ok(AsyncMessage::Notification(n)) if n.channel() == DUE_CHANNEL => due.wake(),
                Ok(AsyncMessage::Notification(n)) if n.channel() == FEED_CHANNEL => feed.notify(),
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "database notification connection failed");
                    return;
                }
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {DUE_CHANNEL}; LISTEN {FEED_CHANNEL}"))
        .await?;
    // The client lives as long as the connection is driven.
    Ok(tokio::spawn(async move {
        let _client = client;
        let _ = driver.await;
    }))
}

#[cfg(test)]
mod tests {
    use super::concerns;

    #[test]
    fn a_store_wakes_for_its_own_schema_only() {
        assert!(concerns("public", "public"));
        assert!(concerns("env_Ab", "env_Ab"));
        assert!(
            concerns("", "env_Ab"),
            "a notification naming no schema wakes everyone"
        );
        assert!(!concerns("public", "env_Ab"));
        assert!(
            !concerns("env_ab", "env_Ab"),
            "schema names keep their case"
        );
    }
}
