//! Inputs and outputs of the store's richer operations: list filters and the delivery engine's
//! claims and outcomes.

use hookline_core::exchange::AttemptHeaders;
use std::time::Duration;

use hookline_core::delivery::{DeliverySettings, EndpointHealth};
use hookline_core::model::{Attempt, Delivery, DeliveryStatus, Endpoint, Message};
use hookline_core::retry::RetrySchedule;
use hookline_core::{Channel, DeliveryId, EndpointId, EventTypeName, Tag, Timestamp};

/// Narrows a listing of messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// Only messages tagged with this channel.
    pub channel: Option<Channel>,
    /// Only messages labelled with this tag.
    pub tag: Option<Tag>,
    /// Only messages of these event types.
    pub event_types: Option<Vec<EventTypeName>>,
    /// Only messages created before this time.
    pub before: Option<Timestamp>,
    /// Only messages created after this time.
    pub after: Option<Timestamp>,
    /// Only deliveries in this state (listing by endpoint).
    pub status: Option<DeliveryStatus>,
}

/// HTTP status classes an attempt listing can be narrowed to (0 means "no response").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusCodeClass {
    /// No HTTP response (connection error, timeout).
    NoResponse,
    /// 1xx.
    Informational,
    /// 2xx.
    Success,
    /// 3xx.
    Redirect,
    /// 4xx.
    ClientError,
    /// 5xx.
    ServerError,
}

impl StatusCodeClass {
    /// Parses the contract's code (0, 100, 200, 300, 400, 500).
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => Self::NoResponse,
            100 => Self::Informational,
            200 => Self::Success,
            300 => Self::Redirect,
            400 => Self::ClientError,
            500 => Self::ServerError,
            _ => return None,
        })
    }

    /// The half-open range of status codes in the class.
    pub fn range(self) -> (u16, u16) {
        match self {
            Self::NoResponse => (0, 1),
            Self::Informational => (100, 200),
            Self::Success => (200, 300),
            Self::Redirect => (300, 400),
            Self::ClientError => (400, 500),
            Self::ServerError => (500, 600),
        }
    }
}

/// Which attempts to list: by message or by endpoint, and narrowed further.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttemptFilter {
    /// Attempts of this message.
    pub msg_id: Option<String>,
    /// Attempts to this endpoint.
    pub endpoint_id: Option<String>,
    /// This one attempt.
    pub attempt_id: Option<String>,
    /// Only attempts with this outcome.
    pub status: Option<DeliveryStatus>,
    /// Only attempts whose HTTP status falls in this class.
    pub status_code_class: Option<StatusCodeClass>,
    /// Message filters (channel, event types, time range) applied to the attempt's message and
    /// to the attempt's own time.
    pub message: MessageFilter,
}

/// A message together with the endpoints it fans out to, as accepted by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedMessage {
    /// The stored message.
    pub message: Message,
    /// How many deliveries were planned.
    pub deliveries: usize,
}

/// A delivery claimed by the engine, with everything needed to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryJob {
    /// The delivery, with its attempt count before this attempt.
    pub delivery: Delivery,
    /// The message to send.
    pub message: Message,
    /// The endpoint to send it to, as configured now.
    pub endpoint: Endpoint,
    /// The application's default rate limit, for endpoints without their own.
    pub app_throttle_rate: Option<u16>,
    /// The endpoint's delivery settings (defaults when it has none).
    pub settings: DeliverySettings,
    /// The message's event type's retry schedule, if one is set.
    pub event_type_schedule: Option<RetrySchedule>,
    /// What the engine last decided about the endpoint, if anything.
    pub health: Option<EndpointHealth>,
    /// For a message that is an inbound event: the original request to pass on (its exact
    /// body bytes, content type and headers) in place of the stored JSON payload.
    pub forward: Option<ForwardedRequest>,
}

impl DeliveryJob {
    /// The schedule this delivery retries on: the endpoint's, else the event type's, else `global`.
    pub fn retry_schedule<'a>(&'a self, global: &'a RetrySchedule) -> &'a RetrySchedule {
        self.settings
            .retry_schedule
            .as_ref()
            .or(self.event_type_schedule.as_ref())
            .unwrap_or(global)
    }

    /// The endpoint's rate limit in messages per second: its own, else the application's.
    pub fn throttle_rate(&self) -> Option<u16> {
        self.endpoint.throttle_rate.or(self.app_throttle_rate)
    }
}

/// The parts of an accepted inbound request that are forwarded to the source's endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardedRequest {
    /// The original `Content-Type`, if the request had one.
    pub content_type: Option<String>,
    /// Original headers to pass on (Hookline's own signature headers still win).
    pub headers: Vec<(String, String)>,
    /// The body exactly as received.
    pub body: Vec<u8>,
}

/// The engine's claim request.
///
/// A backend with row locks implements it as `SELECT ... ORDER BY next_attempt_at LIMIT n FOR
/// UPDATE SKIP LOCKED` followed by moving the claimed rows' due time to the end of the lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRequest {
    /// The current time: deliveries due at or before it are eligible.
    pub now: Timestamp,
    /// Claim at most this many.
    pub limit: u32,
    /// How long the claim holds before another worker may take the delivery over; longer than
    /// the request timeout so a live worker never loses its work.
    pub lease: Duration,
    /// Endpoints whose deliveries must not be claimed now (their lane is full or held back).
    pub exclude: Vec<EndpointId>,
}

/// What became of one attempt, to be recorded atomically with the delivery's new state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// The attempt row.
    pub attempt: Attempt,
    /// The delivery's state after the attempt.
    pub delivery_status: DeliveryStatus,
    /// When it is due again, if it is.
    pub next_attempt_at: Option<Timestamp>,
    /// The endpoint answered `410 Gone`: disable it in the same transaction.
    pub disable_endpoint: bool,
    /// The endpoint delivers in order: later deliveries to it wait at least until this one's
    /// next attempt.
    pub ordered: bool,
    /// A change in the endpoint's health to persist with the attempt; a `paused_until` also holds
    /// the endpoint's other pending deliveries until then.
    pub health: Option<EndpointHealth>,
    /// The headers sent and answered, when a request went out.
    pub headers: Option<AttemptHeaders>,
}

/// Claimed deliveries handed back unattempted (their lane could not start them yet), with a
/// health change to persist alongside. Deferring is not an attempt: attempt counts do not move.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deferral {
    /// Each delivery and when it is due again.
    pub deliveries: Vec<(DeliveryId, Timestamp)>,
    /// Health changes observed while deferring (e.g. an endpoint started being rate limited).
    pub health: Vec<EndpointHealth>,
}

/// How much work is waiting, sampled by the engine for its gauges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueDepth {
    /// Deliveries due now (or overdue).
    pub due: u64,
    /// Deliveries scheduled for later.
    pub scheduled: u64,
}
