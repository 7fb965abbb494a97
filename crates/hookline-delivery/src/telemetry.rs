//! Delivery metrics, recorded through the `metrics` facade (the server installs the exporter).
//!
//! | name | kind | labels | meaning |
//! |---|---|---|---|
//! | `hookline_attempts_total` | counter | `outcome` | attempts by verdict |
//! | `hookline_attempt_duration_seconds` | histogram | | request start to captured response |
//! | `hookline_ingest_to_first_delivery_seconds` | histogram | | message accepted to first attempt |
//! | `hookline_deferred_total` | counter | | claimed deliveries handed back to their lane's time |
//! | `hookline_lanes_paused` | gauge | | endpoints held back (circuit open or slow-down) |
//! | `hookline_queue_due` | gauge | | deliveries due now (sampled) |
//! | `hookline_queue_scheduled` | gauge | | deliveries scheduled later (sampled) |

use std::time::Duration;

use hookline_store::query::QueueDepth;

use crate::etiquette::Verdict;

/// The `outcome` label of an attempt.
pub fn outcome_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Delivered => "success",
        Verdict::Gone => "gone",
        Verdict::SlowDown { .. } => "slow_down",
        Verdict::Failed => "failure",
    }
}

/// Records one finished attempt.
pub fn attempt(verdict: Verdict, duration: Duration, first_after_ingest: Option<Duration>) {
    metrics::counter!("hookline_attempts_total", "outcome" => outcome_label(verdict)).increment(1);
    metrics::histogram!("hookline_attempt_duration_seconds").record(duration.as_secs_f64());
    if let Some(waited) = first_after_ingest {
        metrics::histogram!("hookline_ingest_to_first_delivery_seconds")
            .record(waited.as_secs_f64());
    }
}

/// Records deliveries handed back unattempted.
pub fn deferred(count: usize) {
    metrics::counter!("hookline_deferred_total").increment(count as u64);
}

/// Records how many lanes are held back.
pub fn lanes_paused(count: usize) {
    metrics::gauge!("hookline_lanes_paused").set(count as f64);
}

/// Records a queue sample.
pub fn queue(depth: QueueDepth) {
    metrics::gauge!("hookline_queue_due").set(depth.due as f64);
    metrics::gauge!("hookline_queue_scheduled").set(depth.scheduled as f64);
}
