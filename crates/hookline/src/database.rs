//! Which database a node uses, and opening it.
//!
//! Unset, Hookline keeps everything in one SQLite file in the data directory (one node). A
//! `postgres://` or `postgresql://` URL selects PostgreSQL, which any number of nodes can share.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use hookline_store::sqlite::MigrationMode;
use hookline_store::{PgOptions, PgStore, SqliteStore, Store, StoreError};

/// Where the data lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// `hookline.db` in the data directory.
    Sqlite,
    /// A PostgreSQL database shared by every node.
    Postgres {
        /// `postgres://user:password@host:port/database?sslmode=...`.
        url: String,
        /// Connections this node keeps open at most.
        pool_size: usize,
    },
}

impl std::fmt::Debug for Database {
    /// Never shows the URL's password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite => f.write_str("Sqlite"),
            Self::Postgres { url, pool_size } => f
                .debug_struct("Postgres")
                .field("url", &redact_url(url))
                .field("pool_size", pool_size)
                .finish(),
        }
    }
}

impl Database {
    /// Reads a `database_url` setting: `None` or empty is SQLite, a `postgres://` or
    /// `postgresql://` URL is PostgreSQL; anything else is refused with the reason.
    pub fn parse(url: Option<&str>, pool_size: usize) -> Result<Self, String> {
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(Self::Sqlite);
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres {
                url: url.to_owned(),
                pool_size,
            })
        } else {
            let scheme = url.split_once("://").map_or(url, |(scheme, _)| scheme);
            Err(format!(
                "'{}' is not a PostgreSQL URL: use postgres://user:password@host:5432/database \
                 (or leave it unset to keep SQLite in the data directory)",
                if scheme == url {
                    redact_url(url)
                } else {
                    format!("{scheme}://...")
                }
            ))
        }
    }

    /// Whether many nodes can share this database.
    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }
}

/// `url` with its password (in the authority or as a `password=` parameter) replaced by
/// `<redacted>`, for logs and `hookline config`.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _password)) => format!("{user}:<redacted>@{host}"),
                    None => authority.to_owned(),
                },
                None => authority.to_owned(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => base.to_owned(),
    };
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                    format!("{key}=<redacted>")
                }
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// An opened store, and its PostgreSQL handle when it is one (for what only PostgreSQL has:
/// wake-ups from other nodes).
#[derive(Debug)]
pub struct Opened {
    /// The store every part of the server uses.
    pub store: Arc<dyn Store>,
    /// The same store when it is PostgreSQL.
    pub postgres: Option<PgStore>,
}

/// Opens the database, migrating it (`MigrationMode::Apply`) or only checking its schema.
/// A database written by a newer Hookline is refused with the store's own message.
pub async fn open(
    database: &Database,
    data_dir: &Path,
    mode: MigrationMode,
) -> anyhow::Result<Opened> {
    match database {
        Database::Sqlite => {
            let path = sqlite_path(data_dir);
            let shown = path.clone();
            let store = tokio::task::spawn_blocking(move || SqliteStore::open_with(&path, mode))
                .await?
                .with_context(|| format!("cannot open the database {}", shown.display()))?;
            Ok(Opened {
                store: Arc::new(store),
                postgres: None,
            })
        }
        Database::Postgres { url, pool_size } => {
            let options = PgOptions {
                url: url.clone(),
                pool_size: *pool_size,
                migrations: mode,
            };
            let store = PgStore::connect(options).await.map_err(|err| match err {
                // Already a full sentence that tells the operator what to do.
                StoreError::SchemaTooNew { .. } => anyhow::Error::new(err),
                other => anyhow::Error::new(other)
                    .context(format!("cannot open the database {}", redact_url(url))),
            })?;
            Ok(Opened {
                store: Arc::new(store.clone()),
                postgres: Some(store),
            })
        }
    }
}

/// The SQLite file in a data directory.
pub fn sqlite_path(data_dir: &Path) -> PathBuf {
    data_dir.join("hookline.db")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_postgres_urls_select_postgres() {
        assert_eq!(Database::parse(None, 16), Ok(Database::Sqlite));
        assert_eq!(Database::parse(Some("  "), 16), Ok(Database::Sqlite));
        for url in [
            "postgres://u@h/db",
            "postgresql://u:p@h:5432/db?sslmode=require",
        ] {
            assert_eq!(
                Database::parse(Some(url), 4),
                Ok(Database::Postgres {
                    url: url.to_owned(),
                    pool_size: 4
                })
            );
        }
        let err = Database::parse(Some("mysql://root:hunter2@db/x"), 16).expect_err("refused");
        assert!(err.contains("mysql://"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        assert!(Database::parse(Some("hookline.db"), 16).is_err());
    }

    #[test]
    fn passwords_are_redacted_wherever_they_are() {
        assert_eq!(
            redact_url("postgres://hook:s3cret@db.internal:5432/hookline?sslmode=verify-full"),
            "postgres://hook:<redacted>@db.internal:5432/hookline?sslmode=verify-full"
        );
        assert_eq!(
            redact_url("postgres://hook@db/hookline?password=s3cret&sslmode=require"),
            "postgres://hook@db/hookline?password=<redacted>&sslmode=require"
        );
        assert_eq!(redact_url("postgres://db/x"), "postgres://db/x");
        let shown = format!(
            "{:?}",
            Database::Postgres {
                url: "postgres://u:s3cret@h/db".into(),
                pool_size: 2
            }
        );
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
