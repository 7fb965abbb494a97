//! The process's Prometheus recorder.
//!
//! The `metrics` facade has one recorder per process, so every server started in this process
//! (tests start many) records into the same registry and `/metrics` shows the process's totals.
//! It is installed on the first [`prometheus`] call; when another recorder was installed first,
//! `/metrics` is not served and a warning is logged.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Buckets (seconds) of every `*_seconds` histogram: 1 ms to 10 minutes.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
    300.0, 600.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's Prometheus registry, installing it as the `metrics` recorder on first use.
pub fn prometheus() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), SECONDS_BUCKETS);
            let installed = builder.and_then(|b| b.install_recorder());
            match installed {
                Ok(handle) => {
                    spawn_upkeep(handle.clone());
                    Some(handle)
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cannot install the Prometheus recorder; /metrics is off");
                    None
                }
            }
        })
        .clone()
}

/// Drains histogram samples into their buckets now and then, so memory stays flat between
/// scrapes.
fn spawn_upkeep(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new()
        .name("hookline-metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(5));
                handle.run_upkeep();
            }
        });
    if let Err(err) = spawned {
        tracing::warn!(error = %err, "cannot start the metrics upkeep thread");
    }
}
