//! Where environments' stores live, next to the default environment's: a SQLite file each in
//! `<data_dir>/environments/`, or a PostgreSQL schema each (named after the environment's id)
//! in the default store's database.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use hookline_core::EnvId;
use hookline_store::SqliteStore;
use hookline_store::sqlite::MigrationMode;

use super::runtime::OpenStore;

/// How to open and remove environments' stores.
#[derive(Debug, Clone)]
pub enum Storage {
    /// A SQLite file per environment in this directory.
    Sqlite {
        /// `<data_dir>/environments`.
        dir: PathBuf,
    },
}

impl Storage {
    /// Files in `<data_dir>/environments/`.
    pub fn sqlite(data_dir: &std::path::Path) -> Self {
        Self::Sqlite {
            dir: data_dir.join("environments"),
        }
    }

    /// Whether other nodes share these stores (and may create or delete environments).
    pub fn is_shared(&self) -> bool {
        match self {
            Self::Sqlite { .. } => false,
        }
    }

    /// Opens environment `id`'s store, creating it when `mode` applies migrations.
    pub async fn open(&self, id: &EnvId, mode: MigrationMode) -> anyhow::Result<OpenStore> {
        match self {
            Self::Sqlite { dir } => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
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
        }
    }
}

/// The SQLite file of environment `id`.
fn sqlite_path(dir: &std::path::Path, id: &EnvId) -> PathBuf {
    dir.join(format!("{id}.db"))
}
