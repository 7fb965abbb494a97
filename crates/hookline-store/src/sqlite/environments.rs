//! The environment registry in SQLite.

use async_trait::async_trait;
use hookline_core::{EnvId, Timestamp};
use rusqlite::{OptionalExtension, Row};

use super::SqliteStore;
use super::list::Listing;
use crate::environments::{Environment, EnvironmentStore};
use crate::page::{Page, PageRequest};
use crate::{StoreError, StoreResult};

const COLUMNS: &str = "e.id, e.name, e.created_at";

fn row_to_environment(row: &Row<'_>) -> rusqlite::Result<Environment> {
    Ok(Environment {
        id: EnvId::from_trusted(row.get(0)?),
        name: row.get(1)?,
        created_at: Timestamp::from_millis(row.get(2)?),
    })
}

#[async_trait]
impl EnvironmentStore for SqliteStore {
    async fn create_environment(&self, environment: Environment) -> StoreResult<Environment> {
        self.writer
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO environments (id, name, created_at) VALUES (?1, ?2, ?3)",
                )?
                .execute(rusqlite::params![
                    environment.id.as_str(),
                    environment.name,
                    environment.created_at.as_millis()
                ])?;
                Ok(environment)
            })
            .await
    }

    async fn get_environment(&self, id: &EnvId) -> StoreResult<Option<Environment>> {
        let id = id.as_str().to_owned();
        self.readers
            .read(move |c| {
                Ok(c.prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM environments e WHERE e.id = ?1"
                ))?
                .query_row([id], row_to_environment)
                .optional()?)
            })
            .await
    }

    async fn list_environments(&self, page: &PageRequest) -> StoreResult<Page<Environment>> {
        let page = page.clone();
        self.readers
            .read(move |c| {
                Listing::new(format!("SELECT {COLUMNS} FROM environments e"), "e.id").fetch(
                    c,
                    &page,
                    row_to_environment,
                    |e| e.id.to_string(),
                )
            })
            .await
    }

    async fn delete_environment(&self, id: &EnvId) -> StoreResult<()> {
        let id = id.as_str().to_owned();
        self.writer
            .write(move |c| {
                match c
                    .prepare_cached("DELETE FROM environments WHERE id = ?1")?
                    .execute([id])?
                {
                    0 => Err(StoreError::NotFound),
                    _ => Ok(()),
                }
            })
            .await
    }
}
