//! The store contract for inbound sources, idempotency keys and API keys, on every backend
//! (SQLite always, PostgreSQL with `HOOKLINE_TEST_DATABASE_URL`); and on PostgreSQL, what two
//! nodes racing on one database must get right: one message per provider delivery id, one
//! request per idempotency key.

#[allow(unreachable_pub)]
#[path = "../common/mod.rs"]
mod common;

mod api_keys;
mod idempotency;
mod nodes;
mod sources;
mod sources_replay;
