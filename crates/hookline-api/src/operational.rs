//! The one place the API emits operational webhooks (`endpoint.created/updated/deleted/
//! enabled/disabled`), each handler calling one function after its change is committed.
//!
//! Emission never fails the request: the change is already stored, so a failure to plan the
//! event is logged and counted. Attempt events (`message.attempt.*`) and automatic disabling
//! are emitted by the store in the transaction that records them, not here.

use hookline_core::model::{Application, Endpoint};
use hookline_core::operational::{DisableTrigger, EndpointRef, OperationalEvent};

use crate::state::AppState;

fn endpoint_ref(app: &Application, endpoint: &Endpoint) -> EndpointRef {
    EndpointRef {
        app_id: app.id.clone(),
        app_uid: app.uid.clone(),
        endpoint_id: endpoint.id.clone(),
        endpoint_uid: endpoint.uid.clone(),
    }
}

async fn emit(state: &AppState, events: Vec<OperationalEvent>) {
    let types: Vec<String> = events.iter().map(|e| e.event_type().to_string()).collect();
    match state.store.emit_operational(events).await {
        Ok(0) => {}
        Ok(stored) => {
            metrics::counter!("hookline_operational_events_total").increment(stored as u64);
            state.waker.wake();
        }
        Err(err) => {
            metrics::counter!("hookline_operational_events_failed_total").increment(1);
            tracing::warn!(error = %err, ?types, "could not plan operational webhooks");
        }
    }
}

/// `endpoint.created`.
pub(crate) async fn endpoint_created(state: &AppState, app: &Application, endpoint: &Endpoint) {
    let at = endpoint_ref(app, endpoint);
    emit(state, vec![OperationalEvent::EndpointCreated(at)]).await;
}

/// `endpoint.updated`, plus `endpoint.disabled` (manual) or `endpoint.enabled` when the change
/// flipped `disabled`.
pub(crate) async fn endpoint_updated(
    state: &AppState,
    app: &Application,
    before: &Endpoint,
    after: &Endpoint,
) {
    let at = endpoint_ref(app, after);
    let mut events = vec![OperationalEvent::EndpointUpdated(at.clone())];
    match (before.disabled, after.disabled) {
        (false, true) => events.push(OperationalEvent::EndpointDisabled {
            endpoint: at,
            trigger: DisableTrigger::Manual,
            fail_since: None,
        }),
        (true, false) => events.push(OperationalEvent::EndpointEnabled(at)),
        _ => {}
    }
    emit(state, events).await;
}

/// `endpoint.deleted`.
pub(crate) async fn endpoint_deleted(state: &AppState, app: &Application, endpoint: &Endpoint) {
    let at = endpoint_ref(app, endpoint);
    emit(state, vec![OperationalEvent::EndpointDeleted(at)]).await;
}
