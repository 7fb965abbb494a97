//! Messages on the wire.

use hookline_core::model::{Delivery, Message};
use std::time::Duration;

use hookline_core::{Channel, EventTypeName, Tag, Timestamp, Uid};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::application::ApplicationIn;
use super::{Checks, parse_list};
use crate::error::ApiError;

/// Most channels a message may carry.
const MAX_CHANNELS: usize = 5;

/// Most tags a message may carry.
const MAX_TAGS: usize = 5;

/// The accepted range of `payloadRetentionPeriod`, in days.
const RETENTION_DAYS: std::ops::RangeInclusive<i64> = 5..=90;

/// `MessageIn`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"eventType": "invoice.paid", "eventId": "inv_123-paid",
    "payload": {"invoiceId": "inv_123", "amount": 4200}, "tags": ["billing/eu"]}))]
#[serde(rename_all = "camelCase")]
pub struct MessageIn {
    /// Event type name.
    #[schema(value_type = crate::openapi::params::EventTypeNameSchema)]
    pub event_type: String,
    /// The JSON object to deliver, kept byte for byte.
    #[schema(value_type = Object)]
    pub payload: Box<RawValue>,
    /// The sender's unique id for this event; reusing it is a conflict.
    #[schema(value_type = Option<crate::openapi::params::UidSchema>)]
    pub event_id: Option<String>,
    /// Channels to tag the message with, at most 5.
    #[schema(value_type = Option<Vec<crate::openapi::params::ChannelSchema>>, max_items = 5)]
    pub channels: Option<Vec<String>>,
    /// Tags to label the message with, at most 5 (a repeated tag counts once); message and
    /// attempt listings and bulk replays filter by them.
    #[schema(value_type = Option<Vec<crate::openapi::params::TagSchema>>, max_items = 5)]
    pub tags: Option<Vec<String>>,
    /// Days to keep the payload (5 to 90); without it the server's retention applies.
    #[schema(minimum = 5, maximum = 90)]
    pub payload_retention_period: Option<i64>,
    /// Creates the application on the fly when it does not exist.
    pub application: Option<ApplicationIn>,
}

/// The validated fields of a [`MessageIn`].
#[derive(Debug)]
pub struct MessageFields {
    /// Event type.
    pub event_type: EventTypeName,
    /// Payload text.
    pub payload: String,
    /// Event id.
    pub event_id: Option<Uid>,
    /// Channels.
    pub channels: Option<Vec<Channel>>,
    /// Tags, each once, in the order first given.
    pub tags: Option<Vec<Tag>>,
    /// How long to keep the payload, when the sender chose.
    pub payload_retention: Option<Duration>,
}

impl MessageFields {
    /// When a payload accepted at `created_at` expires, when the sender chose a period.
    pub fn payload_expires_at(&self, created_at: Timestamp) -> Option<Timestamp> {
        self.payload_retention.map(|period| created_at.plus(period))
    }
}

impl MessageIn {
    /// Validates every field, reporting all failures at once.
    pub fn validate(&self) -> Result<MessageFields, ApiError> {
        let mut checks = Checks::default();
        let event_type = checks.check(
            &["body", "eventType"],
            EventTypeName::parse(self.event_type.clone()),
        );
        if !self.payload.get().trim_start().starts_with('{') {
            checks.fail(&["body", "payload"], "must be a JSON object");
        }
        let event_id = checks.take(
            &["body", "eventId"],
            self.event_id.clone().map(Uid::parse).transpose(),
        );
        if self
            .channels
            .as_ref()
            .is_some_and(|c| c.len() > MAX_CHANNELS)
        {
            checks.fail(
                &["body", "channels"],
                format!("must list at most {MAX_CHANNELS} channels"),
            );
        }
        let channels = parse_list(
            &mut checks,
            "channels",
            self.channels.clone(),
            Channel::parse,
        )
        .filter(|c| !c.is_empty());
        let tags = self.tags(&mut checks);
        let payload_retention = match self.payload_retention_period {
            Some(days) if RETENTION_DAYS.contains(&days) => {
                Some(Duration::from_secs(days.unsigned_abs() * 24 * 3600))
            }
            Some(_) => {
                checks.fail(
                    &["body", "payloadRetentionPeriod"],
                    "must be between 5 and 90 days",
                );
                None
            }
            None => None,
        };
        let event_type = checks.finish(event_type)?;
        Ok(MessageFields {
            event_type,
            payload: self.payload.get().to_owned(),
            event_id,
            channels,
            tags,
            payload_retention,
        })
    }

