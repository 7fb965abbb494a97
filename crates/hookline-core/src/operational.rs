//! Operational webhooks: the events Hookline sends to the operator about its own deliveries
//! (`endpoint.created`, `message.attempt.failing`, ...), with the payload shapes of the Svix
//! contract (`EndpointCreatedEvent`, `MessageAttemptFailingEvent`, ... in the cloud reference).
//!
//! They are messages of one internal application of kind `operational`
//! ([`operational_app_id`]), so the ordinary engine signs, retries and records them. Nothing
//! here does I/O: the store turns [`OperationalEvent`]s into messages.

use serde_json::{Value, json};

use crate::{AppId, AttemptId, EndpointId, EventTypeName, MessageId, Timestamp, Uid};

/// The fixed id of the internal application whose endpoints receive operational webhooks
/// (created by a migration, never listed under `/api/v1/app`).
pub fn operational_app_id() -> AppId {
    AppId::from_trusted(OPERATIONAL_APP_ID.to_owned())
}

/// The raw id behind [`operational_app_id`].
pub const OPERATIONAL_APP_ID: &str = "app_00000000000operational";

/// The failed attempt after which `message.attempt.failing` is sent (the 4th).
pub const FAILING_AFTER_ATTEMPT: u32 = 4;

/// Every event type an operational endpoint can filter on.
pub const OPERATIONAL_EVENT_TYPES: &[&str] = &[
    "endpoint.created",
    "endpoint.updated",
    "endpoint.deleted",
    "endpoint.disabled",
    "endpoint.enabled",
    "message.attempt.failing",
    "message.attempt.exhausted",
    "message.attempt.recovered",
];

/// Which endpoint an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRef {
    /// Its application.
    pub app_id: AppId,
    /// The application's uid, if it has one.
    pub app_uid: Option<Uid>,
    /// The endpoint.
    pub endpoint_id: EndpointId,
    /// The endpoint's uid, if it has one.
    pub endpoint_uid: Option<Uid>,
}

/// The attempt an attempt event reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRef {
    /// The endpoint it went to.
    pub endpoint: EndpointRef,
    /// The message.
    pub msg_id: MessageId,
    /// The message's `eventId`, if it has one.
    pub msg_event_id: Option<Uid>,
    /// The attempt.
    pub attempt_id: AttemptId,
    /// When it was made.
    pub timestamp: Timestamp,
    /// The HTTP status answered (0 when there was no answer).
    pub response_status_code: i64,
}

/// Why an endpoint was disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisableTrigger {
    /// By Hookline: `410 Gone`, or failing for the auto-disable period.
    Automatic,
    /// Through the API.
    Manual,
}

/// One operational event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationalEvent {
    /// An endpoint was created.
    EndpointCreated(EndpointRef),
    /// An endpoint's settings changed.
    EndpointUpdated(EndpointRef),
    /// An endpoint was deleted.
    EndpointDeleted(EndpointRef),
    /// An endpoint was enabled again.
    EndpointEnabled(EndpointRef),
    /// An endpoint was disabled; `fail_since` is when it started failing, when known.
    EndpointDisabled {
        /// The endpoint.
        endpoint: EndpointRef,
        /// Automatic or manual.
        trigger: DisableTrigger,
        /// Start of the failures that led to it, if that is why.
        fail_since: Option<Timestamp>,
    },
    /// A delivery failed its 4th attempt.
    AttemptFailing(AttemptRef),
    /// A delivery failed its last attempt.
    AttemptExhausted(AttemptRef),
    /// A delivery succeeded after `message.attempt.failing` was sent for it.
    AttemptRecovered(AttemptRef),
}

impl OperationalEvent {
    /// The event type it is sent as.
    pub fn event_type(&self) -> EventTypeName {
        let name = match self {
            Self::EndpointCreated(_) => "endpoint.created",
            Self::EndpointUpdated(_) => "endpoint.updated",
            Self::EndpointDeleted(_) => "endpoint.deleted",
            Self::EndpointEnabled(_) => "endpoint.enabled",
            Self::EndpointDisabled { .. } => "endpoint.disabled",
            Self::AttemptFailing(_) => "message.attempt.failing",
            Self::AttemptExhausted(_) => "message.attempt.exhausted",
            Self::AttemptRecovered(_) => "message.attempt.recovered",
        };
        EventTypeName::from_trusted(name.to_owned())
    }

    /// The endpoint the event is about.
    pub fn endpoint(&self) -> &EndpointRef {
        match self {
            Self::EndpointCreated(e)
            | Self::EndpointUpdated(e)
            | Self::EndpointDeleted(e)
            | Self::EndpointEnabled(e)
            | Self::EndpointDisabled { endpoint: e, .. } => e,
            Self::AttemptFailing(a) | Self::AttemptExhausted(a) | Self::AttemptRecovered(a) => {
                &a.endpoint
            }
        }
    }

    /// Whether the event is about an operational endpoint itself: such events are never sent
    /// (a failing operational endpoint must not feed itself more work).
    pub fn is_about_operational(&self) -> bool {
        self.endpoint().app_id.as_str() == OPERATIONAL_APP_ID
    }

