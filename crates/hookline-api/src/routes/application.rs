//! `/app`: applications.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hookline_core::Timestamp;
use hookline_store::Order;

use super::lookup;
use crate::error::ApiResult;
use crate::extract::{Params, ValidJson};
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::ListResponse;
use crate::wire::application::{ApplicationIn, ApplicationOut, ApplicationPatch};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/app", get(list).post(create)).route(
        "/app/{app_id}",
        get(read).put(replace).patch(patch).delete(remove),
    )
}

/// List applications, oldest first.
#[utoipa::path(get, path = "/api/v1/app", tag = "Application", operation_id = "v1.application.list",
    params(ListParams),
    responses((status = 200, description = "A page of applications", body = ListResponse<ApplicationOut>)))]
async fn list(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<ListResponse<ApplicationOut>>> {
    let page = state
        .store
        .list_apps(&params.page(Order::Ascending)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, ApplicationOut::from)))
}

/// Create an application.
#[utoipa::path(post, path = "/api/v1/app", tag = "Application", operation_id = "v1.application.create",
    params(GetIfExists), request_body = ApplicationIn,
    responses(
        (status = 201, description = "The new application", body = ApplicationOut),
        (status = 200, description = "With `get_if_exists=true`: the existing application with this uid", body = ApplicationOut)))]
async fn create(
    State(state): State<AppState>,
    params: Params,
    ValidJson(body): ValidJson<ApplicationIn>,
) -> ApiResult<(StatusCode, Json<ApplicationOut>)> {
    let fields = body.validate()?;
    if params.flag("get_if_exists", false)?
        && let Some(uid) = &fields.uid
        && let Some(existing) = state.store.get_app(uid.as_str()).await?
    {
        return Ok((StatusCode::OK, Json(existing.into())));
    }
    let now = Timestamp::now();
    let mut app = lookup::blank_app(now);
    fields.apply(&mut app, now);
    let app = state.store.create_app(app).await?;
    Ok((StatusCode::CREATED, Json(app.into())))
}

/// Get an application.
#[utoipa::path(get, path = "/api/v1/app/{app_id}", tag = "Application", operation_id = "v1.application.get",
    params(AppPath),
    responses((status = 200, description = "The application", body = ApplicationOut)))]
async fn read(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
) -> ApiResult<Json<ApplicationOut>> {
    Ok(Json(lookup::app(&state, &app_id).await?.into()))
}

/// Replaces the application, creating it (with the path as its uid) when absent.
#[utoipa::path(put, path = "/api/v1/app/{app_id}", tag = "Application", operation_id = "v1.application.update",
    params(AppPath), request_body = ApplicationIn,
    responses(
        (status = 200, description = "The updated application", body = ApplicationOut),
        (status = 201, description = "The application was created with the path as its uid", body = ApplicationOut)))]
async fn replace(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ValidJson(body): ValidJson<ApplicationIn>,
) -> ApiResult<(StatusCode, Json<ApplicationOut>)> {
    let fields = body.validate()?;
    let now = Timestamp::now();
    if let Some(mut app) = state.store.get_app(&app_id).await? {
        fields.apply(&mut app, now);
        let app = state.store.update_app(app).await?;
        return Ok((StatusCode::OK, Json(app.into())));
    }
    let app = lookup::new_app(&app_id, fields, now)?;
    let app = state.store.create_app(app).await?;
    Ok((StatusCode::CREATED, Json(app.into())))
}

/// Change some fields of an application.
#[utoipa::path(patch, path = "/api/v1/app/{app_id}", tag = "Application", operation_id = "v1.application.patch",
    params(AppPath), request_body = ApplicationPatch,
    responses((status = 200, description = "The updated application", body = ApplicationOut)))]
async fn patch(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ValidJson(body): ValidJson<ApplicationPatch>,
) -> ApiResult<Json<ApplicationOut>> {
    let mut app = lookup::app(&state, &app_id).await?;
    body.apply(&mut app, Timestamp::now())?;
    Ok(Json(state.store.update_app(app).await?.into()))
}

/// Delete an application with its endpoints and messages.
#[utoipa::path(delete, path = "/api/v1/app/{app_id}", tag = "Application", operation_id = "v1.application.delete",
    params(AppPath),
    responses((status = 204, description = "Deleted")))]
async fn remove(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
) -> ApiResult<StatusCode> {
    let app = lookup::app(&state, &app_id).await?;
    state.store.delete_app(&app.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
