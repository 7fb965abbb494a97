//! Storage for payload validation: which event types check message payloads on ingest.

use async_trait::async_trait;

use crate::StoreResult;

/// Payload validation settings, as storage operations. Part of [`crate::Store`].
#[async_trait]
pub trait SchemaStore {
    /// Turns payload validation on or off for an event type; `NotFound` if it does not exist.
    async fn set_payload_validation(&self, event_type: &str, enabled: bool) -> StoreResult<()>;

    /// Whether an event type checks payloads.
    async fn payload_validation(&self, event_type: &str) -> StoreResult<bool>;

    /// The schemas to check a payload of `event_type` against: `Some` only when validation is
    /// on for it and it has schemas. One indexed lookup (this runs on every message).
    async fn validating_schemas(&self, event_type: &str) -> StoreResult<Option<serde_json::Value>>;
}
