//! The core store contract, on every backend (SQLite always, PostgreSQL with
//! `HOOKLINE_TEST_DATABASE_URL`): applications, event types and endpoints round trip (by id and
//! by uid) and refuse clashing uids; a message plans a delivery for exactly the endpoints that
//! receive it, in one transaction; deletes cascade; listings page both ways and filter.

// The fixture's items are `pub` for every test binary that includes it.
#[allow(unreachable_pub)]
#[path = "../common/mod.rs"]
mod common;

mod attempts;
mod concurrency;
mod deletes;
mod fixtures;
mod listing;
mod messages;
mod resources;
mod settings;
