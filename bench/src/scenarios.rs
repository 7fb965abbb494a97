//! The scenarios. Each starts a fresh Hookline (fresh database) and a fresh receiver, so peak
//! RSS and CPU time belong to that scenario alone.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use hookline_signature::SigningSecret;

use crate::hookline::{Hookline, Launch};
use crate::load::{Sent, closed_loop, open_loop};
use crate::process::{cpu_seconds, peak_rss_mib};
use crate::receiver::{Arrival, Observed, Receiver};
use crate::report::{Row, percentiles};

/// Knobs shared by every scenario.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// How to start Hookline.
    pub(crate) launch: Launch,
    /// Multiplies every message count (1.0 = the documented sizes).
    pub(crate) scale: f64,
    /// Concurrent POST loops of the closed-loop generator.
    pub(crate) workers: usize,
}

impl Settings {
    fn count(&self, base: u64) -> u64 {
        ((base as f64 * self.scale).round() as u64).max(1)
    }
}

/// A Hookline, a receiver and one application, ready for load.
struct Rig {
    hookline: Arc<Hookline>,
    receiver: Receiver,
    app: String,
    secret: String,
    cpu_at_start: f64,
}

impl Rig {
    async fn new(launch: &Launch) -> anyhow::Result<Self> {
        let secret = SigningSecret::generate();
        let secret_text = secret.to_string();
        let receiver = Receiver::start(secret).await?;
        let hookline = Arc::new(Hookline::start(launch).await?);
        let app = hookline.create_app("bench").await?;
        Ok(Self {
            cpu_at_start: cpu_seconds(hookline.pid()),
            hookline,
            receiver,
            app,
            secret: secret_text,
        })
    }

    async fn endpoints(&self, behaviour: &str, count: usize) -> anyhow::Result<()> {
        for i in 0..count {
            let url = self.receiver.url(behaviour, &format!("e{i}"));
            self.hookline
                .create_endpoint(&self.app, &url, &self.secret)
                .await?;
        }
        Ok(())
    }

    /// Peak RSS and CPU seconds per 1,000 operations since the rig was built.
    fn resources(&self, operations: u64) -> (f64, f64) {
        let pid = self.hookline.pid();
        let cpu = cpu_seconds(pid) - self.cpu_at_start;
        (peak_rss_mib(pid), cpu * 1000.0 / operations.max(1) as f64)
    }

    fn signature_note(&self) -> String {
        let observed = &self.receiver.observed;
        let good = observed.good_signatures.load(Ordering::Relaxed);
        let bad = observed.bad_signatures.load(Ordering::Relaxed);
        if bad > 0 {
            format!("**{bad} BAD signatures** of {}", good + bad)
        } else {
            format!("{good} signatures verified")
        }
    }
}

fn check_errors(sent: &Sent) -> anyhow::Result<()> {
    if sent.errors > 0 {
        bail!("{} POSTs failed", sent.errors);
    }
    Ok(())
}

/// Waits up to `secs` for `counter` to reach `target`; an error names the scenario otherwise.
async fn arrived(
    observed: &Observed,
    counter: &AtomicU64,
    target: u64,
    secs: u64,
    scenario: &str,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    if !observed.wait_for(counter, target, deadline).await {
        bail!(
            "{scenario}: only {} of {target} arrived in {secs} s",
            counter.load(Ordering::Relaxed)
        );
    }
    Ok(())
}

/// Delay from each message's `2xx` to its first (or last, with `last`) arrival.
fn delays(sent: &Sent, arrivals: &HashMap<String, Arrival>, last: bool) -> Vec<Duration> {
    sent.accepted
        .iter()
        .filter_map(|(id, accepted)| {
            let arrival = arrivals.get(id)?;
            let at = if last { arrival.last } else { arrival.first };
            Some(at.saturating_duration_since(*accepted))
        })
        .collect()
}

