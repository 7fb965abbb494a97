//! The connection pool, with TLS when the URL asks for it.

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};

use crate::{StoreError, StoreResult};

/// A pool of connections to one database.
#[derive(Clone)]
pub(crate) struct Db {
    pool: Pool,
}

/// A schema name safe to put in SQL and in a connection's options: letters, digits and `_`
/// only (environment ids are), always written quoted so its case is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Schema(String);

impl Schema {
    /// Accepts 1 to 63 ASCII letters, digits or underscores (PostgreSQL's identifier limit).
    pub(crate) fn parse(name: &str) -> StoreResult<Self> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid {
            Ok(Self(name.to_owned()))
        } else {
            Err(StoreError::Internal(format!(
                "'{name}' is not a schema name Hookline uses (letters, digits and _ only)"
            )))
        }
    }

    /// The name as a quoted identifier.
    pub(crate) fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }
}

impl Db {
    /// A pool of at most `size` connections to `url` (opened lazily), whose tables are those of
    /// `schema` when given (every connection starts with its `search_path` set to it alone).
    pub(crate) fn connect(url: &str, size: usize, schema: Option<&Schema>) -> StoreResult<Self> {
        let mut target = super::tls::target(url)?;
        // Prepared statements are cached per connection; after five runs PostgreSQL may switch a
        // statement to a generic plan, which for "this endpoint's attempts, newest first" reads
        // the endpoint's whole history (0.4 ms became 794 ms per page at 100,000 attempts,
        // `bench/explain`). Planning each execution for its actual values costs far less.
        let mut options = match target.config.get_options() {
            Some(given) => format!("{given} -c plan_cache_mode=force_custom_plan"),
            None => "-c plan_cache_mode=force_custom_plan".to_owned(),
        };
        if let Some(schema) = schema {
            // A startup option, so it holds from the first statement of every connection
            // (prepared statements included) and no session can forget it.
            options.push_str(&format!(" -c search_path={}", schema.quoted()));
        }
        target.config.options(&options);
        let manager = Manager::from_config(
            target.config,
            target.tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(size.max(1))
            .build()
            .map_err(|err| StoreError::Internal(format!("cannot build the pool: {err}")))?;
        Ok(Self { pool })
    }

    /// A connection from the pool.
    pub(crate) async fn client(&self) -> StoreResult<Object> {
        Ok(self.pool.get().await?)
    }
}

/// A fresh random id for this process (leases and endpoint ownership name it).
pub(crate) fn node_id() -> String {
    use rand::Rng;
    let suffix: u64 = rand::rng().random();
    format!("node_{suffix:016x}")
}
