//! Per-endpoint delivery settings and the health the engine reports for an endpoint.
//!
//! These are Hookline extensions to the endpoint: they live beside it (the contract's `EndpointIn`
//! is left untouched) and are read by the delivery engine with every claimed delivery.

use std::time::Duration;

use crate::retry::RetrySchedule;
use crate::{EndpointId, Timestamp};

/// Most requests in flight to one endpoint that a setting may ask for.
pub const MAX_ENDPOINT_CONCURRENCY: u16 = 1000;

/// How deliveries to one endpoint behave; every field falls back to the server's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliverySettings {
    /// Send one message at a time, in the order they were accepted: a message is not sent until the
    /// previous one succeeded or exhausted its retries.
    pub ordered: bool,
    /// Requests in flight at once to this endpoint (default: the server's lane concurrency).
    pub max_concurrency: Option<u16>,
    /// Time allowed for one attempt; never more than the server's request timeout.
    pub timeout: Option<Duration>,
    /// Delays between attempts, overriding the event type's and the server's schedule.
    pub retry_schedule: Option<RetrySchedule>,
}

/// Whether the engine is currently letting deliveries through to an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CircuitState {
    /// Deliveries flow (subject to the rate limit).
    Closed,
    /// Too many recent failures: deliveries are paused until `paused_until`.
    Open,
    /// The pause ended: one probe is sent; its success closes the circuit.
    HalfOpen,
}

impl CircuitState {
    /// Stable text form, used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::HalfOpen => "halfOpen",
        }
    }

    /// Parses [`CircuitState::as_str`]'s output; anything else is `Closed`.
    pub fn parse(text: &str) -> Self {
        match text {
            "open" => Self::Open,
            "halfOpen" => Self::HalfOpen,
            _ => Self::Closed,
        }
    }
}

/// The health reason for an endpoint whose rate limit is spreading its deliveries out. Unlike the
/// other reasons it does not hold the endpoint's deliveries: each one already has its own slot.
pub const RATE_LIMITED: &str = "rate_limited";

/// What the engine last decided about an endpoint's traffic, persisted on every change so that
/// the API (and other nodes) can show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointHealth {
    /// The endpoint.
    pub endpoint_id: EndpointId,
    /// The circuit breaker's state.
    pub circuit: CircuitState,
    /// When the endpoint started being held back (circuit open or the endpoint asked to slow
    /// down); `None` while traffic flows normally.
    pub throttled_since: Option<Timestamp>,
    /// Deliveries are held until this time.
    pub paused_until: Option<Timestamp>,
    /// Why it is held back, as a machine code (`circuit_open`, `http_429`, `timeout`, ...).
    pub reason: Option<String>,
    /// When this was decided.
    pub updated_at: Timestamp,
}

impl EndpointHealth {
    /// Whether deliveries to the endpoint are being held back at `now`.
    pub fn is_throttled(&self, now: Timestamp) -> bool {
        self.circuit != CircuitState::Closed || self.paused_until.is_some_and(|until| until > now)
    }
}
