//! Endpoints.

use hookline_core::model::Endpoint;
use hookline_core::{AppId, EndpointId};
use rusqlite::{Connection, OptionalExtension, named_params};

use super::list::{Listing, text};
use super::rows::{self, ENDPOINT_COLUMNS, to_json};
use crate::page::{Page, PageRequest};
use crate::{StoreError, StoreResult};

fn names<T: ToString>(list: &Option<Vec<T>>) -> Option<String> {
    list.as_ref()
        .map(|v| to_json(&v.iter().map(T::to_string).collect::<Vec<_>>()))
}

/// Runs `sql` with the endpoint's fields bound by name; fields the statement does not name
/// are skipped (updates leave the secret alone).
fn write(conn: &Connection, sql: &str, ep: &Endpoint) -> StoreResult<usize> {
    let mut stmt = conn.prepare_cached(sql)?;
    let all = named_params! {
        ":id": ep.id.as_str(),
        ":app_id": ep.app_id.as_str(),
        ":uid": ep.uid.as_ref().map(|u| u.as_str()),
        ":url": ep.url.as_str(),
        ":description": ep.description,
        ":event_types": names(&ep.event_types),
        ":channels": names(&ep.channels),
        ":disabled": ep.disabled,
        ":throttle_rate": ep.throttle_rate,
        ":metadata": to_json(&ep.metadata),
        ":headers": to_json(&ep.headers),
        ":secret": ep.secret,
        ":created_at": ep.created_at.as_millis(),
        ":updated_at": ep.updated_at.as_millis(),
    };
    let mut used = Vec::with_capacity(all.len());
    for param in all {
        if stmt.parameter_index(param.0)?.is_some() {
            used.push(*param);
        }
    }
    stmt.execute(used.as_slice())
        .map_err(|err| match StoreError::from(err) {
            StoreError::Conflict(_) => StoreError::Conflict(
                "an endpoint with this uid already exists in this application".into(),
            ),
            other => other,
        })
}

pub(crate) fn create(conn: &Connection, ep: Endpoint) -> StoreResult<Endpoint> {
    write(
        conn,
        "INSERT INTO endpoints (id, app_id, uid, url, description, event_types, channels, disabled,
         throttle_rate, metadata, headers, secret, created_at, updated_at)
         VALUES (:id, :app_id, :uid, :url, :description, :event_types, :channels, :disabled,
         :throttle_rate, :metadata, :headers, :secret, :created_at, :updated_at)",
        &ep,
    )?;
    Ok(ep)
}

pub(crate) fn update(conn: &Connection, ep: Endpoint) -> StoreResult<Endpoint> {
    let changed = write(
        conn,
        "UPDATE endpoints SET uid = :uid, url = :url, description = :description,
         event_types = :event_types, channels = :channels, disabled = :disabled,
         throttle_rate = :throttle_rate, metadata = :metadata, headers = :headers,
         created_at = :created_at, updated_at = :updated_at
         WHERE id = :id AND app_id = :app_id",
        &ep,
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(ep)
}

pub(crate) fn get(
    conn: &Connection,
    app: &AppId,
    id_or_uid: &str,
) -> StoreResult<Option<Endpoint>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM endpoints e
             WHERE e.app_id = ?1 AND (e.id = ?2 OR e.uid = ?2) LIMIT 1"
        ))?
        .query_row([app.as_str(), id_or_uid], rows::endpoint)
        .optional()?)
}

/// Every endpoint of an application, for fanning a message out.
pub(crate) fn all_for_app(conn: &Connection, app: &AppId) -> StoreResult<Vec<Endpoint>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM endpoints e WHERE e.app_id = ?1"
    ))?;
    let endpoints = stmt
        .query_map([app.as_str()], rows::endpoint)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(endpoints)
}

pub(crate) fn list(
    conn: &Connection,
    app: &AppId,
    page: &PageRequest,
) -> StoreResult<Page<Endpoint>> {
    Listing::new(
        format!("SELECT {ENDPOINT_COLUMNS} FROM endpoints e"),
        "e.id",
    )
    .filter("e.app_id = ?", text(app.as_str()))
    .fetch(conn, page, rows::endpoint, |e| e.id.to_string())
}

pub(crate) fn delete(conn: &Connection, app: &AppId, id: &EndpointId) -> StoreResult<()> {
    let changed = conn
        .prepare_cached("DELETE FROM endpoints WHERE id = ?1 AND app_id = ?2")?
        .execute([id.as_str(), app.as_str()])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
