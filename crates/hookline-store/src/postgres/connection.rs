//! The connection pool, with TLS when the URL asks for it.

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};

use crate::{StoreError, StoreResult};

/// A pool of connections to one database.
#[derive(Clone)]
pub(crate) struct Db {
    pool: Pool,
}

impl Db {
    /// A pool of at most `size` connections to `url` (opened lazily).
    pub(crate) fn connect(url: &str, size: usize) -> StoreResult<Self> {
        let mut target = super::tls::target(url)?;
        // Prepared statements are cached per connection; after five runs PostgreSQL may switch a
        // statement to a generic plan, which for "this endpoint's attempts, newest first" reads
        // the endpoint's whole history (0.4 ms became 794 ms per page at 100,000 attempts,
        // `bench/explain`). Planning each execution for its actual values costs far less.
        let options = match target.config.get_options() {
            Some(given) => format!("{given} -c plan_cache_mode=force_custom_plan"),
            None => "-c plan_cache_mode=force_custom_plan".to_owned(),
        };
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
