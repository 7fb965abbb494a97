//! API keys in PostgreSQL (`../sqlite/keys.rs`): only token digests are stored.

use async_trait::async_trait;
use hookline_core::{AppId, KeyId, Timestamp};
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

use super::PgStore;
use super::list::Listing;
use super::rows::RowExt;
use crate::keys::{ApiKey, KeyScope, KeyStore, TokenDigest};
use crate::page::{Page, PageRequest};
use crate::{StoreError, StoreResult};

const KEY_COLUMNS: &str =
    "k.id, k.name, k.app_id, k.read_only, k.created_at, k.last_used_at, k.expires_at, k.revoked_at,
     k.session_id";

fn key(row: &Row) -> StoreResult<ApiKey> {
    let scope = match row.col::<Option<String>>(2)? {
        None => KeyScope::Organization,
        Some(app_id) => KeyScope::Application {
            app_id: AppId::from_trusted(app_id),
            read_only: row.col(3)?,
        },
    };
    Ok(ApiKey {
        id: KeyId::from_trusted(row.col(0)?),
        name: row.col(1)?,
        scope,
        created_at: row.ts(4)?,
        last_used_at: row.opt_ts(5)?,
        expires_at: row.opt_ts(6)?,
        revoked_at: row.opt_ts(7)?,
        session_id: row.col(8)?,
    })
}

impl PgStore {
    async fn key_where(
        &self,
        condition: &str,
        value: &(dyn tokio_postgres::types::ToSql + Sync),
    ) -> StoreResult<Option<ApiKey>> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM api_keys k WHERE {condition}"
            ))
            .await?;
        client
            .query_opt(&statement, &[value])
            .await?
            .as_ref()
            .map(key)
            .transpose()
    }
}

#[async_trait]
impl KeyStore for PgStore {
    async fn create_api_key(&self, key: ApiKey, digest: TokenDigest) -> StoreResult<ApiKey> {
        let (app_id, read_only) = match &key.scope {
            KeyScope::Organization => (None, false),
            KeyScope::Application { app_id, read_only } => (Some(app_id.as_str()), *read_only),
        };
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(
                "INSERT INTO api_keys (id, name, token_hash, app_id, read_only, created_at,
                 expires_at, session_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .await?;
        let inserted = client
            .execute(
                &statement,
                &[
                    &key.id.as_str(),
                    &key.name,
                    &&digest[..],
                    &app_id,
                    &read_only,
                    &key.created_at.as_millis(),
                    &key.expires_at.map(Timestamp::as_millis),
                    &key.session_id,
                ],
            )
            .await;
        match inserted {
            // The only foreign key is the application.
            Err(err) if err.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
                Err(StoreError::NotFound)
            }
            Err(err) => Err(err.into()),
            Ok(_) => Ok(key),
        }
    }

    async fn find_api_key(&self, digest: TokenDigest) -> StoreResult<Option<ApiKey>> {
        self.key_where("k.token_hash = $1", &&digest[..]).await
    }

    async fn get_api_key(&self, id: &KeyId) -> StoreResult<Option<ApiKey>> {
        self.key_where("k.id = $1", &id.as_str()).await
    }

    async fn list_api_keys(&self, page: &PageRequest) -> StoreResult<Page<ApiKey>> {
        Listing::new(format!("SELECT {KEY_COLUMNS} FROM api_keys k"), "k.id")
            .fetch(&self.db, page, key, |k| k.id.to_string())
            .await
    }

    async fn revoke_api_key(&self, id: &KeyId, at: Timestamp) -> StoreResult<ApiKey> {
        let client = self.db.client().await?;
        // The first revocation time is kept: revoking twice (on two nodes) changes nothing.
        let statement = client
            .prepare_cached(&format!(
                "UPDATE api_keys k SET revoked_at = COALESCE(k.revoked_at, $2) WHERE k.id = $1
                 RETURNING {KEY_COLUMNS}"
            ))
            .await?;
        match client
            .query_opt(&statement, &[&id.as_str(), &at.as_millis()])
            .await?
        {
            Some(row) => key(&row),
            None => Err(StoreError::NotFound),
        }
    }

    async fn touch_api_keys(&self, used: Vec<(KeyId, Timestamp)>) -> StoreResult<()> {
        if used.is_empty() {
            return Ok(());
        }
        let (ids, times): (Vec<&str>, Vec<i64>) = used
            .iter()
            .map(|(id, at)| (id.as_str(), at.as_millis()))
            .unzip();
        let client = self.db.client().await?;
        // Nodes flush their touches independently, often for the same keys: rows are locked in
        // id order first, so two flushes queue instead of deadlocking; a key's time only grows.
        let statement = client
            .prepare_cached(
                "WITH used AS (
                     SELECT id, max(at) AS at FROM unnest($1::text[], $2::bigint[]) AS u(id, at)
                     GROUP BY id
                 ), locked AS (
                     SELECT k.id FROM api_keys k WHERE k.id IN (SELECT id FROM used)
                     ORDER BY k.id FOR UPDATE
                 )
                 UPDATE api_keys k SET last_used_at = GREATEST(COALESCE(k.last_used_at, 0), used.at)
                 FROM used, locked WHERE k.id = used.id AND k.id = locked.id",
            )
            .await?;
        client.execute(&statement, &[&ids, &times]).await?;
        Ok(())
    }

    async fn expire_app_keys(
        &self,
        app: &AppId,
        sessions: &[String],
        at: Timestamp,
    ) -> StoreResult<u64> {
        let client = self.db.client().await?;
        // `api_keys_by_app` finds the application's keys.
        let statement = client
            .prepare_cached(
                "UPDATE api_keys SET expires_at = $2
                 WHERE app_id = $1 AND name = $4 AND revoked_at IS NULL
                 AND (expires_at IS NULL OR expires_at > $2)
                 AND (cardinality($3::text[]) = 0 OR session_id = ANY($3::text[]))",
            )
            .await?;
        let portal = crate::keys::PORTAL_KEY_NAME;
        Ok(client
            .execute(
                &statement,
                &[&app.as_str(), &at.as_millis(), &sessions, &portal],
            )
            .await?)
    }
}
