//! Delivery metrics, recorded through the `metrics` facade (the server installs the exporter).
//!
//! | name | kind | labels | meaning |
//! |---|---|---|---|
//! | `hookline_attempts_total` | counter | `outcome` | attempts by verdict |
//! | `hookline_attempt_duration_seconds` | histogram | | request start to captured response |
//! | `hookline_ingest_to_first_delivery_seconds` | histogram | | message accepted to first attempt |
//! | `hookline_deferred_total` | counter | | claimed deliveries handed back to their lane's time |
//! | `hookline_lanes_paused` | gauge | `environment` | endpoints held back (circuit open or slow-down) |
//! | `hookline_queue_due` | gauge | `environment` | deliveries due now (sampled) |
//! | `hookline_queue_scheduled` | gauge | `environment` | deliveries scheduled later (sampled) |

use std::sync::Arc;
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

/// Records how many lanes of `environment`'s engine are held back.
pub fn lanes_paused(environment: &Arc<str>, count: usize) {
    metrics::gauge!("hookline_lanes_paused", "environment" => label(environment)).set(count as f64);
}

/// Records a queue sample of `environment`.
pub fn queue(environment: &Arc<str>, depth: QueueDepth) {
    metrics::gauge!("hookline_queue_due", "environment" => label(environment))
        .set(depth.due as f64);
    metrics::gauge!("hookline_queue_scheduled", "environment" => label(environment))
        .set(depth.scheduled as f64);
}

/// Zeroes `environment`'s queue and lane gauges when its engine stops, so a deleted
/// environment's last backlog does not stay on a dashboard (or keep an alert firing).
pub fn stopped(environment: &Arc<str>) {
    lanes_paused(environment, 0);
    queue(
        environment,
        QueueDepth {
            due: 0,
            scheduled: 0,
        },
    );
}

/// A label value borrowed from a shared string (one allocation per sample, not per engine).
fn label(environment: &Arc<str>) -> metrics::SharedString {
    metrics::SharedString::from(Arc::clone(environment))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use metrics::{
        Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata,
        Recorder, SharedString, Unit,
    };

    use super::*;

    /// Every value recorded, as `name{label=value}` and the value.
    #[derive(Debug, Default, Clone)]
    struct Seen(Arc<Mutex<Vec<(String, f64)>>>);

    #[derive(Debug)]
    struct Handle(String, Seen);

    impl Handle {
        fn push(&self, value: f64) {
            let mut seen = self.1.0.lock().expect("lock");
            seen.push((self.0.clone(), value));
        }
    }

    impl CounterFn for Handle {
        fn increment(&self, value: u64) {
            self.push(value as f64);
        }
        fn absolute(&self, value: u64) {
            self.push(value as f64);
        }
    }

    impl GaugeFn for Handle {
        fn increment(&self, value: f64) {
            self.push(value);
        }
        fn decrement(&self, value: f64) {
            self.push(-value);
        }
        fn set(&self, value: f64) {
            self.push(value);
        }
    }

    impl HistogramFn for Handle {
        fn record(&self, value: f64) {
            self.push(value);
        }
    }

    impl Seen {
        fn handle(&self, key: &Key) -> Arc<Handle> {
            let labels: Vec<String> = key
                .labels()
                .map(|l| format!("{}={}", l.key(), l.value()))
                .collect();
            let name = if labels.is_empty() {
                key.name().to_owned()
            } else {
                format!("{}{{{}}}", key.name(), labels.join(","))
            };
            Arc::new(Handle(name, self.clone()))
        }
    }

    impl Recorder for Seen {
        fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
        fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
            Counter::from_arc(self.handle(key))
        }
        fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
            Gauge::from_arc(self.handle(key))
        }
        fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
            Histogram::from_arc(self.handle(key))
        }
    }

    #[test]
    fn attempts_lanes_and_queues_are_recorded_under_their_documented_names() {
        let seen = Seen::default();
        metrics::with_local_recorder(&seen, || {
            attempt(
                Verdict::Delivered,
                Duration::from_millis(250),
                Some(Duration::from_secs(2)),
            );
            let busy = Verdict::SlowDown {
                retry_after: None,
                reason: "http_429",
            };
            attempt(busy, Duration::from_millis(10), None);
            deferred(3);
            lanes_paused(&Arc::from("default"), 2);
            queue(
                &Arc::from("env_staging"),
                QueueDepth {
                    due: 7,
                    scheduled: 40,
                },
            );
            stopped(&Arc::from("env_staging"));
        });
        let recorded = seen.0.lock().expect("lock").clone();
        let expected = [
            ("hookline_attempts_total{outcome=success}", 1.0),
            ("hookline_attempt_duration_seconds", 0.25),
            ("hookline_ingest_to_first_delivery_seconds", 2.0),
            ("hookline_attempts_total{outcome=slow_down}", 1.0),
            ("hookline_attempt_duration_seconds", 0.01),
            ("hookline_deferred_total", 3.0),
            ("hookline_lanes_paused{environment=default}", 2.0),
            ("hookline_queue_due{environment=env_staging}", 7.0),
            ("hookline_queue_scheduled{environment=env_staging}", 40.0),
            ("hookline_lanes_paused{environment=env_staging}", 0.0),
            ("hookline_queue_due{environment=env_staging}", 0.0),
            ("hookline_queue_scheduled{environment=env_staging}", 0.0),
        ];
        let expected: Vec<(String, f64)> = expected
            .iter()
            .map(|(n, v)| ((*n).to_owned(), *v))
            .collect();
        assert_eq!(recorded, expected);
    }
}
