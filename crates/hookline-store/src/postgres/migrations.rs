//! Schema migrations for PostgreSQL, applied in order under an advisory lock (nodes starting
//! together migrate once) and tracked in `hookline_schema`.

use super::{Db, Schema};
use crate::{StoreError, StoreResult};

/// Each entry moves the schema up one version; never edit a released entry, append a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("schema/0001_initial.sql"),
    include_str!("schema/0002_one_open_deliveries_index.sql"),
    include_str!("schema/0003_background_tasks_ended_index.sql"),
    include_str!("schema/0004_api_key_sessions.sql"),
];

/// The advisory lock key that serialises migrations across nodes ("hookline" in ASCII).
const MIGRATION_LOCK: i64 = 0x686f_6f6b_6c69_6e65;

/// The newest schema version this build knows.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

async fn current_version(client: &tokio_postgres::Client) -> StoreResult<i64> {
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS hookline_schema (version BIGINT NOT NULL)")
        .await?;
    let row = client
        .query_opt("SELECT version FROM hookline_schema", &[])
        .await?;
    Ok(row.map(|row| row.get(0)).unwrap_or(0))
}

/// Brings the schema up to date; refuses a database written by a newer Hookline. A store
/// with a schema of its own needs it created first ([`create_schema`]): migrating never
/// creates one, so a schema dropped by another node is not brought back empty.
pub(crate) async fn migrate(db: &Db) -> StoreResult<()> {
    let mut client = db.client().await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let result = apply(&mut client).await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await?;
    result
}

async fn apply(client: &mut tokio_postgres::Client) -> StoreResult<()> {
    let found = current_version(client).await?;
    let known = latest_version();
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = index as i64 + 1;
        let tx = client.transaction().await?;
        tx.batch_execute(sql).await?;
        tx.execute("DELETE FROM hookline_schema", &[]).await?;
        tx.execute(
            "INSERT INTO hookline_schema (version) VALUES ($1)",
            &[&version],
        )
        .await?;
        tx.commit().await?;
        crate::schema_log::step(version);
    }
    crate::schema_log::done(found, known);
    Ok(())
}

/// Checks the schema without changing it (for `--no-migrate`).
pub(crate) async fn check(db: &Db) -> StoreResult<()> {
    let client = db.client().await?;
    let found = current_version(&client).await?;
    let known = latest_version();
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    if found < known {
        return Err(StoreError::Internal(format!(
            "the database schema is version {found} but this Hookline needs {known}; run `hookline migrate`"
        )));
    }
    Ok(())
}

/// Creates `schema` (nothing when it exists), under the migration lock so two nodes creating
/// it at once do not clash.
pub(crate) async fn create_schema(db: &Db, schema: &Schema) -> StoreResult<()> {
    let client = db.client().await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let result = client
        .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", schema.quoted()))
        .await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await?;
    Ok(result?)
}
