//! Running the official Python and Node libraries against Hookline.
//!
//! The scripts live in `tests/interop/` at the repository root; `.ci/run` installs their
//! packages from PyPI (and the npm ones with `npm ci --prefix tests/interop`). Locally, a
//! missing package skips the test with a message; with
//! `HOOKLINE_REQUIRE_INTEROP=1` (CI) it fails instead.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The repository's `tests/interop` directory.
pub fn scripts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop")
}

fn python() -> String {
    std::env::var("HOOKLINE_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// True when `module` imports; otherwise skips (returns false) or, in CI, panics.
pub fn python_module_available(module: &str) -> bool {
    let ok = Command::new(python())
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return true;
    }
    if std::env::var("HOOKLINE_REQUIRE_INTEROP").is_ok_and(|v| v == "1") {
        panic!(
            "the Python module {module:?} is required (HOOKLINE_REQUIRE_INTEROP=1); \
             install tests/interop/requirements.txt"
        );
    }
    eprintln!(
        "SKIPPED: Python module {module:?} is not installed; run \
         `python3 -m pip install -r tests/interop/requirements.txt` (or .ci/run) to include this test"
    );
    false
}

/// Runs a script from `tests/interop` with arguments and optional stdin, off the async runtime.
pub async fn run_script(script: &str, args: Vec<String>, stdin: Option<String>) -> Output {
    let path = scripts_dir().join(script);
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(python())
            .arg(path)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start python");
        if let Some(input) = stdin
            && let Some(mut pipe) = child.stdin.take()
        {
            pipe.write_all(input.as_bytes()).expect("write stdin");
        }
        child.wait_with_output().expect("python finished")
    })
    .await
    .expect("python task")
}

fn require_interop() -> bool {
    std::env::var("HOOKLINE_REQUIRE_INTEROP").is_ok_and(|v| v == "1")
}

/// True when the npm package `module` imports from `tests/interop` (installed there with
/// `npm ci --prefix tests/interop`); otherwise skips (returns false) or, in CI, panics.
pub fn node_module_available(module: &str) -> bool {
    let ok = Command::new("node")
        .current_dir(scripts_dir())
        .args(["--input-type=module", "-e", &format!("import {module:?};")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return true;
    }
    if require_interop() {
        panic!(
            "the npm package {module:?} is required (HOOKLINE_REQUIRE_INTEROP=1); \
             run `npm ci --prefix tests/interop`"
        );
    }
    eprintln!(
        "SKIPPED: npm package {module:?} is not installed; run \
         `npm ci --prefix tests/interop` (or .ci/run) to include this test"
    );
    false
}

/// Runs a Node script from `tests/interop` with arguments and optional stdin, off the async
/// runtime.
pub async fn run_node_script(script: &str, args: Vec<String>, stdin: Option<String>) -> Output {
    let dir = scripts_dir();
    let path = dir.join(script);
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new("node")
            .current_dir(&dir)
            .arg(path)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start node");
        if let Some(mut pipe) = child.stdin.take()
            && let Some(input) = stdin
        {
            pipe.write_all(input.as_bytes()).expect("write stdin");
        }
        // Dropping the pipe closes stdin, so a script reading it to the end finishes.
        child.wait_with_output().expect("node finished")
    })
    .await
    .expect("node task")
}
