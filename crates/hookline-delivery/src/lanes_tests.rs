//! Lane bookkeeping, driven with explicit instants (no clock, no sleeping).

use std::time::{Duration, Instant};

use hookline_core::delivery::{CircuitState, DeliverySettings, EndpointHealth, RATE_LIMITED};
use hookline_core::model::{Delivery, DeliveryStatus, Endpoint, Message};
use hookline_core::{
    AppId, DeliveryId, EndpointId, EndpointUrl, EventTypeName, MessageId, Timestamp,
};
use hookline_store::query::DeliveryJob;

use super::*;
use crate::etiquette::Verdict;

fn job(endpoint: &EndpointId, throttle_rate: Option<u16>) -> DeliveryJob {
    let at = Timestamp::from_millis(0);
    let app = AppId::from_trusted("app_test".into());
    DeliveryJob {
        delivery: Delivery {
            id: DeliveryId::generate(),
            msg_id: MessageId::from_trusted("msg_test".into()),
            endpoint_id: endpoint.clone(),
            app_id: app.clone(),
            status: DeliveryStatus::Sending,
            attempt_count: 0,
            next_attempt_at: None,
            created_at: at,
            updated_at: at,
        },
        message: Message {
            id: MessageId::from_trusted("msg_test".into()),
            app_id: app.clone(),
            event_type: EventTypeName::from_trusted("a".into()),
            event_id: None,
            channels: None,
            payload: Some("{}".into()),
            tags: None,
            payload_expires_at: None,
            created_at: at,
        },
        endpoint: Endpoint {
            id: endpoint.clone(),
            app_id: app,
            uid: None,
            url: EndpointUrl::parse("https://example.com/").expect("valid"),
            description: String::new(),
            event_types: None,
            channels: None,
            disabled: false,
            throttle_rate,
            metadata: Default::default(),
            headers: Default::default(),
            secret: String::new(),
            created_at: at,
            updated_at: at,
        },
        app_throttle_rate: None,
        settings: DeliverySettings::default(),
        event_type_schedule: None,
        health: None,
        forward: None,
    }
}

fn lanes(concurrency: u16) -> Lanes {
    Lanes::new(LaneConfig {
        concurrency,
        ..LaneConfig::default()
    })
}

const TS: Timestamp = Timestamp::from_millis(1_000_000);

#[test]
fn a_full_lane_blocks_its_own_endpoint_only() {
    let (a, b) = (EndpointId::generate(), EndpointId::generate());
    let lanes = lanes(2);
    let t0 = Instant::now();
    for _ in 0..2 {
        assert_eq!(
            lanes.admit(&job(&a, None), t0, TS),
            Admission::Start { probe: false }
        );
    }
    assert_eq!(lanes.admit(&job(&a, None), t0, TS), Admission::Full);
    assert_eq!(
        lanes.admit(&job(&b, None), t0, TS),
        Admission::Start { probe: false }
    );
    // Full, but still claimable: the next claim may fill its waiting room.
    assert_eq!(lanes.blocked(t0), (vec![], 0));
    // Once its room holds enough, the claim skips it, and only it.
    assert!(matches!(
        lanes.place(job(&a, None), t0, TS, true),
        Placed::Waiting
    ));
    assert_eq!(lanes.blocked(t0), (vec![a.clone()], 0));
    // A finished attempt frees a slot: the waiting delivery takes it, and the lane asks for
    // more work.
    lanes.finish(&job(&a, None), Verdict::Delivered, false, t0, TS);
    let next = lanes.take_next(&a, t0, || Some(()));
    assert_eq!(next.started.len(), 1);
    assert!(next.reopened);
    assert!(lanes.blocked(t0).0.is_empty());
}

#[test]
fn a_full_lane_that_finishes_nothing_is_skipped_as_stalled() {
    let a = EndpointId::generate();
    let lanes = lanes(1);
    let t0 = Instant::now();
    assert_eq!(
        lanes.admit(&job(&a, None), t0, TS),
        Admission::Start { probe: false }
    );
    assert!(lanes.blocked(t0 + Duration::from_millis(999)).0.is_empty());
    let stalled = t0 + Duration::from_secs(1);
    assert_eq!(lanes.blocked(stalled), (vec![a.clone()], 0));
    // Its answer at last: claimable again, and the scheduler is told.
    lanes.finish(&job(&a, None), Verdict::Delivered, false, stalled, TS);
    assert!(lanes.take_next(&a, stalled, || Some(())).reopened);
    assert!(lanes.blocked(stalled).0.is_empty());
}

#[test]
fn retry_after_pauses_the_endpoint_and_a_success_clears_it() {
    let a = EndpointId::generate();
    let lanes = lanes(4);
    let t0 = Instant::now();
    lanes.admit(&job(&a, None), t0, TS);
    lanes.admit(&job(&a, None), t0, TS);
    let busy = Verdict::SlowDown {
        retry_after: Some(Duration::from_secs(30)),
        reason: "http_429",
    };
    let effects = lanes.finish(&job(&a, None), busy, false, t0, TS);
    assert_eq!(effects.hold_for, Some(Duration::from_secs(30)));
    let health = effects.health.expect("a pause is persisted");
    assert_eq!(health.reason.as_deref(), Some("http_429"));
    assert_eq!(health.paused_until, Some(TS.plus(Duration::from_secs(30))));
    assert_eq!(health.throttled_since, Some(TS));
    let until = t0 + Duration::from_secs(30);
    assert_eq!(lanes.admit(&job(&a, None), t0, TS), Admission::Defer(until));
    assert_eq!(lanes.blocked(t0), (vec![a.clone()], 1));
    assert_eq!(lanes.next_opening(t0), Some(until));
    // The request still in flight succeeds: the endpoint is healthy again.
    let cleared = lanes.finish(&job(&a, None), Verdict::Delivered, false, t0, TS);
    let health = cleared.health.expect("the recovery is persisted");
    assert_eq!((health.throttled_since, health.paused_until), (None, None));
}

