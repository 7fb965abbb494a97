//! `/environment`: creating, listing and deleting environments (a Hookline extension; admin
//! token only, enforced by [`crate::auth::access`]). Every environment's router serves these
//! routes alike: they manage the one registry, whichever environment the request was sent to.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hookline_core::EnvId;
use hookline_store::Order;
use utoipa::IntoParams;

use crate::environments::EnvironmentHost;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Params, ValidJson};
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::ListResponse;
use crate::wire::environment::{EnvironmentIn, EnvironmentOut};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/environment", get(list).post(create))
        .route("/environment/{env_id}", get(read).delete(remove))
}

/// `{env_id}`: an environment.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct EnvironmentPath {
    /// The environment's id (`env_...`).
    #[param(example = "env_2yZwUhtgs5Ai8T9yRQJXAb")]
    #[allow(dead_code)]
    env_id: String,
}

fn host(state: &AppState) -> ApiResult<&Arc<dyn EnvironmentHost>> {
    state
        .environments
        .as_ref()
        .ok_or_else(|| ApiError::Unavailable("this server runs no environments".into()))
}

fn env_id(raw: &str) -> ApiResult<EnvId> {
    EnvId::parse(raw).ok_or_else(|| ApiError::not_found("environment"))
}

/// List environments, oldest first (admin token only). The default environment, which has
/// no id, is not listed.
#[utoipa::path(get, path = "/api/v1/environment", tag = "Environment", operation_id = "v1.environment.list",
    params(ListParams),
    responses(
        (status = 200, description = "A page of environments", body = ListResponse<EnvironmentOut>),
        (status = 403, description = "Only the admin token manages environments", body = crate::error::HttpErrorOut)))]
async fn list(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<ListResponse<EnvironmentOut>>> {
    let page = host(&state)?.list(&params.page(Order::Ascending)?).await?;
    Ok(Json(ListResponse::from_page(page, EnvironmentOut::from)))
}

/// Create an environment: a separate organisation with its own applications, event types,
/// sources, keys and deliveries (admin token only).
///
/// Its data is kept apart from every other environment's (a database file, or a PostgreSQL
/// schema, of its own). Create its keys with the admin token and `Hookline-Environment: <id>`.
#[utoipa::path(post, path = "/api/v1/environment", tag = "Environment", operation_id = "v1.environment.create",
    request_body = EnvironmentIn,
    responses(
        (status = 201, description = "The new environment", body = EnvironmentOut),
        (status = 403, description = "Only the admin token manages environments", body = crate::error::HttpErrorOut)))]
async fn create(
    State(state): State<AppState>,
    ValidJson(body): ValidJson<EnvironmentIn>,
) -> ApiResult<(StatusCode, Json<EnvironmentOut>)> {
    let name = body.validate()?;
    let environment = host(&state)?.create(name).await?;
    Ok((StatusCode::CREATED, Json(environment.into())))
}

/// Get an environment (admin token only).
#[utoipa::path(get, path = "/api/v1/environment/{env_id}", tag = "Environment", operation_id = "v1.environment.get",
    params(EnvironmentPath),
    responses(
        (status = 200, description = "The environment", body = EnvironmentOut),
        (status = 403, description = "Only the admin token manages environments", body = crate::error::HttpErrorOut)))]
async fn read(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<EnvironmentOut>> {
    let environment = host(&state)?
        .get(&env_id(&raw)?)
        .await?
        .ok_or_else(|| ApiError::not_found("environment"))?;
    Ok(Json(environment.into()))
}

/// Delete an environment with everything in it: applications, messages, sources, keys
/// (admin token only). Its pending deliveries are dropped; this cannot be undone.
#[utoipa::path(delete, path = "/api/v1/environment/{env_id}", tag = "Environment", operation_id = "v1.environment.delete",
    params(EnvironmentPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only the admin token manages environments", body = crate::error::HttpErrorOut)))]
async fn remove(State(state): State<AppState>, Path(raw): Path<String>) -> ApiResult<StatusCode> {
    host(&state)?.delete(&env_id(&raw)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
