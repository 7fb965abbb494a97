//! Endpoints (`../sqlite/endpoints.rs`).

use deadpool_postgres::GenericClient;
use hookline_core::model::Endpoint;
use hookline_core::{AppId, EndpointId};

use super::Db;
use super::conflict::named;
use super::list::{Listing, text};
use super::rows::{self, ENDPOINT_COLUMNS, to_json};
use crate::page::{Page, PageRequest};
use crate::{StoreError, StoreResult};

fn uid_taken() -> String {
    "an endpoint with this uid already exists in this application".into()
}

fn names<T: ToString>(list: &Option<Vec<T>>) -> Option<String> {
    list.as_ref()
        .map(|v| to_json(&v.iter().map(T::to_string).collect::<Vec<_>>()))
}

pub(crate) async fn create(c: &impl GenericClient, ep: &Endpoint) -> StoreResult<()> {
    let stmt = c
        .prepare_cached(
            "INSERT INTO endpoints (id, app_id, uid, url, description, event_types, channels,
             disabled, throttle_rate, metadata, headers, secret, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &ep.id.as_str(),
            &ep.app_id.as_str(),
            &ep.uid.as_ref().map(|u| u.as_str()),
            &ep.url.as_str(),
            &ep.description,
            &names(&ep.event_types),
            &names(&ep.channels),
            &ep.disabled,
            &ep.throttle_rate.map(i64::from),
            &to_json(&ep.metadata),
            &to_json(&ep.headers),
            &ep.secret,
            &ep.created_at.as_millis(),
            &ep.updated_at.as_millis(),
        ],
    )
    .await
    .map_err(|err| named(err, uid_taken))?;
    Ok(())
}

/// Writes everything but the secret, which changes only through
/// [`crate::EndpointSecretStore::replace_endpoint_secret`] so a concurrent rotation survives.
pub(crate) async fn update(c: &impl GenericClient, ep: &Endpoint) -> StoreResult<()> {
    let stmt = c
        .prepare_cached(
            "UPDATE endpoints SET uid = $3, url = $4, description = $5, event_types = $6,
             channels = $7, disabled = $8, throttle_rate = $9, metadata = $10, headers = $11,
             created_at = $12, updated_at = $13
             WHERE id = $1 AND app_id = $2",
        )
        .await?;
    let changed = c
        .execute(
            &stmt,
            &[
                &ep.id.as_str(),
                &ep.app_id.as_str(),
                &ep.uid.as_ref().map(|u| u.as_str()),
                &ep.url.as_str(),
                &ep.description,
                &names(&ep.event_types),
                &names(&ep.channels),
                &ep.disabled,
                &ep.throttle_rate.map(i64::from),
                &to_json(&ep.metadata),
                &to_json(&ep.headers),
                &ep.created_at.as_millis(),
                &ep.updated_at.as_millis(),
            ],
        )
        .await
        .map_err(|err| named(err, uid_taken))?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// An endpoint of `app` by id or uid.
pub(crate) async fn get(
    c: &impl GenericClient,
    app: &AppId,
    id_or_uid: &str,
) -> StoreResult<Option<Endpoint>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM endpoints e
             WHERE e.app_id = $1 AND (e.id = $2 OR e.uid = $2) LIMIT 1"
        ))
        .await?;
    c.query_opt(&stmt, &[&app.as_str(), &id_or_uid])
        .await?
        .as_ref()
        .map(rows::endpoint)
        .transpose()
}

/// Every endpoint of an application, for fanning a message out.
pub(crate) async fn all_for_app(c: &impl GenericClient, app: &AppId) -> StoreResult<Vec<Endpoint>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM endpoints e WHERE e.app_id = $1 ORDER BY e.id"
        ))
        .await?;
    rows::all(c.query(&stmt, &[&app.as_str()]).await?, rows::endpoint)
}

pub(crate) async fn list(db: &Db, app: &AppId, page: &PageRequest) -> StoreResult<Page<Endpoint>> {
    Listing::new(
        format!("SELECT {ENDPOINT_COLUMNS} FROM endpoints e"),
        "e.id",
    )
    .filter("e.app_id = ?", text(app.as_str()))
    .fetch(db, page, rows::endpoint, |e| e.id.to_string())
    .await
}

/// Deletes an endpoint; its deliveries, attempts and settings go with it.
pub(crate) async fn delete(
    c: &impl GenericClient,
    app: &AppId,
    id: &EndpointId,
) -> StoreResult<()> {
    let stmt = c
        .prepare_cached("DELETE FROM endpoints WHERE id = $1 AND app_id = $2")
        .await?;
    if c.execute(&stmt, &[&id.as_str(), &app.as_str()]).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