#[test]
fn slow_downs_without_retry_after_double_up_to_the_cap() {
    let a = EndpointId::generate();
    let lanes = Lanes::new(LaneConfig {
        slow_down: Duration::from_secs(5),
        slow_down_max: Duration::from_secs(15),
        ..LaneConfig::default()
    });
    let t0 = Instant::now();
    let timeout = Verdict::SlowDown {
        retry_after: None,
        reason: "timeout",
    };
    let mut pauses = Vec::new();
    let mut now = t0;
    for _ in 0..4 {
        lanes.admit(&job(&a, None), now, TS);
        let effects = lanes.finish(&job(&a, None), timeout, false, now, TS);
        let pause = effects.hold_for.expect("paused");
        pauses.push(pause.as_secs());
        // A straggler answering during the pause neither lengthens nor escalates it.
        lanes.admit(&job(&a, None), now + Duration::from_secs(3600), TS);
        let straggler = lanes.finish(&job(&a, None), timeout, false, now, TS);
        assert_eq!(straggler.health, None);
        assert_eq!(straggler.hold_for, Some(pause));
        now += pause;
    }
    assert_eq!(pauses, vec![5, 10, 15, 15]);
}

#[test]
fn a_retry_after_beyond_the_bound_is_cut_to_it() {
    let a = EndpointId::generate();
    let lanes = lanes(4);
    let t0 = Instant::now();
    lanes.admit(&job(&a, None), t0, TS);
    let asked = Verdict::SlowDown {
        retry_after: Some(Duration::from_secs(86_400)),
        reason: "http_503",
    };
    let effects = lanes.finish(&job(&a, None), asked, false, t0, TS);
    assert_eq!(effects.hold_for, Some(Duration::from_secs(3600)));
}

#[test]
fn rate_limited_deliveries_get_consecutive_turns_across_batches() {
    let a = EndpointId::generate();
    let lanes = lanes(16);
    let t0 = Instant::now();
    let limited = job(&a, Some(10));
    assert_eq!(
        lanes.admit(&limited, t0, TS),
        Admission::Start { probe: false }
    );
    let ms = |n| t0 + Duration::from_millis(n);
    assert_eq!(
        lanes.admit(&limited, t0, TS),
        Admission::RateLimited(ms(100))
    );
    assert_eq!(
        lanes.admit(&limited, t0, TS),
        Admission::RateLimited(ms(200))
    );
    // A later batch continues after the last turn handed out.
    assert_eq!(
        lanes.admit(&limited, ms(10), TS),
        Admission::RateLimited(ms(300))
    );
    let report = lanes.rate_limited_report(&a, t0, TS).expect("a lane");
    assert_eq!(report.reason.as_deref(), Some(RATE_LIMITED));
    assert_eq!(
        report.paused_until,
        Some(TS.plus(Duration::from_millis(300)))
    );
    // Rate-limited endpoints stay claimable: their work is spread, not held.
    assert!(lanes.blocked(t0).0.is_empty());
    assert_eq!(
        lanes.admit(&limited, ms(100), TS),
        Admission::Start { probe: false }
    );
}

#[test]
fn a_pause_stored_before_a_restart_is_honoured_by_a_new_lane() {
    let a = EndpointId::generate();
    let lanes = lanes(4);
    let t0 = Instant::now();
    let mut reloaded = job(&a, None);
    reloaded.health = Some(EndpointHealth {
        endpoint_id: a.clone(),
        circuit: CircuitState::Open,
        throttled_since: Some(TS),
        paused_until: Some(TS.plus(Duration::from_secs(20))),
        reason: Some("circuit_open".into()),
        updated_at: TS,
    });
    let until = t0 + Duration::from_secs(20);
    assert_eq!(lanes.admit(&reloaded, t0, TS), Admission::Defer(until));
    // When the pause ends, exactly one probe goes out.
    assert_eq!(
        lanes.admit(&reloaded, until, TS),
        Admission::Start { probe: true }
    );
    // Everything else waits for the probe's answer.
    assert_eq!(lanes.admit(&reloaded, until, TS), Admission::Full);
    let closed = lanes.finish(&reloaded, Verdict::Delivered, true, until, TS);
    assert_eq!(closed.health.map(|h| h.circuit), Some(CircuitState::Closed));
    assert_eq!(
        lanes.admit(&reloaded, until, TS),
        Admission::Start { probe: false }
    );
}

#[test]
fn an_ordered_endpoint_has_one_request_in_flight() {
    let a = EndpointId::generate();
    let lanes = lanes(16);
    let t0 = Instant::now();
    let mut ordered = job(&a, None);
    ordered.settings.ordered = true;
    assert_eq!(
        lanes.admit(&ordered, t0, TS),
        Admission::Start { probe: false }
    );
    assert_eq!(lanes.admit(&ordered, t0, TS), Admission::Full);
}

#[path = "lanes_waiting_tests.rs"]
mod waiting;
