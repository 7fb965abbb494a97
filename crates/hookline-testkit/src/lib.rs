//! # hookline-testkit
//!
//! Test harness shared by Hookline's integration tests and benchmarks:
//! - [`spawn_app`] starts the real server (the same `hookline::server::start` that `hookline serve`
//!   calls) on 127.0.0.1 port 0 with a fresh SQLite file in a temporary directory, or a fresh
//!   PostgreSQL database when `HOOKLINE_TEST_STORE=postgres` ([`store`]), and returns a
//!   [`TestApp`] with typed helpers;
//! - [`TestReceiver`] is a webhook receiver on 127.0.0.1 whose answers a test scripts, and which
//!   hands every request it gets to the test over a channel (no sleeping, no polling);
//! - [`ScriptedReceiver`] scripts whole answers (headers, delays, hanging) for engine tests;
//! - [`interop`] runs the official Python libraries against the server, skipping clearly when they
//!   are not installed (and failing when `HOOKLINE_REQUIRE_INTEROP=1`, as in CI).

pub mod app;
pub mod chaos;
pub mod interop;
pub mod receiver;
pub mod scripted;
pub mod store;

pub use app::{TestApp, TestResponse, spawn_app, spawn_app_with};
pub use chaos::{Behaviour, ChaosEvent, ChaosReceiver};
pub use receiver::{ReceivedRequest, TestReceiver};
pub use scripted::{Reply, ScriptedReceiver};
pub use store::{TestStore, skip_on_postgres};

/// How long a test waits for something that should happen promptly before failing.
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(15);
