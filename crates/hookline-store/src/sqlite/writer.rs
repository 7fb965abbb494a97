//! The single writer thread and its group commit.
//!
//! SQLite allows one writer at a time. Rather than have every request take the write lock and pay
//! for its own fsync, all writes go to one thread. It takes every operation waiting in its queue,
//! runs each inside its own savepoint (so one failing operation does not undo the others), commits
//! them together with a single fsync, and only then answers each caller. While a commit is being
//! flushed, new operations queue up and form the next batch, so batches grow with load.

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::{StoreError, StoreResult};

/// Operations per commit at most; bounds the latency one batch adds to the next.
const MAX_BATCH: usize = 512;
/// Operations waiting for the writer before callers are made to wait (backpressure).
const QUEUE_DEPTH: usize = 4096;

/// One queued write: run it inside the batch, then hear whether the batch committed.
trait WriteOp: Send {
    /// Runs the operation; returns false when it failed and its savepoint must be rolled back.
    fn apply(&mut self, conn: &Connection) -> bool;
    /// Delivers the outcome once the batch's commit is known.
    fn finish(self: Box<Self>, commit: Result<(), StoreError>);
}

struct Op<T, F> {
    work: Option<F>,
    outcome: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
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
    /// Starts the writer thread on the given connection; `after_commit` runs after every
    /// successful commit.
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
        let (reply, answer) = oneshot::channel();
        let op = Op {
            work: Some(work),
            outcome: None,
            reply,
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
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let commit = run_batch(&conn, &mut batch);
        if let Err(err) = &commit {
            tracing::error!(error = %err, ops = batch.len(), "group commit failed");
        }
        let committed = commit.is_ok();
        for op in batch {
            op.finish(commit.clone());
        }
        if committed {
            after_commit(&conn);
        }
    }
}

fn run_batch(conn: &Connection, batch: &mut [Box<dyn WriteOp>]) -> Result<(), StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let applied = apply_all(conn, batch).and_then(|()| Ok(conn.execute_batch("COMMIT")?));
    if applied.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    applied
}

fn apply_all(conn: &Connection, batch: &mut [Box<dyn WriteOp>]) -> Result<(), StoreError> {
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
