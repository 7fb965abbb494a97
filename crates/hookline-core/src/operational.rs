//! Operational webhooks: the events Hookline sends to the operator about its own deliveries and
//! jobs (`endpoint.created`, `message.attempt.failing`, `background_task.finished`, ...), with
//! the payload shapes of the Svix contract (`EndpointCreatedEvent`, `MessageAttemptFailingEvent`,
//! `BackgroundTaskFinishedEvent`, ... in the cloud reference).
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
    "background_task.finished",
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

/// A background task (recover, replay, bulk replay) that ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedTask {
    /// Its id (`qtask_...`).
    pub task_id: String,
    /// The contract's task type (`endpoint.recover`, `endpoint.bulk-replay`, ...).
    pub task: String,
    /// How it ended: `finished`, or `failed` when an error stopped it.
    pub status: String,
    /// Its result as `GET /api/v1/background-task/{id}` shows it (`{"messagesSent": n}`).
    pub data: Value,
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
    /// A background task ended (finished or failed).
    BackgroundTaskFinished(FinishedTask),
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
            Self::BackgroundTaskFinished(_) => "background_task.finished",
        };
        EventTypeName::from_trusted(name.to_owned())
    }

    /// The endpoint the event is about; `None` for events about no endpoint (a background
    /// task that ended).
    pub fn endpoint(&self) -> Option<&EndpointRef> {
        match self {
            Self::EndpointCreated(e)
            | Self::EndpointUpdated(e)
            | Self::EndpointDeleted(e)
            | Self::EndpointEnabled(e)
            | Self::EndpointDisabled { endpoint: e, .. } => Some(e),
            Self::AttemptFailing(a) | Self::AttemptExhausted(a) | Self::AttemptRecovered(a) => {
                Some(&a.endpoint)
            }
            Self::BackgroundTaskFinished(_) => None,
        }
    }

    /// Whether the event is about an operational endpoint itself: such events are never sent
    /// (a failing operational endpoint must not feed itself more work).
    pub fn is_about_operational(&self) -> bool {
        self.endpoint()
            .is_some_and(|e| e.app_id.as_str() == OPERATIONAL_APP_ID)
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
            Self::BackgroundTaskFinished(t) => json!({
                "taskId": t.task_id,
                "task": t.task,
                "status": t.status,
                "data": t.data,
            }),
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

/// Whether a successful attempt reports `message.attempt.recovered`: after the 4th attempt of
/// the schedule (when `failing` was sent), or whenever the delivery was re-queued by hand
/// after `failing` was sent for it and has not succeeded since (`failing_sent`).
pub fn reports_recovery(attempt_number: u32, failing_sent: bool) -> bool {
    attempt_number > FAILING_AFTER_ATTEMPT || failing_sent
}

/// The attempt events one recorded attempt causes: `failing` on the 4th failure, `exhausted`
/// when the delivery failed for good, `recovered` on a success after `failing` was sent (see
/// [`reports_recovery`]).
pub fn attempt_events(
    attempt: AttemptRef,
    attempt_number: u32,
    succeeded: bool,
    exhausted: bool,
    failing_sent: bool,
) -> Vec<OperationalEvent> {
    let mut events = Vec::new();
    if succeeded {
        if reports_recovery(attempt_number, failing_sent) {
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
        assert!(attempt_events(attempt(), 3, false, false, false).is_empty());
        assert_eq!(
            types(&attempt_events(attempt(), 4, false, false, false)),
            ["message.attempt.failing"]
        );
        assert!(attempt_events(attempt(), 5, false, false, false).is_empty());
    }

    #[test]
    fn exhaustion_and_recovery_are_reported() {
        assert_eq!(
            types(&attempt_events(attempt(), 8, false, true, false)),
            ["message.attempt.exhausted"]
        );
        assert_eq!(
            types(&attempt_events(attempt(), 4, false, true, false)),
            ["message.attempt.failing", "message.attempt.exhausted"]
        );
        assert_eq!(
            types(&attempt_events(attempt(), 5, true, false, false)),
            ["message.attempt.recovered"]
        );
        assert!(attempt_events(attempt(), 4, true, false, false).is_empty());
    }

    #[test]
    fn a_success_after_a_manual_replay_of_a_failing_delivery_is_a_recovery() {
        assert_eq!(
            types(&attempt_events(attempt(), 1, true, false, true)),
            ["message.attempt.recovered"]
        );
        assert_eq!(
            types(&attempt_events(attempt(), 6, true, false, true)),
            ["message.attempt.recovered"],
            "reported once"
        );
        assert!(attempt_events(attempt(), 1, false, false, true).is_empty());
    }

    #[test]
    fn a_finished_task_is_about_no_endpoint_and_follows_the_contract_shape() {
        let event = OperationalEvent::BackgroundTaskFinished(FinishedTask {
            task_id: "qtask_1srOrx2ZWZBpBUvZwXKQmoEYga2".into(),
            task: "endpoint.recover".into(),
            status: "finished".into(),
            data: json!({ "messagesSent": 3 }),
        });
        assert!(event.endpoint().is_none());
        assert!(!event.is_about_operational());
        let body = event.payload();
        assert_eq!(body["type"], "background_task.finished");
        assert_eq!(body["data"]["taskId"], "qtask_1srOrx2ZWZBpBUvZwXKQmoEYga2");
        assert_eq!(body["data"]["task"], "endpoint.recover");
        assert_eq!(body["data"]["status"], "finished");
        assert_eq!(body["data"]["data"]["messagesSent"], 3);
        assert!(OPERATIONAL_EVENT_TYPES.contains(&"background_task.finished"));
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
