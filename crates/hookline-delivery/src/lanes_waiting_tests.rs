//! Waiting rooms, driven with explicit instants (no clock, no sleeping).

use std::time::{Duration, Instant};

use hookline_core::EndpointId;

use super::{TS, job, lanes};
use crate::etiquette::Verdict;
use crate::lanes::{Admission, LaneConfig, Lanes, Placed, WaitLimits};

fn fill(lanes: &Lanes, a: &EndpointId, t0: Instant) {
    while lanes.admit(&job(a, None), t0, TS) != Admission::Full {}
}

#[test]
fn waiting_deliveries_start_in_claim_order_as_slots_free() {
    let a = EndpointId::generate();
    let lanes = lanes(1);
    let t0 = Instant::now();
    fill(&lanes, &a, t0);
    let first = job(&a, None);
    let first_id = first.delivery.id.clone();
    assert!(matches!(lanes.place(first, t0, TS, true), Placed::Waiting));
    // Without a global slot nothing starts, and the lane says it is starved.
    lanes.finish(&job(&a, None), Verdict::Delivered, false, t0, TS);
    let starved = lanes.take_next(&a, t0, || None::<()>);
    assert!(starved.started.is_empty());
    assert!(starved.starved);
    let next = lanes.take_next(&a, t0, || Some(()));
    let started: Vec<_> = next.started.iter().map(|(j, ..)| &j.delivery.id).collect();
    assert_eq!(started, vec![&first_id]);
    assert_eq!(lanes.waiting(), 0);
}

#[test]
fn a_new_delivery_queues_behind_those_already_waiting() {
    let a = EndpointId::generate();
    let lanes = lanes(2);
    let t0 = Instant::now();
    fill(&lanes, &a, t0);
    assert!(matches!(
        lanes.place(job(&a, None), t0, TS, true),
        Placed::Waiting
    ));
    // A slot frees but nobody has started the waiting one yet: the newcomer does not jump it.
    lanes.finish(&job(&a, None), Verdict::Delivered, false, t0, TS);
    assert!(matches!(
        lanes.place(job(&a, None), t0, TS, true),
        Placed::Waiting
    ));
    assert_eq!(lanes.waiting(), 2);
}

#[test]
fn a_full_room_overflows_back_to_the_store() {
    let a = EndpointId::generate();
    let lanes = lanes(2);
    let t0 = Instant::now();
    fill(&lanes, &a, t0);
    // Before the lane has a pace, its room holds one round of its concurrency.
    for _ in 0..2 {
        assert!(matches!(
            lanes.place(job(&a, None), t0, TS, true),
            Placed::Waiting
        ));
    }
    assert!(matches!(
        lanes.place(job(&a, None), t0, TS, true),
        Placed::Overflow(_)
    ));
}

#[test]
fn all_rooms_together_hold_at_most_the_total() {
    let lanes = Lanes::with_limits(
        LaneConfig {
            concurrency: 4,
            ..LaneConfig::default()
        },
        WaitLimits {
            total: 3,
            max_wait: Duration::from_secs(5),
        },
    );
    let t0 = Instant::now();
    let (a, b) = (EndpointId::generate(), EndpointId::generate());
    fill(&lanes, &a, t0);
    fill(&lanes, &b, t0);
    for endpoint in [&a, &a, &b] {
        assert!(matches!(
            lanes.place(job(endpoint, None), t0, TS, true),
            Placed::Waiting
        ));
    }
    assert!(matches!(
        lanes.place(job(&b, None), t0, TS, true),
        Placed::Overflow(_)
    ));
}

#[test]
fn a_fast_lane_gets_a_larger_room() {
    let a = EndpointId::generate();
    let lanes = lanes(2);
    let t0 = Instant::now();
    // 200 attempts over a second: a pace of about 200/s, so a quarter second is about 50.
    let mut now = t0;
    for _ in 0..200 {
        lanes.admit(&job(&a, None), now, TS);
        now += Duration::from_millis(5);
        lanes.finish(&job(&a, None), Verdict::Delivered, false, now, TS);
    }
    fill(&lanes, &a, now);
    let mut waiting = 0;
    while matches!(lanes.place(job(&a, None), now, TS, true), Placed::Waiting) {
        waiting += 1;
    }
    assert!((40..=60).contains(&waiting), "{waiting}");
}

#[test]
fn a_delivery_waiting_too_long_goes_back_to_the_store() {
    let a = EndpointId::generate();
    let lanes = lanes(1);
    let t0 = Instant::now();
    fill(&lanes, &a, t0);
    assert!(matches!(
        lanes.place(job(&a, None), t0, TS, true),
        Placed::Waiting
    ));
    let swept = lanes.sweep(t0, || Some(()));
    let deadline = t0 + WaitLimits::default().max_wait;
    assert_eq!(swept.deadline, Some(deadline));
    let swept = lanes.sweep(deadline, || Some(()));
    assert!(swept.started.is_empty());
    assert_eq!(swept.handed_back.len(), 1);
    assert_eq!(swept.handed_back[0].1, deadline);
    assert_eq!(lanes.waiting(), 0);
}

#[test]
fn a_pause_sends_the_whole_room_back_until_it_ends() {
    let a = EndpointId::generate();
    let lanes = lanes(1);
    let t0 = Instant::now();
    fill(&lanes, &a, t0);
    assert!(matches!(
        lanes.place(job(&a, None), t0, TS, true),
        Placed::Waiting
    ));
    let busy = Verdict::SlowDown {
        retry_after: Some(Duration::from_secs(30)),
        reason: "http_429",
    };
    lanes.finish(&job(&a, None), busy, false, t0, TS);
    // The attempt that ended leaves the hand-back to the scheduler's sweep...
    let next = lanes.take_next(&a, t0, || Some(()));
    assert!(next.started.is_empty() && next.handed_back.is_empty());
    assert_eq!(next.deadline, Some(t0));
    // ...which sends the room back, due when the pause ends.
    let swept = lanes.sweep(t0, || Some(()));
    assert_eq!(swept.handed_back.len(), 1);
    assert_eq!(swept.handed_back[0].1, t0 + Duration::from_secs(30));
    // Claimed deliveries of a paused lane go straight back too.
    assert!(matches!(
        lanes.place(job(&a, None), t0, TS, true),
        Placed::HandBack {
            rate_limited: false,
            ..
        }
    ));
}

#[test]
fn shutdown_empties_every_room() {
    let (a, b) = (EndpointId::generate(), EndpointId::generate());
    let lanes = lanes(1);
    let t0 = Instant::now();
    fill(&lanes, &a, t0);
    fill(&lanes, &b, t0);
    lanes.place(job(&a, None), t0, TS, true);
    lanes.place(job(&b, None), t0, TS, true);
    assert_eq!(lanes.drain_all().len(), 2);
    assert_eq!(lanes.waiting(), 0);
}
