//! Event types (`../sqlite/event_types.rs`).

use deadpool_postgres::GenericClient;
use hookline_core::EventTypeName;
use hookline_core::model::EventType;

use super::Db;
use super::conflict::named;
use super::list::Listing;
use super::rows::{self, EVENT_TYPE_COLUMNS, to_json};
use crate::page::{Page, PageRequest};
use crate::{StoreError, StoreResult};

const INSERT: &str = "INSERT INTO event_types AS t
    (name, description, archived, deprecated, schemas, feature_flag, group_name, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

async fn write(
    c: &impl GenericClient,
    sql: &str,
    et: &EventType,
) -> Result<Vec<tokio_postgres::Row>, tokio_postgres::Error> {
    let stmt = c.prepare_cached(sql).await?;
    c.query(
        &stmt,
        &[
            &et.name.as_str(),
            &et.description,
            &et.archived,
            &et.deprecated,
            &et.schemas.as_ref().map(to_json),
            &et.feature_flag,
            &et.group_name,
            &et.created_at.as_millis(),
            &et.updated_at.as_millis(),
        ],
    )
    .await
}

pub(crate) async fn create(c: &impl GenericClient, et: &EventType) -> StoreResult<()> {
    write(c, INSERT, et)
        .await
        .map_err(|err| named(err, || format!("event type '{}' already exists", et.name)))?;
    Ok(())
}

/// Creates or replaces an event type (keeping its creation time) and returns it as stored.
pub(crate) async fn upsert(c: &impl GenericClient, et: &EventType) -> StoreResult<EventType> {
    let sql = format!(
        "{INSERT} ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description,
         archived = EXCLUDED.archived, deprecated = EXCLUDED.deprecated, schemas = EXCLUDED.schemas,
         feature_flag = EXCLUDED.feature_flag, group_name = EXCLUDED.group_name,
         updated_at = EXCLUDED.updated_at
         RETURNING {EVENT_TYPE_COLUMNS}"
    );
    let rows = write(c, &sql, et).await?;
    rows.first()
        .map(rows::event_type)
        .ok_or(StoreError::NotFound)?
}

pub(crate) async fn get(c: &impl GenericClient, name: &str) -> StoreResult<Option<EventType>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {EVENT_TYPE_COLUMNS} FROM event_types t WHERE t.name = $1"
        ))
        .await?;
    c.query_opt(&stmt, &[&name])
        .await?
        .as_ref()
        .map(rows::event_type)
        .transpose()
}

pub(crate) async fn list(
    db: &Db,
    page: &PageRequest,
    include_archived: bool,
) -> StoreResult<Page<EventType>> {
    let listing = Listing::new(
        format!("SELECT {EVENT_TYPE_COLUMNS} FROM event_types t"),
        "t.name",
    );
    let listing = if include_archived {
        listing
    } else {
        listing.filter("NOT t.archived", Vec::new())
    };
    listing
        .fetch(db, page, rows::event_type, |t| t.name.to_string())
        .await
}

pub(crate) async fn delete(c: &impl GenericClient, name: &EventTypeName) -> StoreResult<()> {
    let stmt = c
        .prepare_cached("DELETE FROM event_types WHERE name = $1")
        .await?;
    if c.execute(&stmt, &[&name.as_str()]).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
