//! The feed: every message in the order it was committed, for consumers that pull.
//!
//! Each message gets a *position* when its transaction commits: a number larger than every
//! position committed before it and never reused, even after messages are deleted. Because
//! positions follow commit order (not id order, which concurrent writers can commit out of
//! order), a reader that has seen position `p` can never later find a new message at or below
//! `p`: reading "everything after `p`" again and again sees every message exactly once.
//!
//! Polling-endpoint consumers keep their position (and an optional lease on the batch they were
//! last given) in the store, so they resume where they left off across restarts of Hookline.
//! A consumer changes by read, change, save; the save is a compare-and-set on the consumer's
//! [`ConsumerVersion`], so two requests (or two nodes) changing one consumer at once cannot
//! undo each other's change: the one that saves second is refused and starts again.

use std::time::Duration;

use async_trait::async_trait;
use hookline_core::model::{Endpoint, Message};
use hookline_core::{AppId, Channel, EndpointId, EventTypeName, Timestamp};

use crate::{StoreError, StoreResult};

mod signal;

pub use signal::{FeedSignal, FeedWatch};

/// A place in the feed: the position of the last message read; `FeedPosition::START` is before
/// every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FeedPosition(u64);

impl FeedPosition {
    /// Before the first message.
    pub const START: Self = Self(0);

    /// The position with this number.
    pub fn new(value: u64) -> Self {
        Self(value)
    }

    /// The number, as used in iterators, SSE ids and offsets.
    pub fn get(self) -> u64 {
        self.0
    }

    /// Parses the decimal form used on the wire.
    pub fn parse(raw: &str) -> Option<Self> {
        raw.trim().parse().ok().map(Self)
    }
}

impl std::fmt::Display for FeedPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One condition a feed message must meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedCondition {
    /// Its event type is one of these.
    EventTypeIn(Vec<EventTypeName>),
    /// It carries at least one of these channels.
    ChannelIn(Vec<Channel>),
}

/// Which messages a reader wants: all conditions must hold (none means every message).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedFilter {
    conditions: Vec<FeedCondition>,
}

impl FeedFilter {
    /// Every message.
    pub fn all() -> Self {
        Self::default()
    }

    /// Only these event types; `None` or an empty list adds no condition.
    pub fn event_types(mut self, types: Option<Vec<EventTypeName>>) -> Self {
        if let Some(types) = types.filter(|t| !t.is_empty()) {
            self.conditions.push(FeedCondition::EventTypeIn(types));
        }
        self
    }

    /// Only messages with one of these channels; `None` or an empty list adds no condition.
    pub fn channels(mut self, channels: Option<Vec<Channel>>) -> Self {
        if let Some(channels) = channels.filter(|c| !c.is_empty()) {
            self.conditions.push(FeedCondition::ChannelIn(channels));
        }
        self
    }

    /// What an endpoint subscribes to, by the same rule as webhook fan-out: its event types
    /// (none = all) and its channels (none = any).
    pub fn endpoint(endpoint: &Endpoint) -> Self {
        Self::all()
            .event_types(endpoint.event_types.clone())
            .channels(endpoint.channels.clone())
    }

    /// Both filters' conditions: a message must meet all of them.
    pub fn and(mut self, other: FeedFilter) -> Self {
        self.conditions.extend(other.conditions);
        self
    }

    /// The conditions, all of which must hold.
    pub fn conditions(&self) -> &[FeedCondition] {
        &self.conditions
    }
}

/// A read of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedQuery {
    /// One application's messages, or every application's when `None`.
    pub app: Option<AppId>,
    /// Read messages after this position.
    pub after: FeedPosition,
    /// Which messages to return.
    pub filter: FeedFilter,
    /// At most this many.
    pub limit: u32,
}

/// A message with its feed position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    /// Where it sits in the feed.
    pub position: FeedPosition,
    /// The message.
    pub message: Message,
}

/// One batch of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedBatch {
    /// Matching messages in feed order.
    pub items: Vec<FeedItem>,
    /// Where the next read starts: the last item's position when more may follow, else the
    /// feed's head at the time of the read (non-matching messages need not be scanned again).
    pub next: FeedPosition,
    /// True when nothing after `next` existed at the time of the read.
    pub done: bool,
    /// The newest position committed at the time of the read.
    pub head: FeedPosition,
}

