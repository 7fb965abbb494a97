//! The store contract runs against every backend: SQLite always, PostgreSQL when
//! `HOOKLINE_TEST_DATABASE_URL` is set (a fresh database per store, dropped afterwards).
//!
//! ```ignore
//! for backend in common::backends("claims_skip_excluded_endpoints").await {
//!     let store = &backend.store;
//!     // ... assertions; failures name `backend.name` in their message
//! }
//! ```

#![allow(dead_code)]

use std::sync::Arc;

use hookline_store::postgres::testing::TestDatabase;
use hookline_store::{PgOptions, PgStore, SqliteStore, Store};

/// One opened store and what keeps its database alive.
pub struct Backend {
    /// `sqlite` or `postgres`, for failure messages.
    pub name: &'static str,
    /// The store under test.
    pub store: Arc<dyn Store>,
    _sqlite: Option<tempfile::TempDir>,
    _postgres: Option<TestDatabase>,
}

/// A fresh SQLite store.
pub fn sqlite() -> Backend {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SqliteStore::open(&dir.path().join("hookline.db")).expect("open SQLite");
    Backend {
        name: "sqlite",
        store: Arc::new(store),
        _sqlite: Some(dir),
        _postgres: None,
    }
}

/// A fresh PostgreSQL store, or `None` (said on stderr) without `HOOKLINE_TEST_DATABASE_URL`.
pub async fn postgres(test: &str) -> Option<Backend> {
    let db = TestDatabase::create(test)
        .await
        .expect("create a test database")?;
    let store = PgStore::connect(PgOptions::new(db.url()))
        .await
        .expect("open PostgreSQL");
    Some(Backend {
        name: "postgres",
        store: Arc::new(store),
        _sqlite: None,
        _postgres: Some(db),
    })
}

/// Every backend available here, each with a fresh database.
pub async fn backends(test: &str) -> Vec<Backend> {
    let mut all = vec![sqlite()];
    all.extend(postgres(test).await);
    all
}

impl Backend {
    /// The same database opened by a new store after this one is dropped: a restart, which
    /// must lose nothing that was committed.
    pub async fn reopen(self) -> Backend {
        let Backend {
            name,
            store,
            _sqlite,
            _postgres,
        } = self;
        drop(store);
        let store: Arc<dyn Store> = match (&_sqlite, &_postgres) {
            (Some(dir), _) => {
                Arc::new(SqliteStore::open(&dir.path().join("hookline.db")).expect("reopen SQLite"))
            }
            (None, Some(db)) => Arc::new(
                PgStore::connect(PgOptions::new(db.url()))
                    .await
                    .expect("reopen PostgreSQL"),
            ),
            (None, None) => unreachable!("a backend always has a database"),
        };
        Backend {
            name,
            store,
            _sqlite,
            _postgres,
        }
    }
}
