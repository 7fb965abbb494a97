//! Errors the store reports; nothing above the store sees a database driver's error type.

/// What went wrong in storage, in terms callers can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// A record the operation needs does not exist.
    #[error("not found")]
    NotFound,
    /// A unique value (uid, event id, name) is already taken; the text names it.
    #[error("{0}")]
    Conflict(String),
    /// The database is busy or unreachable; the operation may succeed if retried.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The database was written by a newer Hookline than this one.
    #[error(
        "the database schema is version {found}, newer than this Hookline knows ({known}); upgrade Hookline"
    )]
    SchemaTooNew {
        /// The schema version found in the database.
        found: i64,
        /// The newest schema version this build knows.
        known: i64,
    },
    /// A value the database cannot hold (PostgreSQL refuses the NUL character in text); the
    /// request, not the store, is at fault.
    #[error("{0}")]
    InvalidValue(String),
    /// Anything else: a bug or corrupted data.
    #[error("storage error: {0}")]
    Internal(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match &err {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            rusqlite::Error::SqliteFailure(code, _) => match code.code {
                ErrorCode::ConstraintViolation => StoreError::Conflict(err.to_string()),
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                    StoreError::Unavailable(err.to_string())
                }
                _ => StoreError::Internal(err.to_string()),
            },
            _ => StoreError::Internal(err.to_string()),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        StoreError::Internal(format!("stored JSON is invalid: {err}"))
    }
}
