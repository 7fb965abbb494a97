//! Event types.

use hookline_core::EventTypeName;
use hookline_core::model::EventType;
use rusqlite::{Connection, OptionalExtension, named_params};

use super::list::Listing;
use super::rows::{self, EVENT_TYPE_COLUMNS, to_json};
use crate::page::{Page, PageRequest};
use crate::{StoreError, StoreResult};

const UPSERT: &str = "INSERT INTO event_types
    (name, description, archived, deprecated, schemas, feature_flag, group_name, created_at, updated_at)
    VALUES (:name, :description, :archived, :deprecated, :schemas, :feature_flag, :group_name, :created_at, :updated_at)";

fn write(conn: &Connection, sql: &str, et: &EventType) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(named_params! {
        ":name": et.name.as_str(),
        ":description": et.description,
        ":archived": et.archived,
        ":deprecated": et.deprecated,
        ":schemas": et.schemas.as_ref().map(to_json),
        ":feature_flag": et.feature_flag,
        ":group_name": et.group_name,
        ":created_at": et.created_at.as_millis(),
        ":updated_at": et.updated_at.as_millis(),
    })
}

pub(crate) fn create(conn: &Connection, et: EventType) -> StoreResult<EventType> {
    write(conn, UPSERT, &et).map_err(|err| match StoreError::from(err) {
        StoreError::Conflict(_) => {
            StoreError::Conflict(format!("event type '{}' already exists", et.name))
        }
        other => other,
    })?;
    Ok(et)
}

pub(crate) fn upsert(conn: &Connection, et: EventType) -> StoreResult<EventType> {
    let sql = format!(
        "{UPSERT} ON CONFLICT (name) DO UPDATE SET description = excluded.description,
         archived = excluded.archived, deprecated = excluded.deprecated, schemas = excluded.schemas,
         feature_flag = excluded.feature_flag, group_name = excluded.group_name,
         updated_at = excluded.updated_at"
    );
    write(conn, &sql, &et)?;
    get(conn, et.name.as_str())?.ok_or(StoreError::NotFound)
}

pub(crate) fn get(conn: &Connection, name: &str) -> StoreResult<Option<EventType>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {EVENT_TYPE_COLUMNS} FROM event_types t WHERE t.name = ?1"
        ))?
        .query_row([name], rows::event_type)
        .optional()?)
}

pub(crate) fn list(
    conn: &Connection,
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
        listing.filter("t.archived = 0", vec![])
    };
    listing.fetch(conn, page, rows::event_type, |t| t.name.to_string())
}

pub(crate) fn delete(conn: &Connection, name: &EventTypeName) -> StoreResult<()> {
    let changed = conn
        .prepare_cached("DELETE FROM event_types WHERE name = ?1")?
        .execute([name.as_str()])?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
