//! `/ingest/api/v1/source`: sources, their ingest token, and their log of accepted events.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hookline_core::source::Source;
use hookline_core::{AppId, SourceId, Timestamp};
use hookline_store::Order;
use rand::distr::{Alphanumeric, SampleString};

use super::wire::{
    IngestLogOut, IngestSourceIn, IngestSourceOut, IngestSourcePatch, RotateTokenOut, SourceFields,
    ingest_url, parse_uid,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, ValidJson};
use crate::state::AppState;
use crate::wire::ListResponse;

/// Characters in an ingest token: 32 alphanumerics, about 190 bits.
const TOKEN_LEN: usize = 32;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/source", get(list).post(create))
        .route(
            "/source/{source_id}",
            get(read).put(replace).patch(patch).delete(remove),
        )
        .route("/source/{source_id}/token/rotate", post(rotate_token))
        .route("/source/{source_id}/log", get(log))
        .route("/source/{source_id}/log/{event_id}", get(log_entry))
        .route("/source/{source_id}/log/{event_id}/body", get(log_body))
}

/// A fresh unguessable ingest token.
fn new_token() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), TOKEN_LEN)
}

/// The base of ingest URLs: the configured public URL, else this request's host over http.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.inbound.public_url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// The source named by id or uid.
pub(crate) async fn lookup(state: &AppState, id_or_uid: &str) -> ApiResult<Source> {
    state
        .store
        .get_source(id_or_uid)
        .await?
        .ok_or_else(|| ApiError::not_found("source"))
}

fn build(fields: SourceFields, now: Timestamp) -> Source {
    Source {
        id: SourceId::generate(),
        uid: fields.uid,
        name: fields.name,
        app_id: AppId::generate(),
        source_type: fields.source_type,
        config: fields.config,
        ingest_token: new_token(),
        allowed_ips: fields.allowed_ips,
        dedupe_window_secs: fields.dedupe_window_secs,
        metadata: fields.metadata,
        created_at: now,
        updated_at: now,
    }
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> ApiResult<Json<ListResponse<IngestSourceOut>>> {
    let base = base_url(&state, &headers);
    let page = state
        .store
        .list_sources(&params.page(Order::Ascending)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, |s| {
        IngestSourceOut::render(s, &base)
    })))
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    ValidJson(body): ValidJson<IngestSourceIn>,
) -> ApiResult<(StatusCode, Json<IngestSourceOut>)> {
    let source = build(body.validate()?, Timestamp::now());
    let source = state.store.create_source(source).await?;
    let base = base_url(&state, &headers);
    Ok((
        StatusCode::CREATED,
        Json(IngestSourceOut::render(source, &base)),
    ))
}

async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(source_id): Path<String>,
) -> ApiResult<Json<IngestSourceOut>> {
    let source = lookup(&state, &source_id).await?;
    Ok(Json(IngestSourceOut::render(
        source,
        &base_url(&state, &headers),
    )))
}

/// Replaces the source's settings (its ingest token is kept), creating it with the path as its
/// uid when absent.
async fn replace(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(source_id): Path<String>,
    ValidJson(body): ValidJson<IngestSourceIn>,
) -> ApiResult<(StatusCode, Json<IngestSourceOut>)> {
    let mut fields = body.validate()?;
    let base = base_url(&state, &headers);
    let now = Timestamp::now();
    let Some(existing) = state.store.get_source(&source_id).await? else {
        if fields.uid.is_none() {
            let uid =
                parse_uid(source_id).map_err(|e| ApiError::field(&["path", "source_id"], e))?;
            fields.uid = Some(uid);
        }
        let source = state.store.create_source(build(fields, now)).await?;
        return Ok((
            StatusCode::CREATED,
            Json(IngestSourceOut::render(source, &base)),
        ));
    };
    let source = Source {
        uid: fields.uid,
        name: fields.name,
        source_type: fields.source_type,
        config: fields.config,
        allowed_ips: fields.allowed_ips,
        dedupe_window_secs: fields.dedupe_window_secs,
        metadata: fields.metadata,
        updated_at: now,
        ..existing
    };
    let source = state.store.update_source(source).await?;
    Ok((StatusCode::OK, Json(IngestSourceOut::render(source, &base))))
}

async fn patch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(source_id): Path<String>,
    ValidJson(body): ValidJson<IngestSourcePatch>,
) -> ApiResult<Json<IngestSourceOut>> {
    let mut source = lookup(&state, &source_id).await?;
    body.apply(&mut source, Timestamp::now())?;
    let source = state.store.update_source(source).await?;
    Ok(Json(IngestSourceOut::render(
        source,
        &base_url(&state, &headers),
    )))
}

async fn remove(
    State(state): State<AppState>,
    Path(source_id): Path<String>,
) -> ApiResult<StatusCode> {
    let source = lookup(&state, &source_id).await?;
    state.store.delete_source(&source.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives the source a new ingest token; the old ingest URL stops working at once.
async fn rotate_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(source_id): Path<String>,
) -> ApiResult<Json<RotateTokenOut>> {
    let mut source = lookup(&state, &source_id).await?;
    source.ingest_token = new_token();
    source.updated_at = Timestamp::now();
    let source = state.store.update_source(source).await?;
    Ok(Json(RotateTokenOut {
        ingest_url: ingest_url(&base_url(&state, &headers), &source),
    }))
}

async fn log(
    State(state): State<AppState>,
    Path(source_id): Path<String>,
    params: Params,
) -> ApiResult<Json<ListResponse<IngestLogOut>>> {
    let source = lookup(&state, &source_id).await?;
    let page = state
        .store
        .list_inbound_events(&source.id, &params.page(Order::Descending)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, IngestLogOut::from)))
}

async fn log_entry(
    State(state): State<AppState>,
    Path((source_id, event_id)): Path<(String, String)>,
) -> ApiResult<Json<IngestLogOut>> {
    let source = lookup(&state, &source_id).await?;
    let event = state
        .store
        .get_inbound_event(&source.id, &event_id)
        .await?
        .ok_or_else(|| ApiError::not_found("inbound event"))?;
    Ok(Json(event.into()))
}

/// The event's body exactly as received, with its original content type: for consumers that
/// pull events instead of having them pushed.
async fn log_body(
    State(state): State<AppState>,
    Path((source_id, event_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let source = lookup(&state, &source_id).await?;
    let event = state
        .store
        .get_inbound_event(&source.id, &event_id)
        .await?
        .ok_or_else(|| ApiError::not_found("inbound event"))?;
    let content_type = event
        .content_type
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    Ok(([(header::CONTENT_TYPE, content_type)], event.body).into_response())
}