/// (1) Ingest only: messages accepted per second, each durable before its `2xx`.
pub(crate) async fn ingest(settings: &Settings) -> anyhow::Result<Row> {
    let rig = Rig::new(&settings.launch).await?;
    let count = settings.count(20_000);
    let mut sent = closed_loop(&rig.hookline, &rig.app, count, settings.workers).await;
    check_errors(&sent)?;
    let (rss, cpu) = rig.resources(count);
    Ok(Row {
        scenario: "ingest (durable 202)".into(),
        work: format!("{count} msgs, {} clients", settings.workers),
        throughput: count as f64 / sent.elapsed.as_secs_f64(),
        unit: "msgs/s",
        latency: Some(percentiles(&mut sent.post_latencies)),
        peak_rss_mib: rss,
        cpu_per_1k: cpu,
        notes: "latency = POST round trip".into(),
    })
}

/// (2) End to end: deliveries completed per second with `endpoints` endpoints per app.
pub(crate) async fn end_to_end(settings: &Settings, endpoints: usize) -> anyhow::Result<Row> {
    let rig = Rig::new(&settings.launch).await?;
    rig.endpoints("ok", endpoints).await?;
    let count = settings.count(10_000);
    let total = count * endpoints as u64;
    let started = Instant::now();
    let sent = closed_loop(&rig.hookline, &rig.app, count, settings.workers).await;
    check_errors(&sent)?;
    let observed = &rig.receiver.observed;
    arrived(observed, &observed.delivered, total, 600, "end to end").await?;
    let elapsed = started.elapsed();
    let mut lat = delays(&sent, &observed.arrivals(), true);
    let (rss, cpu) = rig.resources(total);
    Ok(Row {
        scenario: format!("end to end, {endpoints} endpoints/app"),
        work: format!("{count} msgs -> {total} deliveries"),
        throughput: total as f64 / elapsed.as_secs_f64(),
        unit: "deliveries/s",
        latency: Some(percentiles(&mut lat)),
        peak_rss_mib: rss,
        cpu_per_1k: cpu,
        notes: format!("saturating load; {}", rig.signature_note()),
    })
}

/// (3) Latency at a fixed rate: `2xx` of the POST to arrival at the receiver.
pub(crate) async fn latency(settings: &Settings, rate: u64) -> anyhow::Result<Row> {
    let rig = Rig::new(&settings.launch).await?;
    rig.endpoints("ok", 1).await?;
    let seconds = (10.0 * settings.scale).clamp(2.0, 60.0);
    let sent = open_loop(
        &rig.hookline,
        &rig.app,
        rate,
        Duration::from_secs_f64(seconds),
    )
    .await;
    check_errors(&sent)?;
    let total = sent.accepted.len() as u64;
    let observed = &rig.receiver.observed;
    arrived(observed, &observed.distinct, total, 120, "latency").await?;
    let mut lat = delays(&sent, &observed.arrivals(), false);
    let (rss, cpu) = rig.resources(total);
    Ok(Row {
        scenario: format!("latency at {rate} msg/s"),
        work: format!("{total} msgs over {seconds:.0} s"),
        throughput: total as f64 / sent.elapsed.as_secs_f64(),
        unit: "deliveries/s",
        latency: Some(percentiles(&mut lat)),
        peak_rss_mib: rss,
        cpu_per_1k: cpu,
        notes: format!("latency = 2xx to arrival; {}", rig.signature_note()),
    })
}

/// (4) Fan-out: each message to 50 endpoints; latency until the 50th copy arrived.
pub(crate) async fn fan_out(settings: &Settings) -> anyhow::Result<Row> {
    const ENDPOINTS: usize = 50;
    let rig = Rig::new(&settings.launch).await?;
    rig.endpoints("ok", ENDPOINTS).await?;
    let count = settings.count(400);
    let total = count * ENDPOINTS as u64;
    let started = Instant::now();
    let sent = closed_loop(&rig.hookline, &rig.app, count, 4).await;
    check_errors(&sent)?;
    let observed = &rig.receiver.observed;
    arrived(observed, &observed.delivered, total, 300, "fan-out").await?;
    let elapsed = started.elapsed();
    let mut lat = delays(&sent, &observed.arrivals(), true);
    let (rss, cpu) = rig.resources(total);
    Ok(Row {
        scenario: "fan-out to 50 endpoints".into(),
        work: format!("{count} msgs -> {total} deliveries"),
        throughput: total as f64 / elapsed.as_secs_f64(),
        unit: "deliveries/s",
        latency: Some(percentiles(&mut lat)),
        peak_rss_mib: rss,
        cpu_per_1k: cpu,
        notes: format!("latency = 2xx to 50th copy; {}", rig.signature_note()),
    })
}

