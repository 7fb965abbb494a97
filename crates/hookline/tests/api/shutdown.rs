//! The binary stops cleanly on SIGTERM and SIGINT.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use hookline_testkit::app::TEST_TOKEN;

/// Starts `hookline serve` on a free loopback port, waits until it listens, sends `signal`,
/// and returns the exit status and everything it logged.
fn serve_then_signal(signal: &str) -> (std::process::ExitStatus, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookline"))
        .current_dir(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .env("HOOKLINE_DATA_DIR", dir.path().join("data"))
        .env("HOOKLINE_ADMIN_TOKEN", TEST_TOKEN)
        .env_remove("HOOKLINE_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hookline");
    let stdout = child.stdout.take().expect("stdout");
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = String::new();
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("hookline did not report that it listens");
        log.push_str(&line);
        log.push('\n');
        if line.contains("Hookline is listening") {
            break;
        }
    }
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let (done_tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(child.wait());
    });
    let status = done
        .recv_timeout(Duration::from_secs(30))
        .expect("hookline did not stop in time")
        .expect("wait");
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(5)) {
        log.push_str(&line);
        log.push('\n');
    }
    (status, log)
}

#[test]
fn sigterm_stops_the_server_cleanly_with_json_logs() {
    let (status, log) = serve_then_signal("-TERM");
    assert!(status.success(), "exit {status:?}; log:\n{log}");
    assert!(log.contains("shutting down"), "{log}");
    for line in log.lines().filter(|l| l.starts_with('{')) {
        let _: serde_json::Value = serde_json::from_str(line).expect("each log line is JSON");
    }
}

#[test]
fn sigint_stops_the_server_cleanly() {
    let (status, log) = serve_then_signal("-INT");
    assert!(status.success(), "exit {status:?}; log:\n{log}");
    assert!(log.contains("shutting down"), "{log}");
}
