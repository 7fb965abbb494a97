//! Schema migrations, applied in order and tracked with `PRAGMA user_version`.

use rusqlite::Connection;

use crate::{StoreError, StoreResult};

/// Each entry moves the schema up one version; never edit a released entry, append a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("schema/0001_initial.sql"),
    include_str!("schema/0002_delivery_engine.sql"),
    include_str!("schema/0003_lifecycle.sql"),
    include_str!("schema/0004_pull.sql"),
    include_str!("schema/0005_api_keys.sql"),
    include_str!("schema/0006_inbound.sql"),
    include_str!("schema/0007_operational_webhooks.sql"),
    include_str!("schema/0008_attempt_headers.sql"),
    include_str!("schema/0011_consumer_version.sql"),
    include_str!("schema/0012_message_tags_retention.sql"),
    include_str!("schema/0013_environments.sql"),
    include_str!("schema/0014_one_open_deliveries_index.sql"),
    include_str!("schema/0015_background_tasks_ended_index.sql"),
    include_str!("schema/0016_api_key_sessions.sql"),
];

/// The newest schema version this build knows.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The schema version recorded in the database.
pub(crate) fn current_version(conn: &Connection) -> StoreResult<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Brings the schema up to date; refuses a database written by a newer Hookline.
pub(crate) fn migrate(conn: &Connection) -> StoreResult<()> {
    let found = current_version(conn)?;
    let known = latest_version();
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = index as i64 + 1;
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {sql}; PRAGMA user_version = {version}; COMMIT;"
        ))
        .inspect_err(|_| {
            let _ = conn.execute_batch("ROLLBACK");
        })?;
        crate::schema_log::step(version);
    }
    crate::schema_log::done(found, known);
    Ok(())
}

/// Checks the schema without changing it (for `--no-migrate`).
pub(crate) fn check(conn: &Connection) -> StoreResult<()> {
    let found = current_version(conn)?;
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
