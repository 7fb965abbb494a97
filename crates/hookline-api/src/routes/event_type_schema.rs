//! Event types and their schemas: payload validation on ingest, and OpenAPI 3.1 export/import.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use hookline_core::model::EventType;
use hookline_core::{EventTypeName, Timestamp};
use hookline_store::{Order, PageRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;
#[allow(unused_imports)]
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ValidJson, parse_json};
#[allow(unused_imports)]
use crate::openapi::params::*;
use crate::state::AppState;
use crate::wire::Checks;
use crate::wire::openapi::{ImportIn, ImportOut, ImportOutData, Imported, export, read_spec};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/event-type/{name}/payload-validation",
            get(read_validation).put(set_validation),
        )
        .route(
            "/event-type/export/openapi",
            get(export_openapi).post(export_openapi),
        )
        .route("/event-type/import/openapi", post(import_openapi))
}

/// Whether message payloads of an event type are checked against its newest schema.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PayloadValidationInOut, example = json!({"enabled": true}))]
pub(crate) struct PayloadValidation {
    /// On or off (off by default).
    enabled: bool,
}

async fn find(state: &AppState, name: &str) -> ApiResult<EventType> {
    state
        .store
        .get_event_type(name)
        .await?
        .ok_or_else(|| ApiError::not_found("event type"))
}

/// Get whether message payloads of the event type are validated against its schema.
#[utoipa::path(get, path = "/api/v1/event-type/{name}/payload-validation", tag = "Event Type", operation_id = "v1.event-type.get-payload-validation",
    params(EventTypePath),
    responses((status = 200, description = "Whether validation is on", body = PayloadValidation)))]
async fn read_validation(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<PayloadValidation>> {
    let event_type = find(&state, &name).await?;
    let enabled = state
        .store
        .payload_validation(event_type.name.as_str())
        .await?;
    Ok(Json(PayloadValidation { enabled }))
}

/// Turn payload validation of the event type on or off.
///
/// When on, a message whose payload does not match the event type's newest schema is refused
/// with 422. Turning it on needs a schema (422 otherwise).
#[utoipa::path(put, path = "/api/v1/event-type/{name}/payload-validation", tag = "Event Type", operation_id = "v1.event-type.set-payload-validation",
    params(EventTypePath), request_body = PayloadValidation,
    responses((status = 200, description = "Whether validation is on", body = PayloadValidation)))]
async fn set_validation(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ValidJson(body): ValidJson<PayloadValidation>,
) -> ApiResult<Json<PayloadValidation>> {
    let event_type = find(&state, &name).await?;
    if body.enabled
        && event_type
            .schemas
            .as_ref()
            .and_then(crate::wire::schema::newest)
            .is_none()
    {
        return Err(ApiError::field(
            &["body", "enabled"],
            "the event type has no schema to check payloads against; set its schemas first",
        ));
    }
    state
        .store
        .set_payload_validation(event_type.name.as_str(), body.enabled)
        .await?;
    Ok(Json(body))
}

/// Every event type, archived ones included, page by page.
async fn all_event_types(state: &AppState) -> ApiResult<Vec<EventType>> {
    let mut all = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT, Order::Ascending);
    loop {
        let found = state.store.list_event_types(&page, true).await?;
        all.extend(found.items);
        match found.iterator {
            Some(next) if !found.done => page.iterator = Some(next),
            _ => return Ok(all),
        }
    }
}

/// Export the event types as an OpenAPI 3.1 document of `webhooks`.
///
/// Archived event types are left out; each webhook's body is the newest schema. Answered
/// directly (200), not as a background task; GET and POST are the same.
#[utoipa::path(method(get, post), path = "/api/v1/event-type/export/openapi", tag = "Event Type", operation_id = "v1.event-type.export-openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
async fn export_openapi(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(export(&all_event_types(&state).await?)))
}

/// `specRaw` as JSON or YAML (YAML is a superset of JSON; JSON is tried first for its
/// clearer errors on JSON input).
fn parse_spec_raw(raw: &str) -> ApiResult<Value> {
    if let Ok(spec) = parse_json::<Value>(raw.as_bytes()) {
        return Ok(spec);
    }
    let spec: Value = yaml_serde::from_str(raw).map_err(|err| {
        ApiError::field(
            &["body", "specRaw"],
            format!("must be an OpenAPI document in JSON or YAML ({err})"),
        )
    })?;
    if !spec.is_object() {
        return Err(ApiError::field(
            &["body", "specRaw"],
            "must be an OpenAPI document (a JSON or YAML object)",
        ));
    }
    Ok(spec)
}

/// Create or update event types from the `webhooks` of an OpenAPI 3 document (JSON or YAML).
///
/// With `dryRun`, nothing changes and `to_modify` lists what would; with `replaceAll`, event types
/// the spec does not list are archived. Sending both or neither of `spec` and `specRaw` is a 400.
#[utoipa::path(post, path = "/api/v1/event-type/import/openapi", tag = "Event Type", operation_id = "v1.event-type.import-openapi",
    request_body = ImportIn,
    responses((status = 200, description = "The event types changed (or that would be)", body = ImportOut)))]
async fn import_openapi(
    State(state): State<AppState>,
    ValidJson(body): ValidJson<ImportIn>,
) -> ApiResult<Json<ImportOut>> {
    let spec = match (body.spec, body.spec_raw) {
        (Some(spec), None) => spec,
        (None, Some(raw)) => parse_spec_raw(&raw)?,
        _ => {
            return Err(ApiError::BadRequest(
                "send the spec as exactly one of `spec` or `specRaw`".into(),
            ));
        }
    };
    let mut checks = Checks::default();
    let imported = read_spec(&mut checks, &spec);
    checks.done()?;
    if body.dry_run {
        let data = ImportOutData {
            modified: Vec::new(),
            to_modify: Some(imported),
        };
        return Ok(Json(ImportOut { data }));
    }
    let now = Timestamp::now();
    let existing = all_event_types(&state).await?;
    let mut modified = Vec::with_capacity(imported.len());
    for item in &imported {
        let current = existing.iter().find(|et| et.name.as_str() == item.name);
        state
            .store
            .upsert_event_type(merge(current, item, now)?)
            .await?;
        modified.push(item.name.clone());
    }
    if body.replace_all {
        for mut et in existing {
            if !et.archived && !imported.iter().any(|i| i.name == et.name.as_str()) {
                et.archived = true;
                et.updated_at = now;
                state.store.upsert_event_type(et).await?;
            }
        }
    }
    Ok(Json(ImportOut {
        data: ImportOutData {
            modified,
            to_modify: None,
        },
    }))
}

/// The event type an import leaves: the spec's fields over the current ones, unarchived.
fn merge(current: Option<&EventType>, item: &Imported, now: Timestamp) -> ApiResult<EventType> {
    let name = EventTypeName::parse(item.name.clone())
        .map_err(|e| ApiError::Internal(format!("an imported name went bad: {e}")))?;
    Ok(EventType {
        name,
        description: item.description.clone(),
        archived: false,
        deprecated: item.deprecated,
        schemas: item.schemas.clone(),
        feature_flag: current.and_then(|c| c.feature_flag.clone()),
        group_name: item
            .group_name
            .clone()
            .or_else(|| current.and_then(|c| c.group_name.clone())),
        created_at: current.map_or(now, |c| c.created_at),
        updated_at: now,
    })
}
