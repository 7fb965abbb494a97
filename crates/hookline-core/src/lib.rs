//! # hookline-core
//!
//! The domain of Hookline, free of I/O: identifiers, validated names, the records that flow through
//! the system (applications, event types, endpoints, messages, deliveries, attempts), the rule that
//! decides which endpoints receive a message, and the retry policy.
//!
//! Everything here is pure and unit-tested in place; the store persists these types, the API parses
//! requests into them, and the delivery engine moves deliveries through their states.
//!
//! ## Layout
//! - [`id`]: prefixed, time-sortable identifiers (`app_`, `ep_`, `msg_`, `atmpt_`).
//! - [`name`]: validated names (`uid`s, event type names, channels, tags) parsed once.
//! - [`endpoint_url`]: the URL an endpoint delivers to.
//! - [`exchange`]: the headers of an attempt, as sent and answered, credentials withheld.
//! - [`model`]: the records and their status enums.
//! - [`filter`]: which endpoints a message fans out to.
//! - [`retry`]: when a failed delivery is tried again.
//! - [`source`]: inbound sources, the events they receive, and internal application kinds.
//! - [`timestamp`]: millisecond UTC timestamps with RFC 3339 formatting.
//! - [`delivery`]: per-endpoint delivery settings and the health the engine reports.
//! - [`operational`]: the operational webhooks Hookline sends about its own deliveries.

pub mod delivery;
pub mod endpoint_url;
pub mod exchange;
pub mod filter;
pub mod id;
pub mod model;
pub mod name;
pub mod operational;
pub mod retry;
pub mod source;
pub mod timestamp;

pub use endpoint_url::EndpointUrl;
pub use id::{AppId, AttemptId, DeliveryId, EndpointId, EnvId, KeyId, MessageId, SourceId};
pub use name::{Channel, EventTypeName, Tag, Uid};
pub use timestamp::Timestamp;
