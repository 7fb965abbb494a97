//! Applications (`../sqlite/apps.rs`).

use deadpool_postgres::GenericClient;
use hookline_core::AppId;
use hookline_core::model::Application;

use super::Db;
use super::conflict::named;
use super::list::Listing;
use super::rows::{self, APP_COLUMNS, to_json};
use crate::page::{Page, PageRequest};
use crate::{StoreError, StoreResult};

fn uid_taken() -> String {
    "an application with this uid already exists".into()
}

pub(crate) async fn create(c: &impl GenericClient, app: &Application) -> StoreResult<()> {
    let stmt = c
        .prepare_cached(
            "INSERT INTO applications (id, uid, name, metadata, throttle_rate, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &app.id.as_str(),
            &app.uid.as_ref().map(|u| u.as_str()),
            &app.name,
            &to_json(&app.metadata),
            &app.throttle_rate.map(i64::from),
            &app.created_at.as_millis(),
            &app.updated_at.as_millis(),
        ],
    )
    .await
    .map_err(|err| named(err, uid_taken))?;
    Ok(())
}

/// A customer application by id or uid (internal applications are not found here).
pub(crate) async fn get(
    c: &impl GenericClient,
    id_or_uid: &str,
) -> StoreResult<Option<Application>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {APP_COLUMNS} FROM applications a
             WHERE (a.id = $1 OR a.uid = $1) AND a.kind = 'customer' LIMIT 1"
        ))
        .await?;
    c.query_opt(&stmt, &[&id_or_uid])
        .await?
        .as_ref()
        .map(rows::application)
        .transpose()
}

pub(crate) async fn list(db: &Db, page: &PageRequest) -> StoreResult<Page<Application>> {
    // Internal applications (owned by sources, operational webhooks) are not the caller's.
    Listing::new(format!("SELECT {APP_COLUMNS} FROM applications a"), "a.id")
        .filter("a.kind = 'customer'", Vec::new())
        .fetch(db, page, rows::application, |a| a.id.to_string())
        .await
}

pub(crate) async fn update(c: &impl GenericClient, app: &Application) -> StoreResult<()> {
    let stmt = c
        .prepare_cached(
            "UPDATE applications SET uid = $2, name = $3, metadata = $4, throttle_rate = $5,
             updated_at = $6 WHERE id = $1",
        )
        .await?;
    let changed = c
        .execute(
            &stmt,
            &[
                &app.id.as_str(),
                &app.uid.as_ref().map(|u| u.as_str()),
                &app.name,
                &to_json(&app.metadata),
                &app.throttle_rate.map(i64::from),
                &app.updated_at.as_millis(),
            ],
        )
        .await
        .map_err(|err| named(err, uid_taken))?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes an application; the foreign keys cascade to its endpoints, messages, deliveries and
/// attempts.
pub(crate) async fn delete(c: &impl GenericClient, id: &AppId) -> StoreResult<()> {
    let stmt = c
        .prepare_cached("DELETE FROM applications WHERE id = $1")
        .await?;
    if c.execute(&stmt, &[&id.as_str()]).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