    /// The tags, parsed (errors name each tag's position as sent), each kept once; `None` when
    /// absent or empty.
    fn tags(&self, checks: &mut Checks) -> Option<Vec<Tag>> {
        let parsed = parse_list(checks, "tags", self.tags.clone(), Tag::parse)?;
        let mut tags: Vec<Tag> = Vec::with_capacity(parsed.len());
        for tag in parsed {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() > MAX_TAGS {
            checks.fail(
                &["body", "tags"],
                format!("must list at most {MAX_TAGS} different tags"),
            );
        }
        (!tags.is_empty()).then_some(tags)
    }
}

/// `MessageOut`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "msg_2yZwUhtgs5Ai8T9yRQJXA", "eventType": "invoice.paid",
    "eventId": "inv_123-paid", "channels": null, "tags": ["billing/eu"],
    "payload": {"invoiceId": "inv_123", "amount": 4200}, "timestamp": "2026-01-01T12:00:00Z"}))]
#[serde(rename_all = "camelCase")]
pub struct MessageOut {
    /// Id (`msg_...`).
    pub id: String,
    /// Event type.
    pub event_type: String,
    /// Event id.
    pub event_id: Option<String>,
    /// Channels.
    pub channels: Option<Vec<String>>,
    /// Tags.
    #[schema(value_type = Option<Vec<crate::openapi::params::TagSchema>>)]
    pub tags: Option<Vec<String>>,
    /// The payload as stored (`{}` when withheld or expunged).
    #[schema(value_type = Object)]
    pub payload: Box<RawValue>,
    /// When it was accepted.
    #[schema(value_type = String, format = DateTime, example = "2026-01-01T12:00:00Z")]
    pub timestamp: Timestamp,
}

fn raw_payload(payload: Option<String>, with_content: bool) -> Box<RawValue> {
    let text = payload
        .filter(|_| with_content)
        .unwrap_or_else(|| "{}".to_owned());
    RawValue::from_string(text)
        .unwrap_or_else(|_| RawValue::from_string("{}".to_owned()).unwrap_or_default())
}

impl MessageOut {
    /// Renders a message, with or without its payload.
    pub fn render(message: Message, with_content: bool) -> Self {
        Self {
            id: message.id.to_string(),
            event_type: message.event_type.to_string(),
            event_id: message.event_id.map(|u| u.to_string()),
            channels: message
                .channels
                .map(|c| c.iter().map(Channel::to_string).collect()),
            tags: message.tags.map(|t| t.iter().map(Tag::to_string).collect()),
            payload: raw_payload(message.payload, with_content),
            timestamp: message.created_at,
        }
    }
}

/// `EndpointMessageOut`: a message with its delivery state to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointMessageOut {
    /// The message fields.
    #[serde(flatten)]
    pub message: MessageOut,
    /// Delivery status: 0 success, 1 pending, 2 failed, 3 sending.
    pub status: i64,
    /// Delivery status text (`success`, `pending`, `fail`, `sending`).
    #[schema(value_type = String)]
    pub status_text: &'static str,
    /// When it is tried next.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt: Option<Timestamp>,
}

impl EndpointMessageOut {
    /// Renders a message with its delivery.
    pub fn render(message: Message, delivery: &Delivery, with_content: bool) -> Self {
        Self {
            message: MessageOut::render(message, with_content),
            status: delivery.status.code(),
            status_text: delivery.status.as_text(),
            next_attempt: delivery.next_attempt_at,
        }
    }
}
