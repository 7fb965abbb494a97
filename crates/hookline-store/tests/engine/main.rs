//! The delivery engine's storage contract, on every backend (SQLite always, PostgreSQL with
//! `HOOKLINE_TEST_DATABASE_URL`): claims that lease, skip blocked endpoints and respect ordering;
//! hand-backs that are not attempts; pauses that hold an endpoint's work; attempt records that
//! are atomic and carry their side effects. On PostgreSQL, several nodes share one database:
//! they never claim the same delivery, never deliver to one endpoint at once, and take over a
//! silent node's endpoints once its ownership lapses.

// The fixture's items are `pub` for every test binary that includes it.
#[allow(unreachable_pub)]
#[path = "../common/mod.rs"]
mod common;

mod claims;
mod fixture;
mod inbound;
mod nodes;
mod records;
