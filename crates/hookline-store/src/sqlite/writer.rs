//! The single writer thread and its group commit.
//!
//! SQLite allows one writer at a time. Rather than have every request take the write lock and pay
//! for its own fsync, all writes go to one thread. It takes every operation waiting in its queue,
//! runs each inside its own savepoint (so one failing operation does not undo the others), commits
//! them together with a single fsync, and only then answers each caller. While a commit is being
//! flushed, new operations queue up and form the next batch, so batches grow with load.
//!
//! Some writes need not be on disk before their caller goes on: the delivery engine's leases and
//! hand-backs only steer work that a crash would redo anyway (the deliveries stay planned). Those
//! are [`Durability::Relaxed`]: the writer commits them in their own transaction without waiting
//! for the disk (`synchronous = NORMAL`, still atomic and crash-consistent), answers them at once,
//! and only then commits the batch's [`Durability::Synced`] writes with the fsync. A relaxed write
//! reaches the disk with the next synced commit (the WAL is one file, synced as a whole), and a
//! process crash loses nothing committed; only losing the machine can undo a relaxed commit, and
//! then the delivery is simply sent again, which at-least-once delivery allows.
//!
//! Savepoints are not free: each one copies every page its operation changes into a journal,
//! and the hot pages (index tails) are changed by every operation of a batch. Operations whose
//! expected failures all happen before their first change (a message whose `eventId` is taken
//! fails on its first insert; the engine's writes do not fail short of a broken database) are
//! [`Isolation::Shared`]: they run without a savepoint of their own, first in the transaction.
//! One that fails having changed nothing (SQLite undoes a failed statement by itself) costs the
//! others nothing; one that fails after changing rows makes the writer roll back all the shared
//! operations applied so far (each caller hears an error) and go on with the rest.
use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::{StoreError, StoreResult};

/// Operations per commit at most; bounds the latency one batch adds to the next.
const MAX_BATCH: usize = 512;
/// Operations waiting for the writer before callers are made to wait (backpressure).
const QUEUE_DEPTH: usize = 4096;

/// How durable a write must be when its caller hears back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// On disk (fsynced) first: everything a client is told about, and every attempt's record.
    Synced,
    /// Committed and visible to every connection, on disk with the next synced commit: for the
    /// engine's own bookkeeping, which a crash of the machine would only make it redo.
    Relaxed,
}

/// Whether a write runs inside a savepoint of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isolation {
    /// Its own savepoint: it can fail after changing rows without touching the others.
    Own,
    /// No savepoint: every failure it expects happens before its first change.
    Shared,
}

/// One queued write: run it inside the batch, then hear whether the batch committed.
trait WriteOp: Send {
    /// Runs the operation; returns false when it failed and its changes must be rolled back.
    fn apply(&mut self, conn: &Connection) -> bool;
    /// Delivers the outcome once the batch's commit is known.
    fn finish(self: Box<Self>, commit: Result<(), StoreError>);
    /// Whether the caller must wait for the disk.
    fn durability(&self) -> Durability;
    /// Whether it needs a savepoint of its own.
    fn isolation(&self) -> Isolation;
}

struct Op<T, F> {
    work: Option<F>,
    outcome: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
    durability: Durability,
    isolation: Isolation,
}

impl<T, F> WriteOp for Op<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> StoreResult<T> + Send,
{
    fn apply(&mut self, conn: &Connection) -> bool {
        let outcome = match self.work.take() {
            Some(work) => work(conn),
            None => Err(StoreError::Internal("write operation ran twice".into())),
        };
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn finish(self: Box<Self>, commit: Result<(), StoreError>) {
        let this = *self;
        let result = match (this.outcome, commit) {
            (Some(Err(err)), _) => Err(err),
            (_, Err(err)) => Err(err),
            (Some(Ok(value)), Ok(())) => Ok(value),
            (None, Ok(())) => Err(StoreError::Internal("write operation never ran".into())),
        };
        // The caller may have gone away; the write is committed either way.
        let _ = this.reply.send(result);
    }

    fn durability(&self) -> Durability {
        self.durability
    }

    fn isolation(&self) -> Isolation {
        self.isolation
    }
}

/// Runs on the writer thread after each batch has committed (the changes are durable and
/// visible to readers), e.g. to wake readers waiting for new rows.
pub(crate) type AfterCommit = Box<dyn FnMut(&Connection) + Send>;

/// Handle to the writer thread; cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Box<dyn WriteOp>>,
}

impl Writer {
    /// Starts the writer thread on the given connection (opened with `synchronous = FULL`);
    /// `after_commit` runs after every successful batch.
    pub(crate) fn start(conn: Connection, after_commit: AfterCommit) -> StoreResult<Self> {
        let (queue, rx) = mpsc::channel(QUEUE_DEPTH);
        std::thread::Builder::new()
            .name("hookline-sqlite-writer".into())
            .spawn(move || run(conn, rx, after_commit))
            .map_err(|e| StoreError::Internal(format!("cannot start the writer thread: {e}")))?;
        Ok(Self { queue })
    }

