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

use super::openapi::*;
#[allow(unused_imports)]
use super::sealed;
use super::wire::{
    IngestLogOut, IngestSourceIn, IngestSourceOut, IngestSourcePatch, RotateTokenOut, SourceFields,
    ingest_url, parse_uid,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, ValidJson};
#[allow(unused_imports)]
use crate::openapi::params::ListParams;
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

/// The base of ingest URLs: the configured public URL, else this request's host over http,
/// then `/in` (and the environment, for an environment other than the default one).
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let origin = match &state.config.inbound.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    };
    // Sources of environments other than the default one receive under their environment.
    match &state.environment {
        None => format!("{origin}/in"),
        Some(env) => format!("{origin}/in/{env}"),
    }
}

/// The source named by id or uid.
pub(crate) async fn lookup(state: &AppState, id_or_uid: &str) -> ApiResult<Source> {
    sealed::get(state, id_or_uid)
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

/// List the sources, oldest first.
#[utoipa::path(get, path = "/ingest/api/v1/source", tag = "Ingest Source", operation_id = "v1.ingest.source.list",
    params(ListParams),
    responses((status = 200, description = "A page of sources", body = ListResponse<IngestSourceOut>)))]
async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> ApiResult<Json<ListResponse<IngestSourceOut>>> {
    let base = base_url(&state, &headers);
    let page = sealed::list(&state, &params.page(Order::Ascending)?).await?;
    Ok(Json(ListResponse::from_page(page, |s| {
        IngestSourceOut::render(s, &base)
    })))
}

/// Create a source; its `type` and `config` choose how requests to its `ingestUrl` are verified.
#[utoipa::path(post, path = "/ingest/api/v1/source", tag = "Ingest Source", operation_id = "v1.ingest.source.create",
    request_body = IngestSourceIn,
    responses((status = 201, description = "The new source, with its ingest URL", body = IngestSourceOut)))]
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    ValidJson(body): ValidJson<IngestSourceIn>,
) -> ApiResult<(StatusCode, Json<IngestSourceOut>)> {
    let source = build(body.validate()?, Timestamp::now());
    let source = sealed::create(&state, source).await?;
    let base = base_url(&state, &headers);
    Ok((
        StatusCode::CREATED,
        Json(IngestSourceOut::render(source, &base)),
    ))
}

/// Get a source.
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}", tag = "Ingest Source", operation_id = "v1.ingest.source.get",
    params(SourcePath),
    responses((status = 200, description = "The source", body = IngestSourceOut)))]
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
#[utoipa::path(put, path = "/ingest/api/v1/source/{source_id}", tag = "Ingest Source", operation_id = "v1.ingest.source.upsert",
    params(SourcePath), request_body = IngestSourceIn,
    responses(
        (status = 200, description = "The updated source", body = IngestSourceOut),
        (status = 201, description = "The source was created with the path as its uid", body = IngestSourceOut)))]
async fn replace(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(source_id): Path<String>,
    ValidJson(body): ValidJson<IngestSourceIn>,
) -> ApiResult<(StatusCode, Json<IngestSourceOut>)> {
    let mut fields = body.validate()?;
    let base = base_url(&state, &headers);
    let now = Timestamp::now();
    let Some(existing) = sealed::get(&state, &source_id).await? else {
        if fields.uid.is_none() {
            let uid =
                parse_uid(source_id).map_err(|e| ApiError::field(&["path", "source_id"], e))?;
            fields.uid = Some(uid);
        }
        let source = sealed::create(&state, build(fields, now)).await?;
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
    let source = sealed::update(&state, source).await?;
    Ok((StatusCode::OK, Json(IngestSourceOut::render(source, &base))))
}

/// Change some of a source's fields (`name`, `uid`, `metadata`, `allowedIps`,
/// `dedupeWindowSecs`); the scheme is changed with PUT.
#[utoipa::path(patch, path = "/ingest/api/v1/source/{source_id}", tag = "Ingest Source", operation_id = "v1.ingest.source.patch",
    params(SourcePath), request_body = IngestSourcePatch,
    responses((status = 200, description = "The updated source", body = IngestSourceOut)))]
async fn patch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(source_id): Path<String>,
    ValidJson(body): ValidJson<IngestSourcePatch>,
) -> ApiResult<Json<IngestSourceOut>> {
    let mut source = lookup(&state, &source_id).await?;
    body.apply(&mut source, Timestamp::now())?;
    let source = sealed::update(&state, source).await?;
    Ok(Json(IngestSourceOut::render(
        source,
        &base_url(&state, &headers),
    )))
}

/// Delete a source with its endpoints, accepted events and pending forwards.
#[utoipa::path(delete, path = "/ingest/api/v1/source/{source_id}", tag = "Ingest Source", operation_id = "v1.ingest.source.delete",
    params(SourcePath),
    responses((status = 204, description = "Deleted")))]
async fn remove(
    State(state): State<AppState>,
    Path(source_id): Path<String>,
) -> ApiResult<StatusCode> {
    let source = lookup(&state, &source_id).await?;
    state.store.delete_source(&source.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives the source a new ingest token; the old ingest URL stops working at once.
#[utoipa::path(post, path = "/ingest/api/v1/source/{source_id}/token/rotate", tag = "Ingest Source", operation_id = "v1.ingest.source.rotate-token",
    params(SourcePath),
    responses((status = 200, description = "The new ingest URL", body = RotateTokenOut)))]
async fn rotate_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(source_id): Path<String>,
) -> ApiResult<Json<RotateTokenOut>> {
    let mut source = lookup(&state, &source_id).await?;
    source.ingest_token = new_token();
    source.updated_at = Timestamp::now();
    let source = sealed::update(&state, source).await?;
    Ok(Json(RotateTokenOut {
        ingest_url: ingest_url(&base_url(&state, &headers), &source),
    }))
}

/// List a source's accepted events, newest first.
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}/log", tag = "Ingest Logs", operation_id = "v1.ingest.log.list",
    params(SourcePath, ListParams),
    responses((status = 200, description = "A page of accepted events", body = ListResponse<IngestLogOut>)))]
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

/// Get one accepted event.
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}/log/{event_id}", tag = "Ingest Logs", operation_id = "v1.ingest.log.get",
    params(SourceEventPath),
    responses((status = 200, description = "The event", body = IngestLogOut)))]
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
#[utoipa::path(get, path = "/ingest/api/v1/source/{source_id}/log/{event_id}/body", tag = "Ingest Logs", operation_id = "v1.ingest.log.get-body",
    params(SourceEventPath),
    responses((status = 200, description = "The body byte for byte, with the `Content-Type` it was received with (`application/octet-stream` when it had none)", content_type = "*/*", body = String)))]
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
