//! # hookline-store
//!
//! Where Hookline keeps everything: applications, event types, endpoints, messages, their delivery
//! plan and every attempt. The [`Store`] trait is the only way the API and the delivery engine touch
//! storage; SQL stays behind it.
//!
//! The promise every implementation keeps: when a write method returns `Ok`, the change is on disk
//! (committed and fsynced). Concurrent writes share one commit (group commit), so durability costs
//! little throughput.
//!
//! ## Layout
//! - [`error`]: the typed errors callers match on (`NotFound`, `Conflict`, `Unavailable`).
//! - [`feed`]: every message in commit order, for consumers that pull, and their saved positions.
//! - [`keys`]: API keys, stored as token digests ([`keys::KeyStore`]).
//! - [`idempotency`]: idempotency keys and the responses they replay ([`idempotency::IdempotencyStore`]).
//! - [`page`]: cursor pagination shared by every list.
//! - [`query`]: filters for the list methods and the delivery engine's inputs and outputs.
//! - [`environments`]: the registry of environments (separate organisations), each a whole
//!   store of its own.
//! - [`engine_store`]: the delivery engine's extra storage (deferrals, health, settings).
//! - [`sources`]: [`SourceStore`], inbound sources and the events they accept.
//! - [`sqlite`]: the embedded implementation (one writer thread, a pool of readers).
//! - [`replay`]: re-queueing messages by hand (resend, recover, replay), idempotently.
//! - [`maintenance`]: auto-disabling endpoints that keep failing, and retention.
//! - [`operational`]: operational webhooks, Hookline's own events as messages.
//! - [`schemas`]: which event types check message payloads against their schema.
//! - [`tasks`]: background tasks and their progress.
//! - [`tools`]: example messages, statistics, counts, expunging content.
//! - [`endpoint_secrets`]: changing endpoint secrets safely under concurrency.
//! - [`secrets`]: encryption at rest of the secrets kept in the database.

pub mod attempt_headers;
pub mod due;
pub mod endpoint_secrets;
pub mod engine_store;
pub mod environments;
pub mod error;
pub mod feed;
pub mod idempotency;
pub mod keys;
pub mod maintenance;
pub mod operational;
pub mod page;
pub mod postgres;
pub mod query;
pub mod replay;
mod schema_log;
pub mod schemas;
pub mod secrets;
pub mod sources;
pub mod sqlite;
mod store;
pub mod tasks;
pub mod tools;

pub use engine_store::EngineStore;
pub use environments::EnvironmentStore;
pub use error::StoreError;
pub use feed::FeedStore;
pub use page::{Order, Page, PageRequest};
pub use postgres::{PgOptions, PgStore};
pub use sources::SourceStore;
pub use sqlite::SqliteStore;
pub use store::Store;

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;
