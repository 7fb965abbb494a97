//! Attempts and per-endpoint delivery state on the wire.

use hookline_core::Timestamp;
use hookline_core::model::{Attempt, Delivery, Endpoint};
use serde::Serialize;
use utoipa::ToSchema;

use super::endpoint::EndpointOut;

/// `MessageAttemptOut`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "atmpt_2yZwUhtgs5Ai8T9yRQJXA", "msgId": "msg_2yZwUhtgs5Ai8T9yRQJXA",
    "endpointId": "ep_2yZwUhtgs5Ai8T9yRQJXA", "url": "https://example.com/webhooks",
    "response": "{}", "responseStatusCode": 200, "responseDurationMs": 42, "status": 0,
    "statusText": "success", "triggerType": 0, "attemptNumber": 1, "nextAttempt": null,
    "errorCode": null, "timestamp": "2026-01-01T12:00:00Z"}))]
#[serde(rename_all = "camelCase")]
pub struct MessageAttemptOut {
    /// Id (`atmpt_...`).
    pub id: String,
    /// The message.
    pub msg_id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// The URL used.
    pub url: String,
    /// Response body (up to 20 KB) or the connection error.
    pub response: String,
    /// HTTP status, 0 when no response arrived.
    pub response_status_code: u16,
    /// Duration in milliseconds.
    pub response_duration_ms: i64,
    /// 0 success, 2 fail.
    pub status: i64,
    /// `success` or `fail`.
    #[schema(value_type = String)]
    pub status_text: &'static str,
    /// 0 scheduled, 1 manual.
    pub trigger_type: i64,
    /// Which attempt of the delivery this was (1-based); a Hookline addition.
    pub attempt_number: u32,
    /// When the delivery is tried next, if it is; a Hookline addition.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt: Option<Timestamp>,
    /// Why no response arrived (`timeout`, `connection_refused`, `ssrf_private`, ...); a Hookline
    /// addition.
    pub error_code: Option<String>,
    /// When the attempt was made.
    #[schema(value_type = String, format = DateTime, example = "2026-01-01T12:00:00Z")]
    pub timestamp: Timestamp,
}

impl From<Attempt> for MessageAttemptOut {
    fn from(a: Attempt) -> Self {
        Self {
            id: a.id.to_string(),
            msg_id: a.msg_id.to_string(),
            endpoint_id: a.endpoint_id.to_string(),
            url: a.url,
            response: a.response,
            response_status_code: a.response_status_code,
            response_duration_ms: a.response_duration_ms,
            status: a.status.code(),
            status_text: a.status.as_text(),
            trigger_type: a.trigger_type.code(),
            attempt_number: a.attempt_number,
            next_attempt: a.next_attempt_at,
            error_code: a.error_code,
            timestamp: a.created_at,
        }
    }
}

/// `MessageEndpointOut`: an endpoint with the delivery state of one message to it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageEndpointOut {
    /// The endpoint fields.
    #[serde(flatten)]
    pub endpoint: EndpointOut,
    /// Delivery status: 0 success, 1 pending, 2 failed, 3 sending.
    pub status: i64,
    /// Delivery status text (`success`, `pending`, `fail`, `sending`).
    #[schema(value_type = String)]
    pub status_text: &'static str,
    /// When it is tried next.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt: Option<Timestamp>,
}

impl MessageEndpointOut {
    /// Renders an endpoint with its delivery.
    pub fn render(endpoint: Endpoint, delivery: &Delivery) -> Self {
        Self {
            endpoint: endpoint.into(),
            status: delivery.status.code(),
            status_text: delivery.status.as_text(),
            next_attempt: delivery.next_attempt_at,
        }
    }
}
