//! Storage for endpoint secrets: changing them without losing a concurrent change, and finding
//! the ones still stored unsealed.

use async_trait::async_trait;
use hookline_core::{AppId, EndpointId, Timestamp};

use crate::StoreResult;

/// Endpoint secrets, as storage operations. Part of [`crate::Store`].
///
/// `update_endpoint` leaves the stored secret alone; secrets change only through
/// [`EndpointSecretStore::replace_endpoint_secret`], so a rotation and a concurrent edit of the
/// endpoint's other fields never undo each other.
#[async_trait]
pub trait EndpointSecretStore {
    /// Stores `new` as the endpoint's secret if it is still `expected`; returns whether it was
    /// (false: someone changed it meanwhile; read it again and retry). `NotFound` if the
    /// endpoint does not exist.
    async fn replace_endpoint_secret(
        &self,
        app: &AppId,
        endpoint: &EndpointId,
        expected: &str,
        new: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;

    /// Up to `limit` endpoints whose stored secret does not start with `sealed_prefix`
    /// (written before secrets were encrypted), with that secret.
    async fn unsealed_endpoint_secrets(
        &self,
        sealed_prefix: &str,
        limit: u32,
    ) -> StoreResult<Vec<(AppId, EndpointId, String)>>;
}
