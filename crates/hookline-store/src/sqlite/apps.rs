//! Applications.

use hookline_core::AppId;
use hookline_core::model::Application;
use rusqlite::{Connection, OptionalExtension, named_params};

use super::list::Listing;
use super::rows::{self, APP_COLUMNS, to_json};
use crate::page::{Page, PageRequest};
use crate::{StoreError, StoreResult};

pub(crate) fn create(conn: &Connection, app: Application) -> StoreResult<Application> {
    conn.prepare_cached(
        "INSERT INTO applications (id, uid, name, metadata, throttle_rate, created_at, updated_at)
         VALUES (:id, :uid, :name, :metadata, :throttle_rate, :created_at, :updated_at)",
    )?
    .execute(named_params! {
        ":id": app.id.as_str(),
        ":uid": app.uid.as_ref().map(|u| u.as_str()),
        ":name": app.name,
        ":metadata": to_json(&app.metadata),
        ":throttle_rate": app.throttle_rate,
        ":created_at": app.created_at.as_millis(),
        ":updated_at": app.updated_at.as_millis(),
    })
    .map_err(uid_conflict)?;
    Ok(app)
}

pub(crate) fn get(conn: &Connection, id_or_uid: &str) -> StoreResult<Option<Application>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {APP_COLUMNS} FROM applications a
             WHERE (a.id = ?1 OR a.uid = ?1) AND a.kind = 'customer' LIMIT 1"
        ))?
        .query_row([id_or_uid], rows::application)
        .optional()?)
}

pub(crate) fn list(conn: &Connection, page: &PageRequest) -> StoreResult<Page<Application>> {
    // Internal applications (owned by sources, operational webhooks) are not the caller's.
    Listing::new(format!("SELECT {APP_COLUMNS} FROM applications a"), "a.id")
        .filter("a.kind = 'customer'", Vec::new())
        .fetch(conn, page, rows::application, |a| a.id.to_string())
}

pub(crate) fn update(conn: &Connection, app: Application) -> StoreResult<Application> {
    let changed = conn
        .prepare_cached(
            "UPDATE applications SET uid = :uid, name = :name, metadata = :metadata,
             throttle_rate = :throttle_rate, updated_at = :updated_at WHERE id = :id",
        )?
        .execute(named_params! {
            ":id": app.id.as_str(),
            ":uid": app.uid.as_ref().map(|u| u.as_str()),
            ":name": app.name,
            ":metadata": to_json(&app.metadata),
            ":throttle_rate": app.throttle_rate,
            ":updated_at": app.updated_at.as_millis(),
        })
        .map_err(uid_conflict)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(app)
}

pub(crate) fn delete(conn: &Connection, id: &AppId) -> StoreResult<()> {
    // Attempts reference deliveries, which reference messages and endpoints: the cascade removes
    // the whole tree.
    let changed = conn
        .prepare_cached("DELETE FROM applications WHERE id = ?1")?
        .execute([id.as_str()])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

fn uid_conflict(err: rusqlite::Error) -> StoreError {
    match StoreError::from(err) {
        StoreError::Conflict(_) => {
            StoreError::Conflict("an application with this uid already exists".into())
        }
        other => other,
    }
}
