//! A small pool of read-only connections, used from blocking threads.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::connection::open_reader;
use crate::{StoreError, StoreResult};

/// Read-only connections, at most `size` in use at once.
#[derive(Debug)]
pub(crate) struct Readers {
    path: PathBuf,
    idle: Arc<Mutex<Vec<Connection>>>,
    permits: Semaphore,
}

impl Readers {
    /// A pool over the database at `path`; connections open lazily.
    pub(crate) fn new(path: PathBuf, size: usize) -> Self {
        Self {
            path,
            idle: Arc::new(Mutex::new(Vec::with_capacity(size))),
            permits: Semaphore::new(size),
        }
    }

    /// Runs `work` on a reader connection off the async runtime.
    pub(crate) async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("reader pool closed".into()))?;
        let idle = Arc::clone(&self.idle);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = idle.lock().map_err(|_| poisoned())?.pop();
            let conn = match pooled {
                Some(conn) => conn,
                None => open_reader(&path)?,
            };
            let result = work(&conn);
            idle.lock().map_err(|_| poisoned())?.push(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Internal(format!("reader task failed: {e}")))?
    }
}

fn poisoned() -> StoreError {
    StoreError::Internal("reader pool lock poisoned".into())
}
