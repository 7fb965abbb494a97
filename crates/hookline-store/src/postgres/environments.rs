//! The environment registry in PostgreSQL (`../sqlite/environments.rs`).

use async_trait::async_trait;
use hookline_core::EnvId;
use tokio_postgres::Row;

use super::PgStore;
use super::list::Listing;
use super::rows::RowExt;
use crate::environments::{Environment, EnvironmentStore};
use crate::page::{Page, PageRequest};
use crate::{StoreError, StoreResult};

const COLUMNS: &str = "e.id, e.name, e.created_at";

fn environment(row: &Row) -> StoreResult<Environment> {
    Ok(Environment {
        id: EnvId::from_trusted(row.col(0)?),
        name: row.col(1)?,
        created_at: row.ts(2)?,
    })
}

#[async_trait]
impl EnvironmentStore for PgStore {
    async fn create_environment(&self, environment: Environment) -> StoreResult<Environment> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(
                "WITH created AS (INSERT INTO environments (id, name, created_at)
                 VALUES ($1, $2, $3) RETURNING id)
                 SELECT pg_notify('hookline_environments', current_schema()) FROM created",
            )
            .await?;
        client
            .execute(
                &statement,
                &[
                    &environment.id.as_str(),
                    &environment.name,
                    &environment.created_at.as_millis(),
                ],
            )
            .await?;
        Ok(environment)
    }

    async fn get_environment(&self, id: &EnvId) -> StoreResult<Option<Environment>> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM environments e WHERE e.id = $1"
            ))
            .await?;
        client
            .query_opt(&statement, &[&id.as_str()])
            .await?
            .as_ref()
            .map(environment)
            .transpose()
    }

    async fn list_environments(&self, page: &PageRequest) -> StoreResult<Page<Environment>> {
        Listing::new(format!("SELECT {COLUMNS} FROM environments e"), "e.id")
            .fetch(&self.db, page, environment, |e| e.id.to_string())
            .await
    }

    async fn delete_environment(&self, id: &EnvId) -> StoreResult<()> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(
                "WITH gone AS (DELETE FROM environments WHERE id = $1 RETURNING id)
                 SELECT pg_notify('hookline_environments', current_schema()) FROM gone",
            )
            .await?;
        match client.execute(&statement, &[&id.as_str()]).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    fn environment_changes(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        Some(self.environments.subscribe())
    }
}
