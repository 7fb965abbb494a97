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
//! - [`page`]: cursor pagination shared by every list.
//! - [`query`]: filters for the list methods and the delivery engine's inputs and outputs.
//! - [`sqlite`]: the embedded implementation (one writer thread, a pool of readers).
//! - [`replay`]: re-queueing messages by hand (resend, recover, replay), idempotently.
//! - [`maintenance`]: auto-disabling endpoints that keep failing, and retention.
//! - [`schemas`]: which event types check message payloads against their schema.
//! - [`tasks`]: background tasks and their progress.
//! - [`tools`]: example messages, statistics, counts, expunging content.
//! - [`endpoint_secrets`]: changing endpoint secrets safely under concurrency.
//! - [`secrets`]: encryption at rest of the secrets kept in the database.

pub mod endpoint_secrets;
pub mod error;
pub mod maintenance;
pub mod page;
pub mod query;
pub mod replay;
pub mod schemas;
pub mod secrets;
pub mod sqlite;
mod store;
pub mod tasks;
pub mod tools;

pub use error::StoreError;
pub use page::{Order, Page, PageRequest};
pub use sqlite::SqliteStore;
pub use store::Store;

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;
