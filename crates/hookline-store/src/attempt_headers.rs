//! The headers each attempt sent and received, kept alongside the attempt.

use async_trait::async_trait;
use hookline_core::exchange::AttemptHeaders;
use hookline_core::{AppId, MessageId};

use crate::StoreResult;

/// Reading an attempt's headers (they are written with the attempt by
/// [`crate::Store::record_attempts`]). Part of [`crate::Store`].
#[async_trait]
pub trait AttemptHeadersStore {
    /// The headers of attempt `attempt_id` of `app`'s message `msg`; `None` when there is no
    /// such attempt or it sent no request (refused before sending).
    async fn attempt_headers(
        &self,
        app: &AppId,
        msg: &MessageId,
        attempt_id: &str,
    ) -> StoreResult<Option<AttemptHeaders>>;
}
