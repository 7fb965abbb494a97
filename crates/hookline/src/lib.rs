//! # hookline
//!
//! The `hookline` binary and the one entry point that assembles the product: [`server::start`]
//! opens the store, starts the delivery engine and serves the API on a listener it is given, until
//! a shutdown token is cancelled. `main.rs` only parses the command line and calls it; tests and
//! benchmarks call the same function.
//!
//! ## Layout
//! - [`cli`]: commands, flags and their environment variables.
//! - [`client`]: the commands that talk to a running server over its REST API.
//! - [`config`]: the validated settings `start` needs.
//! - [`database`]: SQLite in the data directory, or PostgreSQL shared by many nodes.
//! - [`node_check`]: nodes sharing a database refuse to start with another secrets key or
//!   admin token.
//! - [`settings`]: defaults < `hookline.toml` < environment < flags, validated into a config.
//! - [`bootstrap`]: the data directory and the admin token.
//! - [`environments`]: the environments (separate organisations) beside the default one.
//! - [`server`]: wiring the store, engine and API together.
//! - [`secrets_key`]: the key that encrypts secrets at rest.
//! - [`telemetry`]: the process's Prometheus recorder.
//! - [`tls`]: optional HTTPS with rustls.
//! - `worker_http`: the health-and-metrics-only HTTP of `--role worker` nodes.

pub mod bootstrap;
pub mod cli;
pub mod client;
pub mod config;
pub mod database;
pub mod environments;
pub mod node_check;
mod peer;
pub mod secrets_key;
pub mod server;
pub mod settings;
pub mod telemetry;
pub mod tls;
mod worker_http;
