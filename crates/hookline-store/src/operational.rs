//! Storage of operational webhooks: Hookline's own events become messages of the internal
//! `operational` application, planned for its endpoints like any message.

use async_trait::async_trait;
use hookline_core::operational::OperationalEvent;

use crate::StoreResult;

/// Emits operational events. Events caused by recorded attempts, auto-disabling or a background
/// task's end are emitted in the same transaction by those methods; this trait serves the API's
/// endpoint changes.
#[async_trait]
pub trait OperationalStore: Send + Sync {
    /// Stores each event as a message of the operational application, with one delivery per
    /// enabled operational endpoint that receives its type, in one transaction. Events about
    /// operational endpoints themselves and events no endpoint receives store nothing. Returns
    /// how many messages were stored (0 costs one indexed lookup when no operational endpoint
    /// exists).
    async fn emit_operational(&self, events: Vec<OperationalEvent>) -> StoreResult<usize>;
}