/// Which save of a consumer a state was read from. Every save moves it on, so a save made from
/// an older read can be told apart and refused instead of overwriting what happened since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConsumerVersion(u64);

impl ConsumerVersion {
    /// The version of a row that stores `raw`.
    pub(crate) fn from_stored(raw: i64) -> Self {
        Self(raw.max(0) as u64)
    }

    /// The value stored for this version.
    pub(crate) fn stored(self) -> i64 {
        self.0 as i64
    }

    /// The version a save of this one writes.
    pub(crate) fn next(self) -> Self {
        Self(self.0 + 1)
    }

    /// The version of a consumer's first save.
    pub(crate) const FIRST: Self = Self(1);
}

/// What a polling-endpoint consumer has read and committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerState {
    /// The polling endpoint.
    pub endpoint_id: EndpointId,
    /// The consumer's name, chosen by the client.
    pub consumer_id: String,
    /// Everything up to here is done: reads without a live lease start after it.
    pub committed: FeedPosition,
    /// The last position handed out under the current lease, if one is live.
    pub leased_to: Option<FeedPosition>,
    /// When the lease ends; unacknowledged messages are handed out again after it.
    pub lease_expires_at: Option<Timestamp>,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// The save this state was read from, `None` for a consumer never saved; saving it succeeds
    /// only while the stored consumer is still at this version.
    pub version: Option<ConsumerVersion>,
}

impl ConsumerState {
    /// A consumer that has read nothing yet and starts after `position`.
    pub fn new(endpoint_id: EndpointId, consumer_id: String, position: FeedPosition) -> Self {
        Self {
            endpoint_id,
            consumer_id,
            committed: position,
            leased_to: None,
            lease_expires_at: None,
            updated_at: Timestamp::now(),
            version: None,
        }
    }

    /// Where the next read starts at `now`: after the leased batch while the lease is live,
    /// after the committed position otherwise (so an unacknowledged batch is read again).
    pub fn read_from(&self, now: Timestamp) -> FeedPosition {
        match (self.leased_to, self.lease_expires_at) {
            (Some(to), Some(expires)) if now < expires => to.max(self.committed),
            _ => self.committed,
        }
    }

    /// Records that messages up to `to` were handed out at `now` under a lease of `lease`;
    /// without a lease the position is committed at once (read means done).
    pub fn handed_out(&mut self, to: FeedPosition, now: Timestamp, lease: Option<Duration>) {
        match lease {
            Some(lease) => {
                self.leased_to = Some(to);
                self.lease_expires_at = Some(now.plus(lease));
            }
            None => self.commit(to),
        }
        self.updated_at = now;
    }

    /// Acknowledges everything up to `to`; never moves the committed position backwards.
    pub fn commit(&mut self, to: FeedPosition) {
        self.committed = self.committed.max(to);
        if self.leased_to.is_none_or(|leased| leased <= self.committed) {
            self.leased_to = None;
            self.lease_expires_at = None;
        }
    }

    /// Moves the consumer to `position`, forwards or backwards, dropping any lease.
    pub fn seek(&mut self, position: FeedPosition, now: Timestamp) {
        self.committed = position;
        self.leased_to = None;
        self.lease_expires_at = None;
        self.updated_at = now;
    }
}

/// Every backend's refusal of a save of `state` made from an outdated read of its consumer.
pub(crate) fn save_refused(state: &ConsumerState) -> StoreError {
    let (consumer, endpoint) = (&state.consumer_id, &state.endpoint_id);
    StoreError::Conflict(match state.version {
        None => format!(
            "consumer {consumer:?} of polling endpoint {endpoint} was created by another request \
             after this one found none; read it again and redo the change"
        ),
        Some(_) => format!(
            "consumer {consumer:?} of polling endpoint {endpoint} was changed by another request \
             after this one read it; read it again and redo the change"
        ),
    })
}

