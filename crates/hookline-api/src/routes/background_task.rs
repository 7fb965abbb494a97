//! `/background-task`: the progress and outcome of long jobs (recover, replay).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use hookline_store::Order;
use hookline_store::tasks::{TaskFilter, TaskStatus};

use crate::error::{ApiError, ApiResult};
use crate::extract::Params;
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::ListResponse;
use crate::wire::replay::BackgroundTaskOut;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/background-task", get(list))
        .route("/background-task/{task_id}", get(read))
}

/// List background tasks (replays, recoveries), newest first.
#[utoipa::path(get, path = "/api/v1/background-task", tag = "Background Task", operation_id = "v1.background-task.list",
    params(ListParams, TaskFilters),
    responses((status = 200, description = "A page of tasks", body = ListResponse<BackgroundTaskOut>)))]
async fn list(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<ListResponse<BackgroundTaskOut>>> {
    let status = params
        .get("status")
        .map(|s| {
            TaskStatus::parse(s).ok_or_else(|| {
                ApiError::field(&["query", "status"], "must be running, finished or failed")
            })
        })
        .transpose()?;
    let filter = TaskFilter {
        status,
        kind: params.get("task").map(str::to_owned),
    };
    let page = state
        .store
        .list_tasks(&filter, &params.page(Order::Descending)?)
        .await?;
    Ok(Json(ListResponse::from_page(page, BackgroundTaskOut::from)))
}

/// Get a background task's progress or result.
#[utoipa::path(get, path = "/api/v1/background-task/{task_id}", tag = "Background Task", operation_id = "v1.background-task.get",
    params(TaskPath),
    responses((status = 200, description = "The task", body = BackgroundTaskOut)))]
async fn read(
    State(state): State<AppState>,
    Path(task_id): Path<String>,
) -> ApiResult<Json<BackgroundTaskOut>> {
    let task = state
        .store
        .get_task(&task_id)
        .await?
        .ok_or_else(|| ApiError::not_found("background task"))?;
    Ok(Json(task.into()))
}
