//! Storage for the endpoint tools: example messages, statistics, counts, expunging content.

use async_trait::async_trait;
use hookline_core::model::Message;
use hookline_core::{AppId, EndpointId, Timestamp};

use crate::StoreResult;
use crate::query::AttemptFilter;

/// How many of an endpoint's deliveries are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndpointStats {
    /// Delivered.
    pub success: u64,
    /// Waiting for an attempt.
    pub pending: u64,
    /// An attempt is in flight.
    pub sending: u64,
    /// Failed for good.
    pub fail: u64,
}

/// The endpoint tools, as storage operations. Part of [`crate::Store`].
#[async_trait]
pub trait ToolsStore {
    /// Stores a message planned for `endpoint` only (an example, not fanned out), due now.
    async fn create_message_for_endpoint(
        &self,
        message: Message,
        endpoint: &EndpointId,
    ) -> StoreResult<Message>;

    /// Counts the endpoint's deliveries by state, for messages created in `[since, until)`.
    async fn endpoint_stats(
        &self,
        app: &AppId,
        endpoint: &EndpointId,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
    ) -> StoreResult<EndpointStats>;

    /// Counts the attempts `list_attempts` would return, stopping at `cap`; the flag says
    /// whether the count stopped there.
    async fn count_attempts(
        &self,
        app: &AppId,
        filter: &AttemptFilter,
        cap: u64,
    ) -> StoreResult<(u64, bool)>;

    /// Removes a message's payload for good; deliveries still waiting for it then fail.
    async fn expunge_message_content(&self, app: &AppId, msg_id: &str) -> StoreResult<()>;

    /// Removes the response body recorded on one attempt.
    async fn expunge_attempt_content(
        &self,
        app: &AppId,
        msg_id: &str,
        attempt_id: &str,
    ) -> StoreResult<()>;
}
