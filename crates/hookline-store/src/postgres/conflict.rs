//! Naming the value behind a constraint clash, as `../sqlite` does: callers show the text to the
//! person who sent the clashing value, so it says what is taken rather than which index refused.

use crate::StoreError;

/// The store error for `err`, with any constraint clash reported as `Conflict(text)`.
pub(crate) fn named(err: tokio_postgres::Error, text: impl FnOnce() -> String) -> StoreError {
    match StoreError::from(err) {
        StoreError::Conflict(_) => StoreError::Conflict(text()),
        other => other,
    }
}
