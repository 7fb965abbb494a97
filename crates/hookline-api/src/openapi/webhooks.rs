//! The operational webhooks Hookline sends about itself (endpoint changes, failing deliveries,
//! finished background tasks), described in the document's `webhooks` section with the
//! contract's shapes.

#![allow(dead_code)]

use serde_json::{Value, json};
use utoipa::ToSchema;

/// `data` of the `endpoint.*` events.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointEventData {
    /// The application's id.
    app_id: String,
    /// The application's uid, if it has one.
    app_uid: Option<String>,
    /// The endpoint's id.
    endpoint_id: String,
    /// The endpoint's uid, if it has one.
    endpoint_uid: Option<String>,
}

/// `data` of `endpoint.disabled`.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointDisabledEventData {
    /// The application's id.
    app_id: String,
    /// The application's uid, if it has one.
    app_uid: Option<String>,
    /// The endpoint's id.
    endpoint_id: String,
    /// The endpoint's uid, if it has one.
    endpoint_uid: Option<String>,
    /// Since when deliveries to it have been failing.
    #[schema(format = DateTime)]
    fail_since: Option<String>,
    /// `automatic` (after continuous failures) or `manual`.
    trigger: Option<String>,
}

/// The last attempt mentioned by `message.attempt.*` events.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageAttemptLastAttempt {
    /// The attempt's id.
    id: String,
    /// The HTTP status it got (0 when no response arrived).
    response_status_code: u16,
    /// When it was made.
    #[schema(format = DateTime)]
    timestamp: String,
}

/// `data` of the `message.attempt.*` events.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageAttemptEventData {
    /// The application's id.
    app_id: String,
    /// The application's uid, if it has one.
    app_uid: Option<String>,
    /// The message's id.
    msg_id: String,
    /// The message's `eventId`, if it has one.
    msg_event_id: Option<String>,
    /// The endpoint's id.
    endpoint_id: String,
    /// The attempt that triggered the event.
    last_attempt: MessageAttemptLastAttempt,
}

/// `data` of `background_task.finished`.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackgroundTaskFinishedEventData {
    /// The task's id (`qtask_...`).
    task_id: String,
    /// The task type (`endpoint.recover`, `endpoint.replay`, `endpoint.bulk-replay`).
    task: String,
    /// How it ended: `finished`, or `failed` when an error stopped it.
    status: String,
    /// Its result, as `GET /api/v1/background-task/{task_id}` shows it (`{"messagesSent": n}`).
    #[schema(value_type = Object)]
    data: Value,
}

macro_rules! event {
    ($name:ident, $data:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, ToSchema)]
        pub struct $name {
            /// The event type.
            #[serde(rename = "type")]
            kind: String,
            /// What it is about.
            data: $data,
        }
    };
}

event!(
    EndpointCreatedEvent,
    EndpointEventData,
    "`endpoint.created`."
);
event!(
    EndpointUpdatedEvent,
    EndpointEventData,
    "`endpoint.updated`."
);
event!(
    EndpointDeletedEvent,
    EndpointEventData,
    "`endpoint.deleted`."
);
event!(
    EndpointEnabledEvent,
    EndpointEventData,
    "`endpoint.enabled`."
);
event!(
    EndpointDisabledEvent,
    EndpointDisabledEventData,
    "`endpoint.disabled`."
);
event!(
    MessageAttemptFailingEvent,
    MessageAttemptEventData,
    "`message.attempt.failing`."
);
event!(
    MessageAttemptExhaustedEvent,
    MessageAttemptEventData,
    "`message.attempt.exhausted`."
);
event!(
    MessageAttemptRecoveredEvent,
    MessageAttemptEventData,
    "`message.attempt.recovered`."
);

event!(
    BackgroundTaskFinishedEvent,
    BackgroundTaskFinishedEventData,
    "`background_task.finished`."
);

