//! Background tasks on SQLite.

use async_trait::async_trait;
use hookline_core::Timestamp;
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::list::{Listing, text};
use super::rows::to_json;
use crate::page::{Page, PageRequest};
use crate::tasks::{BackgroundTask, TaskFilter, TaskStatus, TaskStore, ended, finished_event};
use crate::{StoreError, StoreResult};

const COLUMNS: &str = "k.id, k.kind, k.status, k.params, k.data, k.created_at, k.updated_at";

fn json(row: &Row<'_>, idx: usize) -> rusqlite::Result<serde_json::Value> {
    let raw: String = row.get(idx)?;
    serde_json::from_str(&raw)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

fn task(row: &Row<'_>) -> rusqlite::Result<BackgroundTask> {
    let status: String = row.get(2)?;
    Ok(BackgroundTask {
        id: row.get(0)?,
        kind: row.get(1)?,
        status: TaskStatus::parse(&status).unwrap_or(TaskStatus::Failed),
        params: json(row, 3)?,
        data: json(row, 4)?,
        created_at: Timestamp::from_millis(row.get(5)?),
        updated_at: Timestamp::from_millis(row.get(6)?),
    })
}

fn create(conn: &Connection, task: BackgroundTask) -> StoreResult<BackgroundTask> {
    conn.prepare_cached(
        "INSERT INTO background_tasks (id, kind, status, params, data, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        task.id,
        task.kind,
        task.status.as_str(),
        to_json(&task.params),
        to_json(&task.data),
        task.created_at.as_millis(),
        task.updated_at.as_millis(),
    ])?;
    Ok(task)
}

/// Records progress or the outcome; the update that ends a running task announces it.
fn update(
    conn: &Connection,
    id: &str,
    status: TaskStatus,
    data: &serde_json::Value,
    now: Timestamp,
) -> StoreResult<()> {
    let (kind, was): (String, String) = conn
        .prepare_cached("SELECT kind, status FROM background_tasks WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(StoreError::NotFound)?;
    if was != TaskStatus::Running.as_str() {
        return Err(ended(id, &was));
    }
    conn.prepare_cached(
        "UPDATE background_tasks SET status = ?2, data = ?3, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, status.as_str(), to_json(data), now.as_millis()])?;
    if status != TaskStatus::Running {
        super::operational::emit(conn, vec![finished_event(id, kind, status, data)])?;
    }
    Ok(())
}

#[async_trait]
impl TaskStore for SqliteStore {
    async fn create_task(&self, task: BackgroundTask) -> StoreResult<BackgroundTask> {
        self.writer.write(move |c| create(c, task)).await
    }

    async fn update_task(
        &self,
        id: &str,
        status: TaskStatus,
        data: serde_json::Value,
        now: Timestamp,
    ) -> StoreResult<()> {
        let id = id.to_owned();
        self.writer
            .write(move |c| update(c, &id, status, &data, now))
            .await
    }

    async fn get_task(&self, id: &str) -> StoreResult<Option<BackgroundTask>> {
        let id = id.to_owned();
        self.readers
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM background_tasks k WHERE k.id = ?1"
                ))?
                .query_row([id], task)
                .optional()?)
            })
            .await
    }

    async fn list_tasks(
        &self,
        filter: &TaskFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<BackgroundTask>> {
        let (filter, page) = (filter.clone(), page.clone());
        self.readers
            .read(move |c| {
                Listing::new(format!("SELECT {COLUMNS} FROM background_tasks k"), "k.id")
                    .filter_if(filter.status, "k.status = ?", |s| text(s.as_str()))
                    .filter_if(filter.kind, "k.kind = ?", text)
                    .fetch(c, &page, task, |t| t.id.clone())
            })
            .await
    }
}
