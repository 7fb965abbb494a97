//! Percentiles and the markdown table.

use std::fmt::Write;
use std::time::Duration;

/// One row of the results table.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    /// Scenario name.
    pub(crate) scenario: String,
    /// What was done, e.g. "20000 msgs x 4 endpoints".
    pub(crate) work: String,
    /// Operations per second (messages for ingest, deliveries otherwise).
    pub(crate) throughput: f64,
    /// Unit of `throughput`.
    pub(crate) unit: &'static str,
    /// Latency percentiles p50/p95/p99 when measured.
    pub(crate) latency: Option<[Duration; 3]>,
    /// Peak RSS of the hookline process, MiB.
    pub(crate) peak_rss_mib: f64,
    /// CPU seconds of the hookline process per 1,000 operations.
    pub cpu_per_1k: f64,
    /// Free-form remarks (signature checks, errors).
    pub(crate) notes: String,
}

/// p50, p95 and p99 of `samples` (sorted in place); zeros when empty.
pub(crate) fn percentiles(samples: &mut [Duration]) -> [Duration; 3] {
    samples.sort_unstable();
    let at = |q: f64| {
        if samples.is_empty() {
            return Duration::ZERO;
        }
        let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[index]
    };
    [at(0.50), at(0.95), at(0.99)]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// The table, with each throughput also as a fraction of `baseline` (requests/s of a bare
/// hyper client against the same receiver).
pub(crate) fn markdown(rows: &[Row], baseline: Option<f64>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| Scenario | Work | Throughput | vs bare hyper | p50 ms | p95 ms | p99 ms | Peak RSS MiB | CPU s / 1k | Notes |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let fraction = match baseline {
            Some(b) if b > 0.0 && row.unit == "deliveries/s" => {
                format!("{:.0}%", 100.0 * row.throughput / b)
            }
            _ => "-".to_owned(),
        };
        let (p50, p95, p99) = match row.latency {
            Some([a, b, c]) => (ms(a), ms(b), ms(c)),
            None => ("-".into(), "-".into(), "-".into()),
        };
        let (rss, cpu) = if row.peak_rss_mib > 0.0 {
            (
                format!("{:.0}", row.peak_rss_mib),
                format!("{:.3}", row.cpu_per_1k),
            )
        } else {
            ("-".to_owned(), "-".to_owned())
        };
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} {} | {} | {} | {} | {} | {} | {} | {} |",
            row.scenario,
            row.work,
            row.throughput,
            row.unit,
            fraction,
            p50,
            p95,
            p99,
            rss,
            cpu,
            row.notes
        );
    }
    out
}
