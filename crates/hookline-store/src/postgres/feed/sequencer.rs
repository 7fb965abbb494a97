//! The sequencer: gives committed feed rows their positions, in commit order, across nodes.
//!
//! Positions must follow commit order (`crate::feed`): a reader that has seen position `p` must
//! never later find a message at or below `p`. Transactions on many nodes commit in any order,
//! so no number taken *inside* the inserting transaction can promise that (a transaction that
//! took 5 may commit after one that took 6 was read). The append trigger therefore leaves
//! `seq` NULL, and rows get their numbers only once they are committed, here:
//!
//! 1. Numbering runs in one short transaction that first takes a transaction-level advisory
//!    lock ([`LOCK`]), so one numbering runs at a time in the whole cluster. The lock is
//!    released only after the transaction's commit is visible, so the next numbering (a new
//!    statement, hence a new snapshot, taken after it got the lock) sees every number given
//!    before, and `nextval` hands it larger ones.
//! 2. It numbers only rows committed before its `UPDATE` began (others are invisible to it and
//!    stay NULL for the next numbering, which gives them larger numbers still).
//! 3. Readers read only numbered rows, up to a head read while holding the same lock (shared):
//!    every number at or below that head belongs to a numbering that has committed (or rolled
//!    back, leaving a gap that nothing will ever fill).
//!
//! So once any reader has seen `p`, every row numbered later gets more than `p`, and every row
//! numbered earlier is visible: reading "after `p`" again and again sees each message once.
//! Rows numbered together were all committed before anyone could read them, so their order
//! among themselves is free; they take insertion order, which keeps one client's messages in
//! the order it created them.
//!
//! Numbering happens only when a reader needs it (before each read, when unnumbered rows
//! exist): no background job, and a node that only writes never waits on the lock.

use std::sync::LazyLock;

use deadpool_postgres::Object;
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::feed::FeedPosition;
use crate::{StoreError, StoreResult};

/// The advisory lock key that makes one numbering run at a time ("hookfeed" in ASCII).
const LOCK: i64 = 0x686f_6f6b_6665_6564;

/// The newest number handed out (deleted messages do not move it back).
const HEAD: &str = "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM message_feed_seq";

/// Rows numbered per transaction: a backlog (say, months of messages no one pulled yet) is
/// numbered in several short transactions, letting other readers' head reads in between.
const BATCH: i64 = 10_000;

/// Numbers up to [`BATCH`] committed unnumbered rows in insertion order, then reads how many
/// it numbered and the head, in one implicit transaction (one round trip; an error rolls it
/// all back and the lock goes with it). `nextval` in a sorted query is evaluated after the
/// sort, so numbers follow `appended`. The rows are locked first; a row already locked is one
/// whose message is being deleted, and is skipped rather than waited for while every reader
/// waits on the lock: if the delete rolls back, a later numbering gives it a larger number,
/// which is still after anything read.
static NUMBER: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT pg_advisory_xact_lock({LOCK});
         WITH pending AS (
             SELECT msg_id, appended FROM message_feed WHERE seq IS NULL
             ORDER BY appended LIMIT {BATCH} FOR UPDATE SKIP LOCKED
         ), numbered AS (
             SELECT msg_id, nextval('message_feed_seq') AS seq FROM pending ORDER BY appended
         ), updated AS (
             UPDATE message_feed f SET seq = numbered.seq FROM numbered
             WHERE f.msg_id = numbered.msg_id RETURNING 1
         )
         SELECT count(*) FROM updated;
         {HEAD}"
    )
});

/// Reads the head under the shared lock: waits for a numbering in progress to commit, so the
/// head never names a number whose row is not visible yet.
static READ_HEAD: LazyLock<String> =
    LazyLock::new(|| format!("SELECT pg_advisory_xact_lock_shared({LOCK}); {HEAD}"));

/// Numbers what committed since the last numbering and returns the feed's head: every
/// position at or below it is committed and visible to statements started from now on.
pub(crate) async fn sync(client: &Object) -> StoreResult<FeedPosition> {
    let pending = client
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM message_feed WHERE seq IS NULL)")
        .await?;
    if !client.query_one(&pending, &[]).await?.get::<_, bool>(0) {
        let [head] = numbers(client, &READ_HEAD).await?;
        return Ok(FeedPosition::new(head.max(0) as u64));
    }
    loop {
        let [numbered, head] = numbers(client, &NUMBER).await?;
        // A full batch may have left more behind: the head must cover every row committed
        // before this call, or a caught-up reader would wait for a commit that already came.
        if numbered < BATCH {
            return Ok(FeedPosition::new(head.max(0) as u64));
        }
    }
}

/// Runs `sql` and reads the number in the first column of each of its last `N` result rows
/// (the lock's own row comes first and holds nothing).
async fn numbers<const N: usize>(client: &Client, sql: &str) -> StoreResult<[i64; N]> {
    let messages = client.simple_query(sql).await?;
    let rows: Vec<Option<&str>> = messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(row) => Some(row.get(0)),
            _ => None,
        })
        .collect();
    let last = rows.get(rows.len().saturating_sub(N)..).unwrap_or_default();
    let values: Vec<i64> = last
        .iter()
        .map(|v| v.and_then(|v| v.parse().ok()))
        .collect::<Option<_>>()
        .ok_or_else(|| StoreError::Internal(format!("the feed sequencer read {rows:?}")))?;
    values
        .try_into()
        .map_err(|_| StoreError::Internal(format!("the feed sequencer read {rows:?}")))
}
