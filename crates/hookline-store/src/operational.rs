//! Storage of operational webhooks: Hookline's own events become messages of the internal
//! `operational` application, planned for its endpoints like any message.

use async_trait::async_trait;
use hookline_core::Uid;
use hookline_core::model::DeliveryStatus;
use hookline_core::operational::{
    AttemptRef, DisableTrigger, EndpointRef, FAILING_AFTER_ATTEMPT, OperationalEvent,
    attempt_events, operational_app_id, reports_recovery,
};

use crate::StoreResult;
use crate::query::AttemptRecord;

/// What one recorded attempt means for operational webhooks, before any lookup: both backends
/// decide with it, then read the endpoint and the message's event id only when it matters.
pub(crate) struct AttemptOutcome<'a> {
    record: &'a AttemptRecord,
    succeeded: bool,
    exhausted: bool,
    just_disabled: bool,
}

impl<'a> AttemptOutcome<'a> {
    /// `None` for attempts to operational endpoints (they never report on themselves).
    pub(crate) fn of(record: &'a AttemptRecord, just_disabled: bool) -> Option<Self> {
        let a = &record.attempt;
        if a.app_id.as_str() == operational_app_id().as_str() {
            return None;
        }
        let succeeded = a.status == DeliveryStatus::Success;
        Some(Self {
            record,
            succeeded,
            exhausted: !succeeded && record.delivery_status == DeliveryStatus::Fail,
            just_disabled,
        })
    }

    /// Whether a recovery report depends on the delivery's "failing was sent" flag (a success
    /// early in a fresh schedule), so the flag must be read.
    pub(crate) fn needs_failing_flag(&self) -> bool {
        self.succeeded && !reports_recovery(self.record.attempt.attempt_number, false)
    }

    /// Whether any event follows, given the delivery's flag.
    pub(crate) fn causes_events(&self, failing_sent: bool) -> bool {
        let number = self.record.attempt.attempt_number;
        self.just_disabled
            || self.exhausted
            || (self.succeeded && reports_recovery(number, failing_sent))
            || (!self.succeeded && number == FAILING_AFTER_ATTEMPT)
    }

    /// The events, with the endpoint and the message's event id looked up.
    pub(crate) fn events(
        &self,
        endpoint: EndpointRef,
        msg_event_id: Option<Uid>,
        failing_sent: bool,
    ) -> Vec<OperationalEvent> {
        let a = &self.record.attempt;
        let attempt = AttemptRef {
            endpoint: endpoint.clone(),
            msg_id: a.msg_id.clone(),
            msg_event_id,
            attempt_id: a.id.clone(),
            timestamp: a.created_at,
            response_status_code: i64::from(a.response_status_code),
        };
        let mut events = attempt_events(
            attempt,
            a.attempt_number,
            self.succeeded,
            self.exhausted,
            failing_sent,
        );
        if self.just_disabled {
            events.push(OperationalEvent::EndpointDisabled {
                endpoint,
                trigger: DisableTrigger::Automatic,
                fail_since: None,
            });
        }
        events
    }
}

/// Emits operational events. Events caused by recorded attempts, auto-disabling or a background
/// task's end are emitted in the same transaction by those methods; this trait serves the API's
/// endpoint changes.
#[async_trait]
pub trait OperationalStore: Send + Sync {
    /// Stores each event as a message of the operational application, with one delivery per
    /// enabled operational endpoint that receives its type, in one transaction. Events about
    /// operational endpoints themselves and events no endpoint receives store nothing. Returns
    /// how many messages were stored (0 costs one indexed lookup when no operational endpoint
    /// exists).
    async fn emit_operational(&self, events: Vec<OperationalEvent>) -> StoreResult<usize>;
}
