//! Idempotency keys in PostgreSQL (`../sqlite/idempotency.rs`), shared by every node.
//!
//! A claim is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE <the held key is expired or
//! stale>`: PostgreSQL decides it on the row itself (a racing claim waits for the first to
//! commit, then sees its row), so of two nodes claiming one key at once exactly one is told
//! [`ClaimOutcome::Claimed`]. A claim that loses reads who holds the key in a second statement.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use hookline_core::Timestamp;

use super::PgStore;
use super::rows::RowExt;
use crate::idempotency::{ClaimOutcome, IdempotencyClaim, IdempotencyStore, StoredResponse};
use crate::{StoreError, StoreResult};

const IN_PROGRESS: i64 = 0;
const COMPLETED: i64 = 1;

/// How often a claim looks again when the key it lost to vanished (released or pruned) before
/// it could be read; each look is another race that one of the claimants wins, so a few do.
const ATTEMPTS: usize = 4;

/// What a losing claim found, or `None` when the key is free again and worth another claim.
async fn holder(
    client: &impl GenericClient,
    claim: &IdempotencyClaim,
) -> StoreResult<Option<ClaimOutcome>> {
    let statement = client
        .prepare_cached(
            "SELECT request_hash, state, status, content_type, body, locked_at, expires_at
             FROM idempotency_keys WHERE scope = $1 AND key = $2",
        )
        .await?;
    let Some(row) = client
        .query_opt(&statement, &[&claim.scope, &claim.key])
        .await?
    else {
        return Ok(None);
    };
    let now = claim.now.as_millis();
    let state: i64 = row.col(1)?;
    let locked_at: i64 = row.col(5)?;
    let expires_at: i64 = row.col(6)?;
    let stale = state == IN_PROGRESS && locked_at <= claim.now.minus(claim.stale_after).as_millis();
    if expires_at <= now || stale {
        return Ok(None);
    }
    let same_request = row.col::<&[u8]>(0)? == claim.request_hash.as_slice();
    Ok(Some(match (state, row.col::<Option<i64>>(2)?) {
        (COMPLETED, Some(status)) => ClaimOutcome::Completed {
            same_request,
            response: StoredResponse {
                status: u16::try_from(status).unwrap_or(500),
                content_type: row.col(3)?,
                body: row.col::<Option<Vec<u8>>>(4)?.unwrap_or_default(),
            },
        },
        _ => ClaimOutcome::InProgress { same_request },
    }))
}

#[async_trait]
impl IdempotencyStore for PgStore {
    async fn claim_idempotency_key(&self, claim: IdempotencyClaim) -> StoreResult<ClaimOutcome> {
        let client = self.db.client().await?;
        // A held key is taken over only when expired, or unfinished past `stale_after` (its
        // request is presumed lost); the takeover replaces the whole row, as SQLite does.
        let take = client
            .prepare_cached(
                "INSERT INTO idempotency_keys AS k (scope, key, request_hash, state, status,
                 content_type, body, locked_at, expires_at)
                 VALUES ($1, $2, $3, $4, NULL, NULL, NULL, $5, $6)
                 ON CONFLICT (scope, key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
                 state = EXCLUDED.state, status = NULL, content_type = NULL, body = NULL,
                 locked_at = EXCLUDED.locked_at, expires_at = EXCLUDED.expires_at
                 WHERE k.expires_at <= $5 OR (k.state = $4 AND k.locked_at <= $7)",
            )
            .await?;
        let now = claim.now.as_millis();
        let expires_at = claim.now.plus(claim.ttl).as_millis();
        let stale_before = claim.now.minus(claim.stale_after).as_millis();
        for _ in 0..ATTEMPTS {
            let taken = client
                .execute(
                    &take,
                    &[
                        &claim.scope,
                        &claim.key,
                        &claim.request_hash.as_slice(),
                        &IN_PROGRESS,
                        &now,
                        &expires_at,
                        &stale_before,
                    ],
                )
                .await?;
            if taken == 1 {
                return Ok(ClaimOutcome::Claimed);
            }
            if let Some(outcome) = holder(&client, &claim).await? {
                return Ok(outcome);
            }
        }
        Err(StoreError::Unavailable(format!(
            "idempotency key {:?} kept changing hands; retry the request",
            claim.key
        )))
    }

    async fn complete_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        response: StoredResponse,
    ) -> StoreResult<()> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(
                "UPDATE idempotency_keys SET state = $3, status = $4, content_type = $5, body = $6
                 WHERE scope = $1 AND key = $2",
            )
            .await?;
        client
            .execute(
                &statement,
                &[
                    &scope,
                    &key,
                    &COMPLETED,
                    &i64::from(response.status),
                    &response.content_type,
                    &response.body,
                ],
            )
            .await?;
        Ok(())
    }

    async fn release_idempotency_key(&self, scope: &str, key: &str) -> StoreResult<()> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(
                "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = $3",
            )
            .await?;
        client
            .execute(&statement, &[&scope, &key, &IN_PROGRESS])
            .await?;
        Ok(())
    }

    async fn prune_idempotency_keys(&self, now: Timestamp, limit: u32) -> StoreResult<usize> {
        let client = self.db.client().await?;
        // Nodes prune at the same time: each takes rows the others have not locked, instead of
        // waiting for them and then finding them gone.
        let statement = client
            .prepare_cached(
                "DELETE FROM idempotency_keys WHERE (scope, key) IN (
                     SELECT scope, key FROM idempotency_keys WHERE expires_at <= $1
                     ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)",
            )
            .await?;
        let deleted = client
            .execute(&statement, &[&now.as_millis(), &i64::from(limit)])
            .await?;
        Ok(deleted as usize)
    }
}