/// (5) Isolation: 10 endpoints, one of which never answers; the healthy nine's latency,
/// compared with the same load when all ten are healthy.
pub(crate) async fn isolation(settings: &Settings) -> anyhow::Result<Row> {
    let rate = 200;
    let control = isolation_run(settings, rate, false).await?;
    let mut row = isolation_run(settings, rate, true).await?;
    let control_p99 = control.latency.map(|l| l[2]).unwrap_or_default();
    row.notes = format!(
        "{}; control p99 with 10 healthy: {:.1} ms",
        row.notes,
        control_p99.as_secs_f64() * 1000.0
    );
    Ok(row)
}

async fn isolation_run(settings: &Settings, rate: u64, hanging: bool) -> anyhow::Result<Row> {
    let rig = Rig::new(&settings.launch).await?;
    rig.endpoints("ok", 9).await?;
    rig.endpoints(if hanging { "hang" } else { "ok" }, 1)
        .await?;
    let seconds = (10.0 * settings.scale).clamp(2.0, 60.0);
    let sent = open_loop(
        &rig.hookline,
        &rig.app,
        rate,
        Duration::from_secs_f64(seconds),
    )
    .await;
    check_errors(&sent)?;
    let messages = sent.accepted.len() as u64;
    let healthy = messages * 9;
    let observed = &rig.receiver.observed;
    let deadline = Instant::now() + Duration::from_secs(120);
    let complete = observed
        .wait_for(
            &observed.delivered,
            if hanging { healthy } else { messages * 10 },
            deadline,
        )
        .await;
    let arrived = observed.delivered.load(Ordering::Relaxed);
    // With one endpoint hanging, a message's last arrival is its ninth healthy copy.
    let mut lat = delays(&sent, &observed.arrivals(), true);
    let (rss, cpu) = rig.resources(arrived);
    let state = if complete {
        "all healthy deliveries arrived".to_owned()
    } else {
        format!("**collapsed: {arrived} of {healthy} healthy deliveries in 120 s**")
    };
    Ok(Row {
        scenario: if hanging {
            "isolation: 1 of 10 endpoints hangs".into()
        } else {
            "isolation control: 10 healthy".into()
        },
        work: format!("{messages} msgs at {rate}/s"),
        throughput: arrived as f64 / sent.elapsed.as_secs_f64().max(1.0),
        unit: "deliveries/s",
        latency: Some(percentiles(&mut lat)),
        peak_rss_mib: rss,
        cpu_per_1k: cpu,
        notes: format!("latency = 2xx to last healthy copy; {state}"),
    })
}

/// (6) Backlog: many due deliveries held back by a closed gate, then drained at once.
pub(crate) async fn backlog(settings: &Settings) -> anyhow::Result<Row> {
    let mut launch = settings.launch.clone();
    launch.request_timeout = 60;
    let rig = Rig::new(&launch).await?;
    rig.endpoints("gated", 1).await?;
    let count = settings.count(200_000);
    let sent = closed_loop(&rig.hookline, &rig.app, count, settings.workers).await;
    check_errors(&sent)?;
    let queued_rss = peak_rss_mib(rig.hookline.pid());
    let started = Instant::now();
    rig.receiver.open_gate();
    let observed = &rig.receiver.observed;
    arrived(observed, &observed.distinct, count, 900, "backlog").await?;
    let elapsed = started.elapsed();
    let (rss, cpu) = rig.resources(count);
    Ok(Row {
        scenario: "backlog drain".into(),
        work: format!("{count} queued deliveries"),
        throughput: count as f64 / elapsed.as_secs_f64(),
        unit: "deliveries/s",
        latency: None,
        peak_rss_mib: rss,
        cpu_per_1k: cpu,
        notes: format!(
            "peak RSS with all queued: {queued_rss:.0} MiB; ingest {:.0} msgs/s; {}",
            count as f64 / sent.elapsed.as_secs_f64(),
            rig.signature_note()
        ),
    })
}
