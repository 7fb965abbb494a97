//! API keys in SQLite.

use async_trait::async_trait;
use hookline_core::{AppId, KeyId, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, named_params};

use super::SqliteStore;
use super::list::Listing;
use crate::keys::{ApiKey, KeyScope, KeyStore, TokenDigest};
use crate::page::{Page, PageRequest};
use crate::{StoreError, StoreResult};

const KEY_COLUMNS: &str =
    "k.id, k.name, k.app_id, k.read_only, k.created_at, k.last_used_at, k.expires_at, k.revoked_at,
     k.session_id";

fn row_to_key(row: &Row<'_>) -> rusqlite::Result<ApiKey> {
    let app_id: Option<String> = row.get(2)?;
    let scope = match app_id {
        None => KeyScope::Organization,
        Some(app_id) => KeyScope::Application {
            app_id: AppId::from_trusted(app_id),
            read_only: row.get(3)?,
        },
    };
    let ts = |idx: usize| -> rusqlite::Result<Option<Timestamp>> {
        Ok(row.get::<_, Option<i64>>(idx)?.map(Timestamp::from_millis))
    };
    Ok(ApiKey {
        id: KeyId::from_trusted(row.get(0)?),
        name: row.get(1)?,
        scope,
        created_at: Timestamp::from_millis(row.get(4)?),
        last_used_at: ts(5)?,
        expires_at: ts(6)?,
        revoked_at: ts(7)?,
        session_id: row.get(8)?,
    })
}

fn create(conn: &Connection, key: ApiKey, digest: TokenDigest) -> StoreResult<ApiKey> {
    let (app_id, read_only) = match &key.scope {
        KeyScope::Organization => (None, false),
        KeyScope::Application { app_id, read_only } => (Some(app_id.as_str()), *read_only),
    };
    conn.prepare_cached(
        "INSERT INTO api_keys (id, name, token_hash, app_id, read_only, created_at, expires_at,
         session_id)
         VALUES (:id, :name, :hash, :app_id, :read_only, :created_at, :expires_at, :session_id)",
    )?
    .execute(named_params! {
        ":id": key.id.as_str(),
        ":name": key.name,
        ":hash": &digest[..],
        ":app_id": app_id,
        ":read_only": read_only,
        ":created_at": key.created_at.as_millis(),
        ":expires_at": key.expires_at.map(Timestamp::as_millis),
        ":session_id": key.session_id,
    })
    .map_err(|err| match StoreError::from(err) {
        // The only foreign key is the application.
        StoreError::Conflict(detail) if detail.contains("FOREIGN KEY") => StoreError::NotFound,
        other => other,
    })?;
    Ok(key)
}

fn find(conn: &Connection, digest: &TokenDigest) -> StoreResult<Option<ApiKey>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM api_keys k WHERE k.token_hash = ?1"
        ))?
        .query_row([&digest[..]], row_to_key)
        .optional()?)
}

fn get(conn: &Connection, id: &str) -> StoreResult<Option<ApiKey>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM api_keys k WHERE k.id = ?1"
        ))?
        .query_row([id], row_to_key)
        .optional()?)
}

fn revoke(conn: &Connection, id: &KeyId, at: Timestamp) -> StoreResult<ApiKey> {
    conn.prepare_cached("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1")?
        .execute(rusqlite::params![id.as_str(), at.as_millis()])?;
    get(conn, id.as_str())?.ok_or(StoreError::NotFound)
}

fn expire_app(
    conn: &Connection,
    app: &AppId,
    sessions: &[String],
    at: Timestamp,
) -> StoreResult<u64> {
    // `api_keys_by_app` finds the application's keys; the sessions are a JSON array.
    let changed = conn
        .prepare_cached(
            "UPDATE api_keys SET expires_at = :at
             WHERE app_id = :app AND name = :portal AND revoked_at IS NULL
             AND (expires_at IS NULL OR expires_at > :at)
             AND (:all OR session_id IN (SELECT value FROM json_each(:sessions)))",
        )?
        .execute(named_params! {
            ":at": at.as_millis(),
            ":app": app.as_str(),
            ":portal": crate::keys::PORTAL_KEY_NAME,
            ":all": sessions.is_empty(),
            ":sessions": super::rows::to_json(&sessions),
        })?;
    Ok(changed as u64)
}

fn touch(conn: &Connection, used: &[(KeyId, Timestamp)]) -> StoreResult<()> {
    let mut stmt = conn.prepare_cached(
        "UPDATE api_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), ?2) WHERE id = ?1",
    )?;
    for (id, at) in used {
        stmt.execute(rusqlite::params![id.as_str(), at.as_millis()])?;
    }
    Ok(())
}

#[async_trait]
impl KeyStore for SqliteStore {
    async fn create_api_key(&self, key: ApiKey, digest: TokenDigest) -> StoreResult<ApiKey> {
        self.writer.write(move |c| create(c, key, digest)).await
    }
    async fn find_api_key(&self, digest: TokenDigest) -> StoreResult<Option<ApiKey>> {
        self.readers.read(move |c| find(c, &digest)).await
    }
    async fn get_api_key(&self, id: &KeyId) -> StoreResult<Option<ApiKey>> {
        let id = id.as_str().to_owned();
        self.readers.read(move |c| get(c, &id)).await
    }
    async fn list_api_keys(&self, page: &PageRequest) -> StoreResult<Page<ApiKey>> {
        let page = page.clone();
        self.readers
            .read(move |c| {
                Listing::new(format!("SELECT {KEY_COLUMNS} FROM api_keys k"), "k.id").fetch(
                    c,
                    &page,
                    row_to_key,
                    |k| k.id.to_string(),
                )
            })
            .await
    }
    async fn revoke_api_key(&self, id: &KeyId, at: Timestamp) -> StoreResult<ApiKey> {
        let id = id.clone();
        self.writer.write(move |c| revoke(c, &id, at)).await
    }
    async fn touch_api_keys(&self, used: Vec<(KeyId, Timestamp)>) -> StoreResult<()> {
        if used.is_empty() {
            return Ok(());
        }
        self.writer.write(move |c| touch(c, &used)).await
    }

    async fn expire_app_keys(
        &self,
        app: &AppId,
        sessions: &[String],
        at: Timestamp,
    ) -> StoreResult<u64> {
        let (app, sessions) = (app.clone(), sessions.to_vec());
        self.writer
            .write(move |c| expire_app(c, &app, &sessions, at))
            .await
    }
}
