//! Sources as stored: their `config` (which holds the provider's signing secret, a bearer token
//! or a password) is sealed with the server's secrets key, like endpoint secrets, so the
//! database file never holds them in the clear. Every read and write of a source goes through
//! here; a config stored before sealing existed is read as is and sealed at its next write.

use hookline_core::source::Source;
use hookline_store::Page;
use hookline_store::page::PageRequest;
use hookline_store::secrets::SEALED_PREFIX;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn seal(state: &AppState, mut source: Source) -> Source {
    let plain = source.config.to_string();
    source.config = Value::String(state.signer.secrets().seal(&plain));
    source
}

fn open(state: &AppState, mut source: Source) -> ApiResult<Source> {
    if let Value::String(sealed) = &source.config
        && sealed.starts_with(SEALED_PREFIX)
    {
        let plain = state
            .signer
            .secrets()
            .open(sealed)
            .map_err(|e| ApiError::Internal(format!("source {}: {e}", source.id)))?;
        source.config = serde_json::from_str(&plain)
            .map_err(|e| ApiError::Internal(format!("source {}: {e}", source.id)))?;
    }
    Ok(source)
}

/// Stores a new source.
pub(crate) async fn create(state: &AppState, source: Source) -> ApiResult<Source> {
    let stored = state.store.create_source(seal(state, source)).await?;
    open(state, stored)
}

/// Replaces a source's fields.
pub(crate) async fn update(state: &AppState, source: Source) -> ApiResult<Source> {
    let stored = state.store.update_source(seal(state, source)).await?;
    open(state, stored)
}

/// A source by id or uid.
pub(crate) async fn get(state: &AppState, id_or_uid: &str) -> ApiResult<Option<Source>> {
    state
        .store
        .get_source(id_or_uid)
        .await?
        .map(|s| open(state, s))
        .transpose()
}

/// A source by any name `/in/{source}` accepts (ingest token, id or uid).
pub(crate) async fn find_ingest(state: &AppState, key: &str) -> ApiResult<Option<Source>> {
    state
        .store
        .find_ingest_source(key)
        .await?
        .map(|s| open(state, s))
        .transpose()
}

/// A page of sources.
pub(crate) async fn list(state: &AppState, page: &PageRequest) -> ApiResult<Page<Source>> {
    let page = state.store.list_sources(page).await?;
    let items = page
        .items
        .into_iter()
        .map(|s| open(state, s))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Page { items, ..page })
}
