//! Opening SQLite connections with the settings Hookline relies on.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::StoreResult;

/// The writer's page cache, in KiB (filled only as pages are used).
const WRITER_CACHE_KIB: i64 = 32 * 1024;

/// Opens the one connection allowed to write: WAL journal, and `synchronous=FULL` so that a
/// commit is on disk before it returns. The savepoint journals of a group commit stay in memory
/// (`temp_store=MEMORY`): on disk they cost a file write per page each operation touches. Its
/// page cache is larger than SQLite's 2 MiB default ([`WRITER_CACHE_KIB`]), since every write
/// walks the delivery indexes.
pub(crate) fn open_writer(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Opens a read-only connection; readers never block the writer in WAL mode.
pub(crate) fn open_reader(path: &Path) -> StoreResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}
