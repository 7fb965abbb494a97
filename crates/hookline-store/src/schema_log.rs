//! What a migration run tells the operator, the same for both backends: one line for a new
//! database, one for an upgrade (each step at debug level), nothing when the schema was current.

/// Logs a migration step just applied (`version`), at debug level.
pub(crate) fn step(version: i64) {
    tracing::debug!(version, "applied database migration");
}

/// Logs the outcome of bringing a schema at `found` up to `known`.
pub(crate) fn done(found: i64, known: i64) {
    if found == 0 {
        tracing::info!(version = known, "created the database schema");
    } else if found < known {
        tracing::info!(from = found, to = known, "upgraded the database schema");
    }
}
