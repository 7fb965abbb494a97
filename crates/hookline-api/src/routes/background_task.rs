//! `/background-task`: the progress and outcome of long jobs (recover, replay).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use hookline_store::Order;
use hookline_store::tasks::{TaskFilter, TaskStatus};

use crate::error::{ApiError, ApiResult};
use crate::extract::Params;
use crate::state::AppState;
use crate::wire::ListResponse;
use crate::wire::replay::BackgroundTaskOut;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/background-task", get(list))
        .route("/background-task/{task_id}", get(read))
}

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