/// Event name, schema component and description of every operational webhook.
pub const EVENTS: &[(&str, &str, &str)] = &[
    (
        "endpoint.created",
        "EndpointCreatedEvent",
        "Sent when an endpoint is created.",
    ),
    (
        "endpoint.updated",
        "EndpointUpdatedEvent",
        "Sent when an endpoint is updated.",
    ),
    (
        "endpoint.deleted",
        "EndpointDeletedEvent",
        "Sent when an endpoint is deleted.",
    ),
    (
        "endpoint.enabled",
        "EndpointEnabledEvent",
        "Sent when an endpoint has been enabled.",
    ),
    (
        "endpoint.disabled",
        "EndpointDisabledEvent",
        "Sent when an endpoint has been disabled, automatically after continuous failures or \
         through the API.",
    ),
    (
        "message.attempt.failing",
        "MessageAttemptFailingEvent",
        "Sent when a message has failed several attempts in a row and is still being retried.",
    ),
    (
        "message.attempt.exhausted",
        "MessageAttemptExhaustedEvent",
        "Sent when a message delivery has failed and every retry has been used.",
    ),
    (
        "message.attempt.recovered",
        "MessageAttemptRecoveredEvent",
        "Sent on a successful delivery after a failure event was sent, also when the \
         successful attempt is a manual one (resend, recover, replay).",
    ),
    (
        "background_task.finished",
        "BackgroundTaskFinishedEvent",
        "Sent when a background task (recover, replay, bulk replay) has finished or failed.",
    ),
];

fn example(event: &str) -> Value {
    if event == "background_task.finished" {
        return json!({
            "type": event,
            "data": {
                "taskId": "qtask_1srOrx2ZWZBpBUvZwXKQmoEYga2",
                "task": "endpoint.recover",
                "status": "finished",
                "data": { "messagesSent": 3 },
            },
        });
    }
    let ids = json!({
        "appId": "app_1srOrx2ZWZBpBUvZwXKQmoEYga2",
        "appUid": "unique-app-identifier",
    });
    let mut data = ids.as_object().cloned().unwrap_or_default();
    if event.starts_with("endpoint.") {
        data.insert("endpointId".into(), json!("ep_1srOrx2ZWZBpBUvZwXKQmoEYga2"));
        data.insert("endpointUid".into(), json!("unique-endpoint-identifier"));
        if event == "endpoint.disabled" {
            data.insert("failSince".into(), json!("2022-11-06T15:04:05Z"));
            data.insert("trigger".into(), json!("automatic"));
        }
    } else {
        let status = if event == "message.attempt.recovered" {
            200
        } else {
            500
        };
        data.insert("msgId".into(), json!("msg_1srOrx2ZWZBpBUvZwXKQmoEYga2"));
        data.insert("msgEventId".into(), json!("unique-msg-identifier"));
        data.insert("endpointId".into(), json!("ep_1srOrx2ZWZBpBUvZwXKQmoEYga2"));
        data.insert(
            "lastAttempt".into(),
            json!({
                "id": "atmpt_1srOrx2ZWZBpBUvZwXKQmoEYga2",
                "responseStatusCode": status,
                "timestamp": "2022-11-06T15:04:05Z",
            }),
        );
    }
    json!({ "type": event, "data": data })
}

/// The OpenAPI 3.1 `webhooks` object.
pub fn section() -> Value {
    let mut webhooks = serde_json::Map::new();
    for (event, schema, description) in EVENTS {
        webhooks.insert(
            (*event).to_owned(),
            json!({
                "post": {
                    "tags": ["Webhook"],
                    "summary": event,
                    "description": description,
                    "operationId": event,
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": { "$ref": format!("#/components/schemas/{schema}") },
                                "example": example(event),
                            }
                        }
                    },
                    "responses": {
                        "2XX": {
                            "description": "Return any 2XX status to indicate that the data was received successfully"
                        }
                    }
                }
            }),
        );
    }
    Value::Object(webhooks)
}
