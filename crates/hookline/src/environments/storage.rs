//! Where environments' stores live, next to the default environment's: a SQLite file each in
//! `<data_dir>/environments/`, or a PostgreSQL schema each (named after the environment's id)
//! in the default store's database.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use hookline_core::EnvId;
use hookline_store::sqlite::MigrationMode;
use hookline_store::{PgOptions, PgStore, SqliteStore, StoreError};

use super::runtime::OpenStore;
use crate::database::Database;

/// How to open and remove environments' stores.
#[derive(Debug, Clone)]
pub enum Storage {
    /// A SQLite file per environment in this directory.
    Sqlite {
        /// `<data_dir>/environments`.
        dir: PathBuf,
    },
    /// A schema per environment in the default store's database.
    Postgres {
        /// The database's URL.
        url: String,
        /// Connections each environment's store keeps at most.
        pool_size: usize,
        /// The default environment's store, which drops environments' schemas.
        default: PgStore,
    },
}

impl Storage {
    /// Files in `<data_dir>/environments/`.
    pub fn sqlite(data_dir: &Path) -> Self {
        Self::Sqlite {
            dir: data_dir.join("environments"),
        }
    }

    /// Where the environments of a server on `database` live; `postgres` is its default store
    /// when `database` is PostgreSQL.
    pub fn of(database: &Database, data_dir: &Path, postgres: Option<&PgStore>) -> Self {
        match (database, postgres) {
            (Database::Postgres { url, pool_size }, Some(default)) => {
                Self::postgres(url, *pool_size, default.clone())
            }
            _ => Self::sqlite(data_dir),
        }
    }

    /// Schemas in the database of `default`, at `url`.
    pub fn postgres(url: &str, pool_size: usize, default: PgStore) -> Self {
        Self::Postgres {
            url: url.to_owned(),
            pool_size,
            default,
        }
    }

    /// Whether other nodes share these stores (and may create or delete environments).
    pub fn is_shared(&self) -> bool {
        match self {
            Self::Sqlite { .. } => false,
            Self::Postgres { .. } => true,
        }
    }

    /// Makes a new environment's store and opens it.
    pub async fn create(&self, id: &EnvId) -> anyhow::Result<OpenStore> {
        match self {
            Self::Sqlite { dir } => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            Self::Postgres { default, .. } => default
                .create_schema(id.as_str())
                .await
                .with_context(|| format!("cannot create the schema of environment {id}"))?,
        }
        self.open_existing(id, MigrationMode::Apply).await
    }

    /// Opens environment `id`'s store, migrating it or only checking its schema. The store must
    /// exist: opening never makes one, so an environment deleted meanwhile (on another node,
    /// say) is not brought back empty.
    pub async fn open(&self, id: &EnvId, mode: MigrationMode) -> anyhow::Result<OpenStore> {
        if let Self::Sqlite { dir } = self {
            let path = sqlite_path(dir, id);
            anyhow::ensure!(
                path.exists(),
                "the database of environment {id} is missing ({})",
                path.display()
            );
        }
        self.open_existing(id, mode).await
    }

    async fn open_existing(&self, id: &EnvId, mode: MigrationMode) -> anyhow::Result<OpenStore> {
        match self {
            Self::Sqlite { dir } => {
                let path = sqlite_path(dir, id);
                let shown = path.clone();
                let store =
                    tokio::task::spawn_blocking(move || SqliteStore::open_with(&path, mode))
                        .await?
                        .with_context(|| format!("cannot open the database {}", shown.display()))?;
                Ok(OpenStore {
                    store: Arc::new(store),
                    postgres: None,
                })
            }
            Self::Postgres { url, pool_size, .. } => {
                let options = PgOptions {
                    url: url.clone(),
                    pool_size: *pool_size,
                    migrations: mode,
                    schema: Some(id.to_string()),
                };
                let store = PgStore::connect(options).await.map_err(|err| match err {
                    // Already a full sentence that tells the operator what to do.
                    StoreError::SchemaTooNew { .. } => anyhow::Error::new(err),
                    other => anyhow::Error::new(other)
                        .context(format!("cannot open the schema of environment {id}")),
                })?;
                Ok(OpenStore {
                    store: Arc::new(store.clone()),
                    postgres: Some(store),
                })
            }
        }
    }

    /// Removes environment `id`'s store with everything in it; nothing to remove is fine.
    pub async fn destroy(&self, id: &EnvId) -> anyhow::Result<()> {
        match self {
            Self::Sqlite { dir } => {
                let path = sqlite_path(dir, id);
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    match std::fs::remove_file(&file) {
                        Ok(()) => {}
                        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                        Err(err) => {
                            return Err(err).with_context(|| {
                                format!("cannot remove {}", PathBuf::from(file).display())
                            });
                        }
                    }
                }
                Ok(())
            }
            Self::Postgres { default, .. } => default
                .drop_schema(id.as_str())
                .await
                .with_context(|| format!("cannot drop the schema of environment {id}")),
        }
    }
}

/// The SQLite file of environment `id`.
fn sqlite_path(dir: &Path, id: &EnvId) -> PathBuf {
    dir.join(format!("{id}.db"))
}
