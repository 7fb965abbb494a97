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
//! - [`sources`]: [`SourceStore`], inbound sources and the events they accept.
//! - [`sqlite`]: the embedded implementation (one writer thread, a pool of readers).

pub mod error;
pub mod page;
pub mod query;
pub mod sources;
pub mod sqlite;
mod store;

pub use error::StoreError;
pub use page::{Order, Page, PageRequest};
pub use sources::SourceStore;
pub use sqlite::SqliteStore;
pub use store::Store;

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;
