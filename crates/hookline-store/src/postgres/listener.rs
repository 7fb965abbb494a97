//! `LISTEN/NOTIFY`: one connection per node hears that any node planned deliveries
//! (`hookline_due`) or committed messages to the feed (`hookline_feed`), and wakes the delivery
//! engine or the feed readers. A lost connection is re-opened; wake-ups missed meanwhile are
//! covered by a wake-up on reconnect.

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

/// Opens the listening connection (failing if it cannot) and keeps it open in the background.
pub(crate) async fn spawn(url: &str, feed: FeedSignal, due: DueSignal) -> StoreResult<()> {
    let first = listen(url, &feed, &due).await?;
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
                match listen(&url, &feed, &due).await {
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
    feed: &FeedSignal,
    due: &DueSignal,
) -> StoreResult<tokio::task::JoinHandle<()>> {
    let target = super::tls::target(url)?;
    let (client, mut connection) = target.config.connect(target.tls).await?;
    let (feed, due) = (feed.clone(), due.clone());
    let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
    let driver = tokio::spawn(async move {
        while let Some(message) = messages.next().await {
            match message {
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
