//! PostgreSQL errors in the store's terms.

use tokio_postgres::error::SqlState;

use crate::StoreError;

impl From<tokio_postgres::Error> for StoreError {
    fn from(err: tokio_postgres::Error) -> Self {
        let Some(code) = err.code() else {
            // No SQLSTATE: the connection failed or closed.
            return StoreError::Unavailable(err.to_string());
        };
        let text = err
            .as_db_error()
            .map(|db| db.message().to_owned())
            .unwrap_or_else(|| err.to_string());
        if *code == SqlState::CHARACTER_NOT_IN_REPERTOIRE
            || *code == SqlState::UNTRANSLATABLE_CHARACTER
        {
            // Only the caller's input can carry a NUL or an unencodable character.
            StoreError::InvalidValue(
                "text values cannot contain the NUL character (\\u0000)".to_owned(),
            )
        } else if *code == SqlState::UNIQUE_VIOLATION
            || *code == SqlState::FOREIGN_KEY_VIOLATION
            || *code == SqlState::CHECK_VIOLATION
            || *code == SqlState::NOT_NULL_VIOLATION
        {
            StoreError::Conflict(text)
        } else if *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::LOCK_NOT_AVAILABLE
            || *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
            || *code == SqlState::TOO_MANY_CONNECTIONS
            || code.code().starts_with("08")
        {
            StoreError::Unavailable(text)
        } else {
            StoreError::Internal(format!("{text} ({})", code.code()))
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(err: deadpool_postgres::PoolError) -> Self {
        match err {
            deadpool_postgres::PoolError::Backend(err) => err.into(),
            other => StoreError::Unavailable(format!("no database connection: {other}")),
        }
    }
}
