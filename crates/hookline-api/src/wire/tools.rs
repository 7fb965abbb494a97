//! Endpoint tools on the wire: `EventExampleIn`, `EndpointStats`, `CountOut`,
//! `MessageRawPayloadOut`, and the example payload rule.

use hookline_core::model::EventType;
use hookline_store::tools::EndpointStats;
use serde::{Deserialize, Serialize};
#[allow(unused_imports)]
use serde_json::json;

/// The event type sent when a caller asks for a ping rather than a registered event type.
pub const PING_EVENT_TYPE: &str = "svix.ping";

/// `EventExampleIn`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"eventType": "invoice.paid"}))]
pub struct EventExampleIn {
    /// The event type whose example to send (`svix.ping` for a ping).
    #[schema(value_type = crate::openapi::params::EventTypeNameSchema)]
    pub event_type: String,
    /// Which of the schema's examples to send (default the first).
    #[schema(minimum = 0, example = 0)]
    pub example_index: Option<usize>,
}

/// The payload an example message carries: the event type's newest schema's example at
/// `index` (`examples[index]`, or `example`), or a ping when the schema has none.
pub fn example_payload(event_type: Option<&EventType>, index: usize) -> serde_json::Value {
    let ping = serde_json::json!({ "success": true });
    let Some(schemas) = event_type
        .and_then(|t| t.schemas.as_ref())
        .and_then(|s| s.as_object())
    else {
        return ping;
    };
    let newest = schemas
        .iter()
        .max_by_key(|(version, _)| version.parse::<u64>().unwrap_or(0))
        .map(|(_, schema)| schema);
    let example = newest.and_then(|schema| {
        schema
            .get("examples")
            .and_then(|e| e.get(index))
            .or_else(|| (index == 0).then(|| schema.get("example")).flatten())
    });
    match example {
        Some(value) if value.is_object() => value.clone(),
        _ => ping,
    }
}

/// `EndpointStats`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = EndpointStats, example = json!({"success": 12, "pending": 1, "sending": 0, "fail": 2, "canceled": 0}))]
pub struct EndpointStatsOut {
    /// Delivered.
    pub success: u64,
    /// Waiting for an attempt.
    pub pending: u64,
    /// An attempt is in flight.
    pub sending: u64,
    /// Failed for good.
    pub fail: u64,
    /// Always 0: Hookline does not cancel deliveries.
    pub canceled: u64,
}

impl From<EndpointStats> for EndpointStatsOut {
    fn from(stats: EndpointStats) -> Self {
        Self {
            success: stats.success,
            pending: stats.pending,
            sending: stats.sending,
            fail: stats.fail,
            canceled: 0,
        }
    }
}

/// `CountOut`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"count": 42, "approximated": false}))]
pub struct CountOut {
    /// How many matched (at most the ceiling).
    pub count: u64,
    /// True when the count stopped at the ceiling and more matched.
    pub approximated: bool,
}

/// `MessageRawPayloadOut`: the payload exactly as stored, as a string.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"payload": "{\"invoiceId\":\"inv_123\"}"}))]
pub struct MessageRawPayloadOut {
    /// The payload bytes as received.
    pub payload: String,
}

#[cfg(test)]
mod tests {
    use hookline_core::{EventTypeName, Timestamp};
    use serde_json::json;

    use super::*;

    fn with_schemas(schemas: serde_json::Value) -> EventType {
        EventType {
            name: EventTypeName::parse("a").expect("name"),
            description: String::new(),
            archived: false,
            deprecated: false,
            schemas: Some(schemas),
            feature_flag: None,
            group_name: None,
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        }
    }

    #[test]
    fn the_newest_schemas_example_is_used_and_a_ping_otherwise() {
        let t = with_schemas(json!({
            "1": { "examples": [{"v": 1}] },
            "2": { "examples": [{"v": 2}, {"v": 3}] },
        }));
        assert_eq!(example_payload(Some(&t), 0), json!({"v": 2}));
        assert_eq!(example_payload(Some(&t), 1), json!({"v": 3}));
        assert_eq!(example_payload(Some(&t), 5), json!({"success": true}));
        assert_eq!(example_payload(None, 0), json!({"success": true}));
        let single = with_schemas(json!({ "1": { "example": {"only": true} } }));
        assert_eq!(example_payload(Some(&single), 0), json!({"only": true}));
    }
}