/// Storage for the feed and polling-endpoint consumers.
#[async_trait]
pub trait FeedStore: Send + Sync {
    /// Messages after a position, in commit order; never skips a committed message.
    async fn read_feed(&self, query: FeedQuery) -> StoreResult<FeedBatch>;
    /// The newest committed position (`START` when there are no messages).
    async fn feed_head(&self) -> StoreResult<FeedPosition>;
    /// A position from which reading returns the messages created at or after `time` (and
    /// possibly a few created just before it, never fewer).
    async fn feed_position_at(
        &self,
        app: Option<&AppId>,
        time: Timestamp,
    ) -> StoreResult<FeedPosition>;
    /// Wakes feed readers when messages commit; subscribe before reading to miss nothing.
    fn feed_signal(&self) -> FeedSignal;

    /// A consumer's saved state.
    async fn get_consumer(
        &self,
        endpoint: &EndpointId,
        consumer_id: &str,
    ) -> StoreResult<Option<ConsumerState>>;
    /// Saves a consumer's state (creating it when `state.version` is `None`) if no other save
    /// came between the read it was made from and this one; durable when it returns, and answers
    /// the version now stored.
    ///
    /// Refuses with [`StoreError::Conflict`] when the stored
    /// consumer is no longer at `state.version` (or, for a new one, already exists): the caller
    /// reads it again, redoes its change and saves again. Two changes made from one read
    /// therefore never both land, so a lease saved from an old read cannot undo a commit, nor
    /// can one batch be leased to two callers.
    async fn save_consumer(&self, state: ConsumerState) -> StoreResult<ConsumerVersion>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consumer() -> ConsumerState {
        ConsumerState::new(EndpointId::generate(), "c".into(), FeedPosition::new(10))
    }

    #[test]
    fn without_a_lease_handing_out_commits() {
        let mut c = consumer();
        let now = Timestamp::now();
        c.handed_out(FeedPosition::new(15), now, None);
        assert_eq!(c.read_from(now), FeedPosition::new(15));
    }

    #[test]
    fn a_leased_batch_is_read_again_after_the_lease_unless_committed() {
        let mut c = consumer();
        let now = Timestamp::now();
        c.handed_out(FeedPosition::new(15), now, Some(Duration::from_secs(30)));
        assert_eq!(c.read_from(now), FeedPosition::new(15));
        let later = now.plus(Duration::from_secs(31));
        assert_eq!(c.read_from(later), FeedPosition::new(10));
        c.commit(FeedPosition::new(15));
        assert_eq!(c.read_from(later), FeedPosition::new(15));
        assert_eq!(c.leased_to, None);
    }

    #[test]
    fn commits_never_move_backwards_but_seeks_do() {
        let mut c = consumer();
        c.commit(FeedPosition::new(3));
        assert_eq!(c.committed, FeedPosition::new(10));
        c.seek(FeedPosition::new(3), Timestamp::now());
        assert_eq!(c.committed, FeedPosition::new(3));
    }

    #[test]
    fn a_partial_commit_keeps_the_rest_of_the_lease() {
        let mut c = consumer();
        let now = Timestamp::now();
        c.handed_out(FeedPosition::new(20), now, Some(Duration::from_secs(30)));
        c.commit(FeedPosition::new(12));
        assert_eq!(c.read_from(now), FeedPosition::new(20));
        let later = now.plus(Duration::from_secs(31));
        assert_eq!(c.read_from(later), FeedPosition::new(12));
    }

    #[test]
    fn endpoint_filters_follow_the_fan_out_rule() {
        let filter = FeedFilter::all().event_types(Some(vec![])).channels(None);
        assert!(filter.conditions().is_empty());
        let filter =
            FeedFilter::all().event_types(Some(vec![EventTypeName::parse("a").expect("name")]));
        assert_eq!(filter.conditions().len(), 1);
    }

    #[test]
    fn positions_round_trip_through_their_wire_form() {
        let p = FeedPosition::new(42);
        assert_eq!(FeedPosition::parse(&p.to_string()), Some(p));
        assert_eq!(FeedPosition::parse("-1"), None);
        assert_eq!(FeedPosition::parse("msg_x"), None);
    }
}
