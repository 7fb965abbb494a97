//! Where each consumer of a polling endpoint stands (`poller_consumers`).
//!
//! Saves are compare-and-set on the row's `version`: a conditional UPDATE (or an INSERT that
//! skips an existing row). Under READ COMMITTED a second UPDATE of the row waits for the first
//! to commit and then checks its WHERE against the row the first wrote, so of two nodes saving
//! from the same read exactly one changes the row; the other changes none and is refused.

use hookline_core::{EndpointId, Timestamp};
use tokio_postgres::types::ToSql;

use crate::StoreResult;
use crate::feed::{ConsumerState, ConsumerVersion, FeedPosition, save_refused};
use crate::postgres::Db;
use crate::postgres::rows::RowExt;

fn position(raw: i64) -> FeedPosition {
    FeedPosition::new(raw.max(0) as u64)
}

pub(super) async fn get(
    db: &Db,
    endpoint: &EndpointId,
    consumer_id: &str,
) -> StoreResult<Option<ConsumerState>> {
    let client = db.client().await?;
    let statement = client
        .prepare_cached(
            "SELECT committed, leased_to, lease_expires_at, updated_at, version
             FROM poller_consumers WHERE endpoint_id = $1 AND consumer_id = $2",
        )
        .await?;
    let Some(row) = client
        .query_opt(&statement, &[&endpoint.as_str(), &consumer_id])
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(ConsumerState {
        endpoint_id: endpoint.clone(),
        consumer_id: consumer_id.to_owned(),
        committed: position(row.col(0)?),
        leased_to: row.col::<Option<i64>>(1)?.map(position),
        lease_expires_at: row.opt_ts(2)?,
        updated_at: row.ts(3)?,
        version: Some(ConsumerVersion::from_stored(row.col(4)?)),
    }))
}

/// Writes the whole state in one statement if the row is still at `state.version` (absent for
/// `None`), moving the version on; refuses when another save came first.
pub(super) async fn save(db: &Db, state: &ConsumerState) -> StoreResult<ConsumerVersion> {
    let client = db.client().await?;
    let next = state
        .version
        .map_or(ConsumerVersion::FIRST, ConsumerVersion::next);
    let values: [&(dyn ToSql + Sync); 7] = [
        &state.endpoint_id.as_str(),
        &state.consumer_id,
        &(state.committed.get() as i64),
        &state.leased_to.map(|p| p.get() as i64),
        &state.lease_expires_at.map(Timestamp::as_millis),
        &state.updated_at.as_millis(),
        &next.stored(),
    ];
    let saved = match state.version {
        None => {
            let statement = client
                .prepare_cached(
                    "INSERT INTO poller_consumers (endpoint_id, consumer_id, committed,
                     leased_to, lease_expires_at, updated_at, version)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (endpoint_id, consumer_id) DO NOTHING",
                )
                .await?;
            client.execute(&statement, &values).await?
        }
        Some(expected) => {
            let statement = client
                .prepare_cached(
                    "UPDATE poller_consumers SET committed = $3, leased_to = $4,
                     lease_expires_at = $5, updated_at = $6, version = $7
                     WHERE endpoint_id = $1 AND consumer_id = $2 AND version = $8",
                )
                .await?;
            let expected = expected.stored();
            let mut guarded = values.to_vec();
            guarded.push(&expected);
            client.execute(&statement, &guarded).await?
        }
    };
    match saved {
        1 => Ok(next),
        _ => Err(save_refused(state)),
    }
}
