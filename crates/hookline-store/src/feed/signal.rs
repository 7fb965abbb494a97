//! Waking feed readers when messages commit, instead of having them poll the database.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

/// Tells long-polls and live streams that new messages were committed, and that the server is
/// shutting down. Cheap to clone; every clone is the same signal.
#[derive(Debug, Clone)]
pub struct FeedSignal {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Counts commits that added messages; readers wait for it to change.
    commits: watch::Sender<u64>,
    /// How many readers are parked waiting right now.
    waiting: watch::Sender<usize>,
    /// Set once at shutdown: parked readers return and streams end.
    closed: AtomicBool,
}

impl Default for FeedSignal {
    fn default() -> Self {
        Self::new()
    }
}

impl FeedSignal {
    /// A signal nobody has notified yet.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                commits: watch::channel(0).0,
                waiting: watch::channel(0).0,
                closed: AtomicBool::new(false),
            }),
        }
    }

    /// Announces that messages were committed (call after the commit, never before).
    pub fn notify(&self) {
        self.inner.commits.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Releases every parked reader for good (server shutdown).
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        self.notify();
    }

    /// True once [`FeedSignal::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    /// Resolves once [`FeedSignal::close`] was called (without counting as a parked reader):
    /// for background tasks that serve the feed and end with it.
    pub async fn closed(&self) {
        let mut commits = self.inner.commits.subscribe();
        while !self.is_closed() {
            if commits.changed().await.is_err() {
                return;
            }
        }
    }

    /// A watch that sees every commit announced from now on; take it before reading the feed,
    /// so that a commit landing between the read and the wait is not missed.
    pub fn subscribe(&self) -> FeedWatch {
        FeedWatch {
            commits: self.inner.commits.subscribe(),
            signal: self.clone(),
        }
    }

    /// The number of readers parked waiting for a commit, as it changes.
    pub fn waiting(&self) -> watch::Receiver<usize> {
        self.inner.waiting.subscribe()
    }
}

/// One reader's view of the signal.
#[derive(Debug)]
pub struct FeedWatch {
    commits: watch::Receiver<u64>,
    signal: FeedSignal,
}

impl FeedWatch {
    /// Waits for a commit announced after the last one this watch saw. Returns false when the
    /// feed is closing and the reader should finish.
    pub async fn changed(&mut self) -> bool {
        if self.signal.is_closed() {
            return false;
        }
        let _parked = Parked::new(&self.signal);
        let open = self.commits.changed().await.is_ok();
        open && !self.signal.is_closed()
    }
}

/// Counts a parked reader for as long as it lives.
struct Parked<'a>(&'a FeedSignal);

impl<'a> Parked<'a> {
    fn new(signal: &'a FeedSignal) -> Self {
        signal.inner.waiting.send_modify(|n| *n += 1);
        Self(signal)
    }
}

impl Drop for Parked<'_> {
    fn drop(&mut self) {
        self.0
            .inner
            .waiting
            .send_modify(|n| *n = n.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_commit_after_subscribing_wakes_the_reader() {
        let signal = FeedSignal::new();
        let mut watch = signal.subscribe();
        signal.notify();
        let woke = tokio::time::timeout(Duration::from_secs(5), watch.changed()).await;
        assert_eq!(woke.ok(), Some(true));
    }

    #[tokio::test]
    async fn parked_readers_are_counted_and_released_by_close() {
        let signal = FeedSignal::new();
        let mut waiting = signal.waiting();
        let mut watch = signal.subscribe();
        let reader = tokio::spawn(async move { watch.changed().await });
        waiting.wait_for(|n| *n == 1).await.expect("parked");
        signal.close();
        let woke = tokio::time::timeout(Duration::from_secs(5), reader).await;
        assert!(!woke.expect("released").expect("joined"));
        waiting.wait_for(|n| *n == 0).await.expect("unparked");
    }

    #[tokio::test]
    async fn closed_resolves_at_close_only() {
        let signal = FeedSignal::new();
        let closed = tokio::spawn({
            let signal = signal.clone();
            async move { signal.closed().await }
        });
        signal.notify();
        assert_eq!(*signal.waiting().borrow(), 0, "not a parked reader");
        signal.close();
        tokio::time::timeout(Duration::from_secs(5), closed)
            .await
            .expect("resolved at close")
            .expect("joined");
    }
}