    /// The webhook body: `{"type": ..., "data": {...}}` as in the contract.
    pub fn payload(&self) -> Value {
        let data = match self {
            Self::EndpointCreated(e)
            | Self::EndpointUpdated(e)
            | Self::EndpointDeleted(e)
            | Self::EndpointEnabled(e) => endpoint_data(e),
            Self::EndpointDisabled {
                endpoint,
                trigger,
                fail_since,
            } => {
                let mut data = endpoint_data(endpoint);
                data["trigger"] = json!(match trigger {
                    DisableTrigger::Automatic => "automatic",
                    DisableTrigger::Manual => "manual",
                });
                if let Some(since) = fail_since {
                    data["failSince"] = json!(since.to_rfc3339());
                }
                data
            }
            Self::AttemptFailing(a) | Self::AttemptExhausted(a) | Self::AttemptRecovered(a) => {
                json!({
                    "appId": a.endpoint.app_id.as_str(),
                    "appUid": a.endpoint.app_uid.as_ref().map(Uid::as_str),
                    "endpointId": a.endpoint.endpoint_id.as_str(),
                    "msgId": a.msg_id.as_str(),
                    "msgEventId": a.msg_event_id.as_ref().map(Uid::as_str),
                    "lastAttempt": {
                        "id": a.attempt_id.as_str(),
                        "timestamp": a.timestamp.to_rfc3339(),
                        "responseStatusCode": a.response_status_code,
                    },
                })
            }
        };
        json!({ "type": self.event_type().as_str(), "data": data })
    }
}

fn endpoint_data(e: &EndpointRef) -> Value {
    json!({
        "appId": e.app_id.as_str(),
        "appUid": e.app_uid.as_ref().map(Uid::as_str),
        "endpointId": e.endpoint_id.as_str(),
        "endpointUid": e.endpoint_uid.as_ref().map(Uid::as_str),
    })
}

/// The attempt events one recorded attempt causes: `failing` on the 4th failure, `exhausted`
/// when the delivery failed for good, `recovered` on a success after the 4th attempt (when
/// `failing` was sent).
pub fn attempt_events(
    attempt: AttemptRef,
    attempt_number: u32,
    succeeded: bool,
    exhausted: bool,
) -> Vec<OperationalEvent> {
    let mut events = Vec::new();
    if succeeded {
        if attempt_number > FAILING_AFTER_ATTEMPT {
            events.push(OperationalEvent::AttemptRecovered(attempt));
        }
        return events;
    }
    if attempt_number == FAILING_AFTER_ATTEMPT {
        events.push(OperationalEvent::AttemptFailing(attempt.clone()));
    }
    if exhausted {
        events.push(OperationalEvent::AttemptExhausted(attempt));
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt() -> AttemptRef {
        AttemptRef {
            endpoint: EndpointRef {
                app_id: AppId::generate(),
                app_uid: Some(Uid::parse("shop").expect("a valid uid")),
                endpoint_id: EndpointId::generate(),
                endpoint_uid: None,
            },
            msg_id: MessageId::generate(),
            msg_event_id: None,
            attempt_id: AttemptId::generate(),
            timestamp: Timestamp::from_millis(1_667_747_045_000),
            response_status_code: 500,
        }
    }

    fn types(events: &[OperationalEvent]) -> Vec<String> {
        events.iter().map(|e| e.event_type().to_string()).collect()
    }

    #[test]
    fn failing_is_sent_on_the_fourth_failure_only() {
        assert!(attempt_events(attempt(), 3, false, false).is_empty());
        assert_eq!(
            types(&attempt_events(attempt(), 4, false, false)),
            ["message.attempt.failing"]
        );
        assert!(attempt_events(attempt(), 5, false, false).is_empty());
    }

    #[test]
    fn exhaustion_and_recovery_are_reported() {
        assert_eq!(
            types(&attempt_events(attempt(), 8, false, true)),
            ["message.attempt.exhausted"]
        );
        assert_eq!(
            types(&attempt_events(attempt(), 4, false, true)),
            ["message.attempt.failing", "message.attempt.exhausted"]
        );
        assert_eq!(
            types(&attempt_events(attempt(), 5, true, false)),
            ["message.attempt.recovered"]
        );
        assert!(attempt_events(attempt(), 4, true, false).is_empty());
    }

    #[test]
    fn payloads_follow_the_contract_shapes() {
        let a = attempt();
        let body = OperationalEvent::AttemptFailing(a.clone()).payload();
        assert_eq!(body["type"], "message.attempt.failing");
        assert_eq!(body["data"]["appUid"], "shop");
        assert_eq!(body["data"]["lastAttempt"]["responseStatusCode"], 500);
        assert_eq!(
            body["data"]["lastAttempt"]["timestamp"],
            "2022-11-06T15:04:05.000Z"
        );
        let disabled = OperationalEvent::EndpointDisabled {
            endpoint: a.endpoint,
            trigger: DisableTrigger::Automatic,
            fail_since: Some(Timestamp::from_millis(0)),
        }
        .payload();
        assert_eq!(disabled["data"]["trigger"], "automatic");
        assert_eq!(disabled["data"]["failSince"], "1970-01-01T00:00:00.000Z");
        assert!(disabled["data"]["endpointUid"].is_null());
    }

    #[test]
    fn the_operational_app_id_is_a_well_formed_app_id() {
        assert!(AppId::parse(OPERATIONAL_APP_ID).is_some());
    }
}
