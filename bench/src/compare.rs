//! A/B runs: two builds, each scenario run by each in turn, round after round, so that both
//! see the same machine (a virtual machine's speed drifts by ±15 % within minutes; one run of
//! each, minutes apart, compares the machine more than the builds).

use std::fmt::Write;

use crate::report::Row;

/// One scenario's rows for build A and build B, one per round each.
#[derive(Debug, Default)]
pub(crate) struct Pairs {
    pub(crate) scenario: String,
    pub(crate) a: Vec<Row>,
    pub(crate) b: Vec<Row>,
}

/// The median of `values` (the mean of the middle two for an even count); 0 when empty.
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// `+5.2 %`: B's median against A's.
fn change(a: f64, b: f64) -> String {
    if a == 0.0 {
        return "-".to_owned();
    }
    format!("{:+.1} %", 100.0 * (b - a) / a)
}

/// `19,957 (19,008 / 20,371 / 20,462)`: the median, then every round's value.
fn spread(values: &[f64], decimals: usize) -> String {
    let all: Vec<String> = values.iter().map(|v| format!("{v:.decimals$}")).collect();
    format!("{:.decimals$} ({})", median(values), all.join(" / "))
}

/// The comparison table: per scenario, throughput and CPU seconds per 1,000 operations of A and
/// B (median, then each round), and B's change against A.
pub(crate) fn markdown(pairs: &[Pairs], a_name: &str, b_name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| Scenario | Throughput A ({a_name}) | Throughput B ({b_name}) | Change | CPU s / 1k A | CPU s / 1k B | Change |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for pair in pairs {
        let pick = |rows: &[Row], f: fn(&Row) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
        let (ta, tb) = (
            pick(&pair.a, |r| r.throughput),
            pick(&pair.b, |r| r.throughput),
        );
        let (ca, cb) = (
            pick(&pair.a, |r| r.cpu_per_1k),
            pick(&pair.b, |r| r.cpu_per_1k),
        );
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            pair.scenario,
            spread(&ta, 0),
            spread(&tb, 0),
            change(median(&ta), median(&tb)),
            spread(&ca, 3),
            spread(&cb, 3),
            change(median(&ca), median(&cb)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(throughput: f64, cpu_per_1k: f64) -> Row {
        Row {
            throughput,
            cpu_per_1k,
            ..Row::default()
        }
    }

    #[test]
    fn the_median_takes_the_middle_and_ignores_failed_runs() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[f64::NAN, 5.0]), 5.0);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn the_table_shows_medians_every_round_and_the_change() {
        let pairs = [Pairs {
            scenario: "end to end".into(),
            a: vec![row(100.0, 0.1), row(120.0, 0.1), row(110.0, 0.1)],
            b: vec![row(121.0, 0.09), row(119.0, 0.09), row(140.0, 0.09)],
        }];
        let table = markdown(&pairs, "old", "new");
        assert!(table.contains("Throughput A (old)"), "{table}");
        assert!(
            table.contains(
                "| end to end | 110 (100 / 120 / 110) | 121 (121 / 119 / 140) | +10.0 % |"
            ),
            "{table}"
        );
        assert!(table.contains("| -10.0 % |"), "{table}");
    }
}
