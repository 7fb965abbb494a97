//! # hookline-bench
//!
//! Measures Hookline the way users judge it: messages accepted per second, deliveries completed
//! per second, latency from `2xx` to arrival, fan-out, isolation from a hanging endpoint, and a
//! large backlog drained, each with peak RSS and CPU seconds per 1,000 operations. A bare hyper
//! client against the same receiver gives the physical limit of the machine in the same run.
//!
//! Everything runs on 127.0.0.1 and is bounded in count and time. Run it with `bench/run`
//! (see `bench/README.md`).

mod baseline;
mod compare;
mod hookline;
mod load;
mod process;
mod receiver;
mod report;
mod scenarios;

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use hookline_signature::SigningSecret;

use crate::hookline::Launch;
use crate::report::Row;
use crate::scenarios::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    Ingest,
    EndToEnd,
    Latency,
    FanOut,
    Isolation,
    Backlog,
}

/// Benchmarks a release `hookline` on this machine.
#[derive(Debug, Parser)]
struct Args {
    /// Scenarios to run (default: all, in order).
    #[arg(long, value_enum, value_delimiter = ',')]
    scenario: Vec<Scenario>,
    /// Multiplies every message count; 0.1 gives a quick smoke run.
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Concurrent POST loops for the saturating scenarios.
    #[arg(long, default_value_t = 64)]
    workers: usize,
    /// Endpoints per application in the end-to-end scenario.
    #[arg(long, default_value_t = 4)]
    endpoints: usize,
    /// Rate of the latency scenario, messages per second.
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// The hookline binary (default: next to this one).
    #[arg(long)]
    hookline: Option<PathBuf>,
    /// Benchmark the PostgreSQL backend at this URL instead of SQLite.
    #[arg(long, env = "HOOKLINE_BENCH_DATABASE_URL")]
    database_url: Option<String>,
    /// Also write the markdown table to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// A/B mode: a second hookline binary (B) to compare with the first (A, `--hookline`);
    /// each scenario runs with both, `--rounds` times (A first in odd rounds, B first in even
    /// ones), and a table of medians is printed.
    #[arg(long)]
    compare: Option<PathBuf>,
    /// Rounds of an A/B comparison.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let binary = match args.hookline.clone() {
        Some(path) => path,
        None => hookline::default_binary()?,
    };
    let settings = Settings {
        launch: Launch {
            binary,
            database_url: args.database_url.clone(),
            request_timeout: 15,
        },
        scale: args.scale,
        workers: args.workers,
    };
    let scenarios = if args.scenario.is_empty() {
        Scenario::value_variants().to_vec()
    } else {
        args.scenario.clone()
    };

    eprintln!("machine: {}", machine());
    if let Some(other) = args.compare.clone() {
        return compare_builds(&args, settings, other, &scenarios).await;
    }
    let baseline_receiver = receiver::Receiver::start(SigningSecret::generate()).await?;
    let requests = ((100_000.0 * args.scale) as u64).max(1_000);
    let baseline = baseline::bare_hyper(&baseline_receiver, requests, args.workers).await?;
    eprintln!("bare hyper baseline: {baseline:.0} requests/s");
    let mut rows = vec![Row {
        scenario: "baseline: bare hyper client".into(),
        work: format!("{requests} requests, {} clients", args.workers),
        throughput: baseline,
        unit: "deliveries/s",
        notes: "no storage, no signing: the machine's limit".into(),
        ..Row::default()
    }];
    for scenario in scenarios {
        eprintln!("running {scenario:?} ...");
        rows.push(
            run(scenario, &settings, &args)
                .await
                .unwrap_or_else(|err| Row {
                    scenario: format!("{scenario:?}"),
                    notes: format!("**failed: {err:#}**"),
                    ..Row::default()
                }),
        );
    }
    let table = report::markdown(&rows, Some(baseline));
    println!("\nMachine: {}\n\n{table}", machine());
    if let Some(out) = args.out {
        std::fs::write(&out, format!("Machine: {}\n\n{table}", machine()))?;
    }
    Ok(())
}

/// Runs one scenario.
async fn run(scenario: Scenario, settings: &Settings, args: &Args) -> anyhow::Result<Row> {
    let row = match scenario {
        Scenario::Ingest => scenarios::ingest(settings).await,
        Scenario::EndToEnd => scenarios::end_to_end(settings, args.endpoints).await,
        Scenario::Latency => scenarios::latency(settings, args.rate).await,
        Scenario::FanOut => scenarios::fan_out(settings).await,
        Scenario::Isolation => scenarios::isolation(settings).await,
        Scenario::Backlog => scenarios::backlog(settings).await,
    };
    match &row {
        Ok(row) => eprintln!("  {:.0} {}", row.throughput, row.unit),
        Err(err) => eprintln!("  failed: {err:#}"),
    }
    row
}

/// A/B mode: every scenario with builds A and B, round after round; prints the medians.
async fn compare_builds(
    args: &Args,
    settings: Settings,
    other: PathBuf,
    scenarios: &[Scenario],
) -> anyhow::Result<()> {
    let a_name = settings.launch.binary.display().to_string();
    let b_name = other.display().to_string();
    let b_settings = Settings {
        launch: Launch {
            binary: other,
            ..settings.launch.clone()
        },
        ..settings.clone()
    };
    let mut pairs = Vec::new();
    for &scenario in scenarios {
        let mut pair = compare::Pairs {
            scenario: format!("{scenario:?}"),
            ..Default::default()
        };
        // A failed run counts as no value (the median skips it).
        let failed = || Row {
            throughput: f64::NAN,
            cpu_per_1k: f64::NAN,
            ..Row::default()
        };
        // A then B in odd rounds, B then A in even ones (ABBA): whatever running second does
        // (disk writes of the first still being flushed, a warmer CPU) falls on both alike.
        for round in 1..=args.rounds.max(1) {
            let order = if round % 2 == 1 {
                ["A", "B"]
            } else {
                ["B", "A"]
            };
            for build in order {
                eprintln!("{scenario:?}, round {round}: {build} ...");
                let (chosen, rows) = if build == "A" {
                    (&settings, &mut pair.a)
                } else {
                    (&b_settings, &mut pair.b)
                };
                rows.push(
                    run(scenario, chosen, args)
                        .await
                        .unwrap_or_else(|_| failed()),
                );
            }
        }
        if let Some(row) = pair.a.iter().find(|row| !row.scenario.is_empty()) {
            pair.scenario = row.scenario.clone();
        }
        pairs.push(pair);
    }
    let table = compare::markdown(&pairs, &a_name, &b_name);
    let report = format!(
        "Machine: {}\n\n{} rounds, A and B alternating which goes first\n\n{table}",
        machine(),
        args.rounds.max(1)
    );
    println!("\n{report}");
    if let Some(out) = &args.out {
        std::fs::write(out, report)?;
    }
    Ok(())
}

/// Cores, memory and CPU model, for the record.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let memory = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or("?".to_owned(), |kib| {
            format!("{:.0} GiB", kib / 1024.0 / 1024.0)
        });
    let model = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    format!("{cores} cores, {memory}, {model}")
}
