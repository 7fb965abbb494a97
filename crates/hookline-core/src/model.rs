//! The records Hookline keeps, as the rest of the system sees them.

use std::collections::BTreeMap;

use crate::{
    AppId, AttemptId, Channel, DeliveryId, EndpointId, EndpointUrl, EventTypeName, MessageId, Tag,
    Timestamp, Uid,
};

/// Free-form string labels a user attaches to an application or endpoint.
pub type Metadata = BTreeMap<String, String>;

/// One of your customers: it owns endpoints and receives messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// Hookline's id (`app_...`).
    pub id: AppId,
    /// The caller's own identifier, usable in place of the id.
    pub uid: Option<Uid>,
    /// Human-readable name.
    pub name: String,
    /// Labels for the caller's bookkeeping.
    pub metadata: Metadata,
    /// Default cap on messages per second to each endpoint of this application.
    pub throttle_rate: Option<u16>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A kind of event (`invoice.paid`) that endpoints can subscribe to.
#[derive(Debug, Clone, PartialEq)]
pub struct EventType {
    /// The unique name.
    pub name: EventTypeName,
    /// What the event means.
    pub description: String,
    /// Archived event types are hidden from listings but still deliverable.
    pub archived: bool,
    /// Marked as deprecated for consumers.
    pub deprecated: bool,
    /// JSON Schemas of the payload, keyed by version.
    pub schemas: Option<serde_json::Value>,
    /// Feature flag gating visibility.
    pub feature_flag: Option<String>,
    /// Group used to organise event types in docs.
    pub group_name: Option<String>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A URL subscribed to an application's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Hookline's id (`ep_...`).
    pub id: EndpointId,
    /// The application it belongs to.
    pub app_id: AppId,
    /// The caller's own identifier, unique within the application.
    pub uid: Option<Uid>,
    /// Where webhooks are POSTed.
    pub url: EndpointUrl,
    /// Human-readable description.
    pub description: String,
    /// Event types it receives; `None` means all.
    pub event_types: Option<Vec<EventTypeName>>,
    /// Channels it receives; `None` means all.
    pub channels: Option<Vec<Channel>>,
    /// Disabled endpoints receive nothing.
    pub disabled: bool,
    /// Cap on messages per second to this endpoint.
    pub throttle_rate: Option<u16>,
    /// Labels for the caller's bookkeeping.
    pub metadata: Metadata,
    /// Extra headers sent with every delivery.
    pub headers: BTreeMap<String, String>,
    /// The signing secret, in its `whsec_` form.
    pub secret: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// An event sent to an application, with its exact payload bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Hookline's id (`msg_...`), sent as `webhook-id`.
    pub id: MessageId,
    /// The application it was sent to.
    pub app_id: AppId,
    /// Its event type.
    pub event_type: EventTypeName,
    /// The sender's own unique id for the event, if given.
    pub event_id: Option<Uid>,
    /// Channels it was tagged with.
    pub channels: Option<Vec<Channel>>,
    /// Tags it was labelled with (listings and bulk replays filter by them).
    pub tags: Option<Vec<Tag>>,
    /// The JSON object exactly as received; `None` once expunged or expired.
    pub payload: Option<String>,
    /// When its payload expires, when the sender chose a retention period for it; `None`
    /// follows the server's retention setting.
    pub payload_expires_at: Option<Timestamp>,
    /// When it was accepted.
    pub created_at: Timestamp,
}

/// Where a delivery (or one attempt of it) stands; numbered as in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Delivered: the endpoint answered 2xx.
    Success = 0,
    /// Waiting for its next attempt.
    Pending = 1,
    /// Retries exhausted, or the attempt failed.
    Fail = 2,
    /// An attempt is in flight.
    Sending = 3,
}

impl DeliveryStatus {
    /// The contract's numeric code.
    pub fn code(self) -> i64 {
        self as i64
    }

    /// Parses the numeric code.
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => Self::Success,
            1 => Self::Pending,
            2 => Self::Fail,
            3 => Self::Sending,
            _ => return None,
        })
    }

    /// The contract's text form (`statusText`).
    pub fn as_text(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Pending => "pending",
            Self::Fail => "fail",
            Self::Sending => "sending",
        }
    }
}

/// Why an attempt was made; numbered as in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TriggerType {
    /// By the retry schedule.
    Scheduled = 0,
    /// By a person (resend, recover).
    Manual = 1,
}

impl TriggerType {
    /// The contract's numeric code.
    pub fn code(self) -> i64 {
        self as i64
    }

    /// Parses the numeric code.
    pub fn from_code(code: i64) -> Self {
        if code == 1 {
            Self::Manual
        } else {
            Self::Scheduled
        }
    }
}

/// The delivery of one message to one endpoint, across all its attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Internal id.
    pub id: DeliveryId,
    /// The message delivered.
    pub msg_id: MessageId,
    /// The endpoint it goes to.
    pub endpoint_id: EndpointId,
    /// The application both belong to.
    pub app_id: AppId,
    /// Current state.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempt_count: u32,
    /// When the next attempt is due; `None` once final.
    pub next_attempt_at: Option<Timestamp>,
    /// When it was planned.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// One HTTP attempt and what the endpoint answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Hookline's id (`atmpt_...`).
    pub id: AttemptId,
    /// The delivery it belongs to.
    pub delivery_id: DeliveryId,
    /// The message sent.
    pub msg_id: MessageId,
    /// The endpoint it was sent to.
    pub endpoint_id: EndpointId,
    /// The application both belong to.
    pub app_id: AppId,
    /// The URL used for this attempt.
    pub url: String,
    /// `Success` or `Fail`.
    pub status: DeliveryStatus,
    /// HTTP status, or 0 when no response arrived.
    pub response_status_code: u16,
    /// The response body (up to 20 KB), or a description of the connection error.
    pub response: String,
    /// Time from sending to the end of the response.
    pub response_duration_ms: i64,
    /// Scheduled or manual.
    pub trigger_type: TriggerType,
    /// 1 for the first attempt of the delivery, 2 for the first retry, ...
    pub attempt_number: u32,
    /// When the delivery will be tried next, if it will.
    pub next_attempt_at: Option<Timestamp>,
    /// A machine code for failures without an HTTP status (`timeout`, `connection_refused`, ...).
    pub error_code: Option<String>,
    /// When the attempt was made.
    pub created_at: Timestamp,
}
