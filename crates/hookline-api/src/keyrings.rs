//! Opening and changing an endpoint's sealed keyring (its signing keys, encrypted at rest).
//!
//! Every route that reads or rotates a signing key (application endpoints, source endpoints)
//! goes through here, so a key is only ever changed by compare-and-swap: two rotations at once
//! both take effect instead of one silently undoing the other.

use hookline_core::model::Endpoint;
use hookline_core::{AppId, Timestamp};
use hookline_delivery::keyring::Keyring;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Most times a change is retried when the secret changed under it.
const TRIES: usize = 8;

/// The endpoint's keyring, opened with the server's secrets key.
pub(crate) fn open(state: &AppState, endpoint: &Endpoint) -> ApiResult<Keyring> {
    state
        .signer
        .open(&endpoint.secret)
        .map_err(|e| ApiError::Internal(format!("endpoint {}: {e}", endpoint.id)))
}

/// Applies `change` to the keyring of `app`'s endpoint `endpoint_id` (id or uid) and stores
/// it, reading it again and retrying when another change landed in between.
pub(crate) async fn change(
    state: &AppState,
    app: &AppId,
    endpoint_id: &str,
    mut change: impl FnMut(&mut Keyring),
) -> ApiResult<Keyring> {
    for _ in 0..TRIES {
        let endpoint = state
            .store
            .get_endpoint(app, endpoint_id)
            .await?
            .ok_or_else(|| ApiError::not_found("endpoint"))?;
        let mut keyring = open(state, &endpoint)?;
        change(&mut keyring);
        let sealed = state.signer.seal(&keyring);
        let stored = state
            .store
            .replace_endpoint_secret(
                &endpoint.app_id,
                &endpoint.id,
                &endpoint.secret,
                &sealed,
                Timestamp::now(),
            )
            .await?;
        if stored {
            return Ok(keyring);
        }
    }
    Err(ApiError::Conflict(
        "the endpoint's secret kept changing concurrently; try again".into(),
    ))
}
