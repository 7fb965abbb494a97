//! Where each consumer of a polling endpoint stands (`poller_consumers`).

use hookline_core::{EndpointId, Timestamp};

use crate::StoreResult;
use crate::feed::{ConsumerState, FeedPosition};
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
            "SELECT committed, leased_to, lease_expires_at, updated_at FROM poller_consumers
             WHERE endpoint_id = $1 AND consumer_id = $2",
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
    }))
}

/// Writes the whole state in one statement: concurrent saves of one consumer (two nodes
/// serving it at once) each succeed, and the row is always one of the states saved.
pub(super) async fn save(db: &Db, state: &ConsumerState) -> StoreResult<()> {
    let client = db.client().await?;
    let statement = client
        .prepare_cached(
            "INSERT INTO poller_consumers (endpoint_id, consumer_id, committed, leased_to,
             lease_expires_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (endpoint_id, consumer_id) DO UPDATE SET committed = EXCLUDED.committed,
             leased_to = EXCLUDED.leased_to, lease_expires_at = EXCLUDED.lease_expires_at,
             updated_at = EXCLUDED.updated_at",
        )
        .await?;
    client
        .execute(
            &statement,
            &[
                &state.endpoint_id.as_str(),
                &state.consumer_id,
                &(state.committed.get() as i64),
                &state.leased_to.map(|p| p.get() as i64),
                &state.lease_expires_at.map(Timestamp::as_millis),
                &state.updated_at.as_millis(),
            ],
        )
        .await?;
    Ok(())
}
