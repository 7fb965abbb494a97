//! Idempotency keys in SQLite. The single writer thread serialises claims, so a claim is a plain
//! read-then-write inside one operation.

use async_trait::async_trait;
use hookline_core::Timestamp;
use rusqlite::{Connection, OptionalExtension, named_params};

use super::SqliteStore;
use crate::StoreResult;
use crate::idempotency::{ClaimOutcome, IdempotencyClaim, IdempotencyStore, StoredResponse};

const IN_PROGRESS: i64 = 0;
const COMPLETED: i64 = 1;

struct Existing {
    request_hash: Vec<u8>,
    state: i64,
    status: Option<i64>,
    content_type: Option<String>,
    body: Option<Vec<u8>>,
    locked_at: i64,
    expires_at: i64,
}

fn claim(conn: &Connection, claim: &IdempotencyClaim) -> StoreResult<ClaimOutcome> {
    let now = claim.now.as_millis();
    let existing = conn
        .prepare_cached(
            "SELECT request_hash, state, status, content_type, body, locked_at, expires_at
             FROM idempotency_keys WHERE scope = ?1 AND key = ?2",
        )?
        .query_row([&claim.scope, &claim.key], |row| {
            Ok(Existing {
                request_hash: row.get(0)?,
                state: row.get(1)?,
                status: row.get(2)?,
                content_type: row.get(3)?,
                body: row.get(4)?,
                locked_at: row.get(5)?,
                expires_at: row.get(6)?,
            })
        })
        .optional()?;
    if let Some(found) = existing {
        let same_request = found.request_hash == claim.request_hash;
        let expired = found.expires_at <= now;
        let stale = found.state == IN_PROGRESS
            && found.locked_at <= claim.now.minus(claim.stale_after).as_millis();
        if !expired && !stale {
            return Ok(match (found.state, found.status) {
                (COMPLETED, Some(status)) => ClaimOutcome::Completed {
                    same_request,
                    response: StoredResponse {
                        status: u16::try_from(status).unwrap_or(500),
                        content_type: found.content_type,
                        body: found.body.unwrap_or_default(),
                    },
                },
                _ => ClaimOutcome::InProgress { same_request },
            });
        }
    }
    conn.prepare_cached(
        "INSERT OR REPLACE INTO idempotency_keys
             (scope, key, request_hash, state, status, content_type, body, locked_at, expires_at)
         VALUES (:scope, :key, :hash, :state, NULL, NULL, NULL, :now, :expires_at)",
    )?
    .execute(named_params! {
        ":scope": claim.scope,
        ":key": claim.key,
        ":hash": &claim.request_hash[..],
        ":state": IN_PROGRESS,
        ":now": now,
        ":expires_at": claim.now.plus(claim.ttl).as_millis(),
    })?;
    Ok(ClaimOutcome::Claimed)
}

fn complete(
    conn: &Connection,
    scope: &str,
    key: &str,
    response: &StoredResponse,
) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE idempotency_keys SET state = :state, status = :status,
             content_type = :content_type, body = :body
         WHERE scope = :scope AND key = :key",
    )?
    .execute(named_params! {
        ":state": COMPLETED,
        ":status": i64::from(response.status),
        ":content_type": response.content_type,
        ":body": response.body,
        ":scope": scope,
        ":key": key,
    })?;
    Ok(())
}

fn prune(conn: &Connection, now: Timestamp, limit: u32) -> StoreResult<usize> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM idempotency_keys WHERE rowid IN (
                 SELECT rowid FROM idempotency_keys WHERE expires_at <= ?1
                 ORDER BY expires_at LIMIT ?2)",
        )?
        .execute(rusqlite::params![now.as_millis(), limit])?)
}

