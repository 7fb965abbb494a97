//! `LISTEN/NOTIFY`: one connection per node hears that any node planned deliveries
//! (`hookline_due`), committed messages to the feed (`hookline_feed`) or created or deleted an
//! environment (`hookline_environments`), and wakes the delivery engine, the feed readers or
//! the environment registry. A lost connection is re-opened; wake-ups missed meanwhile are
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
/// The channel environment creations and deletions are announced on.
pub(crate) const ENVIRONMENTS_CHANNEL: &str = "hookline_environments";

/// What the notifications wake.
#[derive(Clone)]
pub(crate) struct Signals {
    /// Feed readers.
    pub(crate) feed: FeedSignal,
    /// The delivery engine.
    pub(crate) due: DueSignal,
    /// The environment registry's watchers (a counter bumped per notification).
    pub(crate) environments: tokio::sync::watch::Sender<u64>,
}

impl Signals {
    /// Wakes everything: after a reconnect, anything may have been missed.
    fn all(&self) {
        self.due.wake();
        self.feed.notify();
        self.environments_changed();
    }

    fn environments_changed(&self) {
        self.environments.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// Whether a notification with `payload` concerns the store whose tables are in `schema`: it
/// names that schema, or none (a sender that does not say).
pub(crate) fn concerns(payload: &str, schema: &str) -> bool {
    payload.is_empty() || payload == schema
}

/// Opens the listening connection (failing if it cannot) and keeps it open in the background,
/// waking `signals` for notifications about `schema`.
pub(crate) async fn spawn(url: &str, schema: String, signals: Signals) -> StoreResult<()> {
    let schema: Arc<str> = schema.into();
    let first = listen(url, &schema, &signals).await?;
    let url = url.to_owned();
    tokio::spawn(async move {
        let mut finished = first;
        loop {
            let _ = finished.await;
            if signals.feed.is_closed() {
                return;
            }
            tracing::warn!("lost the database notification connection; reconnecting");
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                match listen(&url, &schema, &signals).await {
                    Ok(next) => {
                        // Anything announced while disconnected: look again.
                        signals.all();
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

/// Connects, subscribes to the channels and returns the task driving the connection.
async fn listen(
    url: &str,
    schema: &Arc<str>,
    signals: &Signals,
) -> StoreResult<tokio::task::JoinHandle<()>> {
    let target = super::tls::target(url)?;
    let (client, mut connection) = target.config.connect(target.tls).await?;
    let (schema, signals) = (Arc::clone(schema), signals.clone());
    let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
    let driver = tokio::spawn(async move {
        loop {
            let message = tokio::select! {
                message = messages.next() => message,
                () = signals.feed.closed() => return,
            };
            let Some(message) = message else { return };
            match message {
                Ok(AsyncMessage::Notification(n)) if !concerns(n.payload(), &schema) => {}
                Ok(AsyncMessage::Notification(n)) => match n.channel() {
                    DUE_CHANNEL => signals.due.wake(),
                    FEED_CHANNEL => signals.feed.notify(),
                    ENVIRONMENTS_CHANNEL => signals.environments_changed(),
                    _ => {}
                },
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "database notification connection failed");
                    return;
                }
            }
        }
    });
    client
        .batch_execute(&format!(
            "LISTEN {DUE_CHANNEL}; LISTEN {FEED_CHANNEL}; LISTEN {ENVIRONMENTS_CHANNEL}"
        ))
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