    /// Runs `work` in the next group commit and returns its result once it is durable.
    pub(crate) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.write_with(Durability::Synced, Isolation::Own, work)
            .await
    }

    /// [`Writer::write`] for work that fails, when it expects to, before its first change (see
    /// [`Isolation::Shared`]).
    pub(crate) async fn write_shared<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.write_with(Durability::Synced, Isolation::Shared, work)
            .await
    }

    /// Runs `work` in the next group commit and returns its result once it is committed and
    /// visible, without waiting for the disk (see [`Durability::Relaxed`]); `work` must fail, if
    /// it expects to, before its first change ([`Isolation::Shared`]).
    pub(crate) async fn write_relaxed<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.write_with(Durability::Relaxed, Isolation::Shared, work)
            .await
    }

    async fn write_with<T, F>(
        &self,
        durability: Durability,
        isolation: Isolation,
        work: F,
    ) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let op = Op {
            work: Some(work),
            outcome: None,
            reply,
            durability,
            isolation,
        };
        self.queue
            .send(Box::new(op))
            .await
            .map_err(|_| StoreError::Unavailable("the writer thread has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer thread has stopped".into()))?
    }
}

fn run(conn: Connection, mut rx: mpsc::Receiver<Box<dyn WriteOp>>, mut after_commit: AfterCommit) {
    let mut sync = SyncMode::Full;
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let (relaxed, synced): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .partition(|op| op.durability() == Durability::Relaxed);
        // Relaxed writes first: their callers need not wait for the synced group's fsync.
        let mut committed = false;
        if !relaxed.is_empty() {
            let mode = match sync.set(&conn, SyncMode::Normal) {
                Ok(()) => SyncMode::Normal,
                // Still correct, only slower: commit them as synced writes.
                Err(_) => sync,
            };
            committed |= commit_group(&conn, relaxed, mode);
        }
        if !synced.is_empty() {
            match sync.set(&conn, SyncMode::Full) {
                Ok(()) => committed |= commit_group(&conn, synced, SyncMode::Full),
                Err(err) => {
                    tracing::error!(error = %err, "cannot make the next commit synchronous");
                    for op in synced {
                        op.finish(Err(err.clone()));
                    }
                }
            }
        }
        if committed {
            after_commit(&conn);
        }
    }
}

/// Commits `ops` as one transaction and answers each; true when the commit succeeded.
fn commit_group(conn: &Connection, ops: Vec<Box<dyn WriteOp>>, mode: SyncMode) -> bool {
    let count = ops.len();
    let (mut shared, mut own): (Vec<_>, Vec<_>) = ops
        .into_iter()
        .partition(|op| op.isolation() == Isolation::Shared);
    let mut undone = vec![false; shared.len()];
    let commit = run_group(conn, &mut shared, &mut undone, &mut own);
    if let Err(err) = &commit {
        tracing::error!(error = %err, ops = count, ?mode, "group commit failed");
        let _ = conn.execute_batch("ROLLBACK");
    }
    for (op, undone) in shared.into_iter().zip(undone) {
        let outcome = if undone {
            Err(StoreError::Unavailable(
                "rolled back with another write of the same commit; try again".into(),
            ))
        } else {
            commit.clone()
        };
        op.finish(outcome);
    }
    for op in own {
        op.finish(commit.clone());
    }
    commit.is_ok()
}

/// Runs the shared operations (no savepoints), then the others (each in its own savepoint,
/// unless it is alone in the transaction), and commits. `undone` marks the shared operations
/// whose changes were rolled back because a later one failed after changing rows.
fn run_group(
    conn: &Connection,
    shared: &mut [Box<dyn WriteOp>],
    undone: &mut [bool],
    own: &mut [Box<dyn WriteOp>],
) -> Result<(), StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let mut applied = 0;
    for (i, op) in shared.iter_mut().enumerate() {
        let before = conn.total_changes();
        if op.apply(conn) {
            applied += 1;
            continue;
        }
        // A failed statement undoes itself; a failure before any change costs nothing else.
        if !conn.is_autocommit() && conn.total_changes() == before {
            continue;
        }
        // It failed after changing rows (or the database ended the transaction): undo every
        // shared operation so far and start again for the rest.
        if !conn.is_autocommit() {
            conn.execute_batch("ROLLBACK")?;
        }
        for mark in undone.iter_mut().take(i) {
            *mark = true;
        }
        applied = 0;
        conn.execute_batch("BEGIN IMMEDIATE")?;
    }
    match own {
        // Alone in its transaction, an operation needs no savepoint: if it fails, rolling the
        // whole transaction back undoes exactly it (its caller hears its own error).
        [only] if applied == 0 => {
            if only.apply(conn) {
                conn.execute_batch("COMMIT")?;
            } else {
                conn.execute_batch("ROLLBACK")?;
            }
            Ok(())
        }
        _ => {
            apply_own(conn, own)?;
            conn.execute_batch("COMMIT")?;
            Ok(())
        }
    }
}

/// The writer connection's `synchronous` setting, switched between transactions only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SyncMode {
    /// Every commit is fsynced before it returns.
    Full,
    /// Commits are not fsynced (the WAL is synced before each checkpoint).
    Normal,
}

impl SyncMode {
    fn set(&mut self, conn: &Connection, want: SyncMode) -> Result<(), StoreError> {
        if *self == want {
            return Ok(());
        }
        let value = match want {
            SyncMode::Full => "FULL",
            SyncMode::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", value)?;
        *self = want;
        Ok(())
    }
}

fn apply_own(conn: &Connection, batch: &mut [Box<dyn WriteOp>]) -> Result<(), StoreError> {
    for op in batch.iter_mut() {
        conn.execute_batch("SAVEPOINT op")?;
        if op.apply(conn) {
            conn.execute_batch("RELEASE op")?;
        } else {
            conn.execute_batch("ROLLBACK TO op; RELEASE op")?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
