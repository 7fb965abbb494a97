//! Finding the resources a path names, with the 404 a caller expects.

use hookline_core::model::{Application, Endpoint, Message};
use hookline_core::{AppId, Timestamp, Uid};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::wire::application::{ApplicationFields, ApplicationIn};

/// A new application with `fields`; the path's `app_id` becomes its uid when the body gave none
/// (the contract's "create on the fly" for `PUT /app/{id}`, messages and portal access).
pub(crate) fn new_app(
    app_id: &str,
    mut fields: ApplicationFields,
    now: Timestamp,
) -> ApiResult<Application> {
    if fields.uid.is_none() {
        fields.uid = Some(
            Uid::parse(app_id).map_err(|e| ApiError::field(&["path", "app_id"], e.to_string()))?,
        );
    }
    let mut app = blank_app(now);
    fields.apply(&mut app, now);
    Ok(app)
}

/// An application with a fresh id and nothing else yet, for `ApplicationFields::apply`.
pub(crate) fn blank_app(now: Timestamp) -> Application {
    Application {
        id: AppId::generate(),
        uid: None,
        name: String::new(),
        metadata: Default::default(),
        throttle_rate: None,
        created_at: now,
        updated_at: now,
    }
}

/// The application named by id or uid, created from `application` when absent and given.
pub(crate) async fn app_or_create(
    state: &AppState,
    app_id: &str,
    application: Option<&ApplicationIn>,
) -> ApiResult<Application> {
    if let Some(app) = state.store.get_app(app_id).await? {
        return Ok(app);
    }
    let Some(app_in) = application.cloned() else {
        return Err(ApiError::not_found("application"));
    };
    let app = new_app(app_id, app_in.validate()?, Timestamp::now())?;
    Ok(state.store.create_app(app).await?)
}

/// The application named by id or uid.
pub(crate) async fn app(state: &AppState, id_or_uid: &str) -> ApiResult<Application> {
    state
        .store
        .get_app(id_or_uid)
        .await?
        .ok_or_else(|| ApiError::not_found("application"))
}

/// The endpoint of `app` named by id or uid.
pub(crate) async fn endpoint(
    state: &AppState,
    app: &Application,
    id_or_uid: &str,
) -> ApiResult<Endpoint> {
    state
        .store
        .get_endpoint(&app.id, id_or_uid)
        .await?
        .ok_or_else(|| ApiError::not_found("endpoint"))
}

/// The message of `app` named by id or event id.
pub(crate) async fn message(
    state: &AppState,
    app: &Application,
    id_or_event_id: &str,
) -> ApiResult<Message> {
    state
        .store
        .get_message(&app.id, id_or_event_id)
        .await?
        .ok_or_else(|| ApiError::not_found("message"))
}