#[async_trait]
impl IdempotencyStore for SqliteStore {
    async fn claim_idempotency_key(&self, request: IdempotencyClaim) -> StoreResult<ClaimOutcome> {
        self.writer.write(move |c| claim(c, &request)).await
    }
    async fn complete_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        response: StoredResponse,
    ) -> StoreResult<()> {
        let (scope, key) = (scope.to_owned(), key.to_owned());
        self.writer
            .write(move |c| complete(c, &scope, &key, &response))
            .await
    }
    async fn release_idempotency_key(&self, scope: &str, key: &str) -> StoreResult<()> {
        let (scope, key) = (scope.to_owned(), key.to_owned());
        self.writer
            .write(move |c| {
                c.prepare_cached(
                    "DELETE FROM idempotency_keys WHERE scope = ?1 AND key = ?2 AND state = ?3",
                )?
                .execute(rusqlite::params![scope, key, IN_PROGRESS])?;
                Ok(())
            })
            .await
    }
    async fn prune_idempotency_keys(&self, now: Timestamp, limit: u32) -> StoreResult<usize> {
        self.writer.write(move |c| prune(c, now, limit)).await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn claim_at(key: &str, hash: u8, now: Timestamp) -> IdempotencyClaim {
        IdempotencyClaim {
            scope: "admin".into(),
            key: key.into(),
            request_hash: [hash; 32],
            now,
            ttl: Duration::from_secs(3600),
            stale_after: Duration::from_secs(60),
        }
    }

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&dir.path().join("t.db")).expect("open");
        (dir, store)
    }

    #[tokio::test]
    async fn a_key_is_claimed_once_then_replays_its_response() {
        let (_dir, store) = store();
        let now = Timestamp::from_millis(1_000_000);
        let claim = |hash| store.claim_idempotency_key(claim_at("k", hash, now));
        assert_eq!(claim(1).await.expect("claim"), ClaimOutcome::Claimed);
        assert_eq!(
            claim(1).await.expect("claim"),
            ClaimOutcome::InProgress { same_request: true }
        );
        assert_eq!(
            claim(2).await.expect("claim"),
            ClaimOutcome::InProgress {
                same_request: false
            }
        );
        let response = StoredResponse {
            status: 201,
            content_type: Some("application/json".into()),
            body: b"{}".to_vec(),
        };
        store
            .complete_idempotency_key("admin", "k", response.clone())
            .await
            .expect("complete");
        assert_eq!(
            claim(1).await.expect("claim"),
            ClaimOutcome::Completed {
                same_request: true,
                response
            }
        );
        // Another principal's key of the same name is another key.
        let mut other = claim_at("k", 1, now);
        other.scope = "key_other".into();
        assert_eq!(
            store.claim_idempotency_key(other).await.expect("claim"),
            ClaimOutcome::Claimed
        );
    }

    #[tokio::test]
    async fn stale_claims_are_taken_over_and_released_keys_are_free() {
        let (_dir, store) = store();
        let now = Timestamp::from_millis(1_000_000);
        let first = store.claim_idempotency_key(claim_at("k", 1, now)).await;
        assert_eq!(first.expect("claim"), ClaimOutcome::Claimed);
        let later = now.plus(Duration::from_secs(61));
        let takeover = store.claim_idempotency_key(claim_at("k", 1, later)).await;
        assert_eq!(takeover.expect("claim"), ClaimOutcome::Claimed);

        store
            .release_idempotency_key("admin", "k")
            .await
            .expect("release");
        let again = store.claim_idempotency_key(claim_at("k", 2, later)).await;
        assert_eq!(again.expect("claim"), ClaimOutcome::Claimed);
    }

    #[tokio::test]
    async fn expired_keys_are_pruned_in_bounded_batches() {
        let (_dir, store) = store();
        let then = Timestamp::from_millis(1_000_000);
        for key in ["a", "b", "c"] {
            store
                .claim_idempotency_key(claim_at(key, 1, then))
                .await
                .expect("claim");
        }
        let fresh = then.plus(Duration::from_secs(7200));
        store
            .claim_idempotency_key(claim_at("fresh", 1, fresh))
            .await
            .expect("claim");
        let prune = |limit| store.prune_idempotency_keys(fresh, limit);
        assert_eq!(prune(2).await.expect("prune"), 2);
        assert_eq!(prune(2).await.expect("prune"), 1);
        assert_eq!(prune(2).await.expect("prune"), 0);
        assert_eq!(
            store
                .claim_idempotency_key(claim_at("fresh", 1, fresh))
                .await
                .expect("claim"),
            ClaimOutcome::InProgress { same_request: true },
            "the unexpired key was kept"
        );
    }
}
