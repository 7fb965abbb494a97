//! Background tasks on PostgreSQL: one row per task, written by whichever node runs it.

use async_trait::async_trait;
use hookline_core::Timestamp;
use tokio_postgres::Row;

use super::PgStore;
use super::list::{Listing, text};
use super::rows::{RowExt, to_json};
use crate::page::{Page, PageRequest};
use crate::tasks::{BackgroundTask, TaskFilter, TaskStatus, TaskStore, ended, finished_event};
use crate::{StoreError, StoreResult};

const COLUMNS: &str = "k.id, k.kind, k.status, k.params, k.data, k.created_at, k.updated_at";

fn task(row: &Row) -> StoreResult<BackgroundTask> {
    let status: &str = row.col(2)?;
    Ok(BackgroundTask {
        id: row.col(0)?,
        kind: row.col(1)?,
        // A status this build does not know was written by a newer one; as SQLite does, it
        // reads as failed rather than making the whole listing unreadable.
        status: TaskStatus::parse(status).unwrap_or(TaskStatus::Failed),
        params: row.json(3)?,
        data: row.json(4)?,
        created_at: row.ts(5)?,
        updated_at: row.ts(6)?,
    })
}

#[async_trait]
impl TaskStore for PgStore {
    async fn create_task(&self, task: BackgroundTask) -> StoreResult<BackgroundTask> {
        let client = self.db.client().await?;
        let insert = client
            .prepare_cached(
                "INSERT INTO background_tasks (id, kind, status, params, data, created_at,
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .await?;
        client
            .execute(
                &insert,
                &[
                    &task.id,
                    &task.kind,
                    &task.status.as_str(),
                    &to_json(&task.params),
                    &to_json(&task.data),
                    &task.created_at.as_millis(),
                    &task.updated_at.as_millis(),
                ],
            )
            .await?;
        Ok(task)
    }

    async fn update_task(
        &self,
        id: &str,
        status: TaskStatus,
        data: serde_json::Value,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        // The row lock orders two nodes ending the same task: the second reads it as ended
        // and is refused, so the task is announced once.
        let lock = tx
            .prepare_cached("SELECT kind, status FROM background_tasks WHERE id = $1 FOR UPDATE")
            .await?;
        let row = tx
            .query_opt(&lock, &[&id])
            .await?
            .ok_or(StoreError::NotFound)?;
        let (kind, was): (String, String) = (row.col(0)?, row.col(1)?);
        if was != TaskStatus::Running.as_str() {
            return Err(ended(id, &was));
        }
        let update = tx
            .prepare_cached(
                "UPDATE background_tasks SET status = $2, data = $3, updated_at = $4
                 WHERE id = $1",
            )
            .await?;
        tx.execute(
            &update,
            &[&id, &status.as_str(), &to_json(&data), &now.as_millis()],
        )
        .await?;
        if status != TaskStatus::Running {
            let event = finished_event(id, kind, status, &data);
            super::operational::emit(&tx, vec![event]).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn get_task(&self, id: &str) -> StoreResult<Option<BackgroundTask>> {
        let client = self.db.client().await?;
        let select = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM background_tasks k WHERE k.id = $1"
            ))
            .await?;
        client
            .query_opt(&select, &[&id])
            .await?
            .as_ref()
            .map(task)
            .transpose()
    }

    async fn list_tasks(
        &self,
        filter: &TaskFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<BackgroundTask>> {
        Listing::new(format!("SELECT {COLUMNS} FROM background_tasks k"), "k.id")
            .filter_if(filter.status, "k.status = ?", |s| text(s.as_str()))
            .filter_if(filter.kind.clone(), "k.kind = ?", text)
            .fetch(&self.db, page, task, |t| t.id.clone())
            .await
    }
}
