//! The PostgreSQL store, for many Hookline nodes sharing one database.
//!
//! Every node opens the same database; there is no other coordinator. Writes are plain
//! transactions (PostgreSQL commits concurrent transactions together, so there is no writer
//! thread here). The delivery engine's claims use `FOR UPDATE SKIP LOCKED` and leases, and an
//! endpoint is delivered to by one node at a time ([`deliveries`]), so per-endpoint limits hold
//! across nodes. `LISTEN/NOTIFY` ([`listener`]) wakes every node's engine and feed readers when
//! work arrives, so no node polls.

mod apps;
mod attempt_headers;
mod attempts;
mod conflict;
mod connection;
mod core;
mod deliveries;
mod endpoint_secrets;
mod endpoints;
mod engine;
mod environments;
mod error;
mod event_types;
mod feed;
mod idempotency;
mod keys;
mod list;
mod listener;
mod maintenance;
mod messages;
mod migrations;
mod operational;
mod replay;
pub(crate) mod rows;
mod schemas;
mod sources;
mod tasks;
pub mod testing;
mod tls;
mod tools;

use std::sync::Arc;

use crate::StoreResult;
use crate::feed::FeedSignal;
use crate::sqlite::MigrationMode;
pub(crate) use connection::{Db, Schema};

/// How to reach the database and how many connections to keep.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// `postgres://user:password@host:port/database?sslmode=...`.
    pub url: String,
    /// Connections this node keeps open at most.
    pub pool_size: usize,
    /// Whether to bring the schema up to date first, or only check it.
    pub migrations: MigrationMode,
    /// The PostgreSQL schema holding the tables: `None` for the connection's default
    /// (`public`), or a schema of its own (an environment's; see [`PgStore::create_schema`]).
    /// Every connection of the store sets its `search_path` to it, so no statement of this
    /// store can reach another schema's tables.
    pub schema: Option<String>,
}

impl PgOptions {
    /// Defaults for `url`: a pool of 16, migrations applied.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            pool_size: 16,
            migrations: MigrationMode::Apply,
            schema: None,
        }
    }
}

/// Hookline's storage in a PostgreSQL database shared by any number of nodes.
#[derive(Clone)]
pub struct PgStore {
    db: Db,
    /// This process's identity in leases and endpoint ownership (random per start).
    node: Arc<str>,
    /// Wakes feed readers when any node commits messages.
    feed: FeedSignal,
    /// Wakes this node's delivery engine when any node plans deliveries.
    due: crate::due::DueSignal,
    /// Counts notifications that some node created or deleted an environment.
    environments: tokio::sync::watch::Sender<u64>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("node", &self.node).finish()
    }
}

impl PgStore {
    /// Connects, migrates (or checks) the schema and starts listening for other nodes' work.
    pub async fn connect(options: PgOptions) -> StoreResult<Self> {
        let schema = options.schema.as_deref().map(Schema::parse).transpose()?;
        let db = Db::connect(&options.url, options.pool_size, schema.as_ref())?;
        match options.migrations {
            MigrationMode::Apply => migrations::migrate(&db).await?,
            MigrationMode::Verify => migrations::check(&db).await?,
        }
        // Where this store's tables are: notifications name it.
        let schema_name = match options.schema {
            Some(name) => name,
            None => {
                let client = db.client().await?;
                client
                    .query_one("SELECT current_schema()", &[])
                    .await?
                    .try_get::<_, String>(0)?
            }
        };
        let feed = FeedSignal::new();
        let due = crate::due::DueSignal::default();
        let environments = tokio::sync::watch::Sender::new(0);
        let signals = listener::Signals {
            feed: feed.clone(),
            due: due.clone(),
            environments: environments.clone(),
        };
        listener::spawn(&options.url, schema_name, signals).await?;
        Ok(Self {
            db,
            node: crate::postgres::connection::node_id().into(),
            feed,
            due,
            environments,
        })
    }

    /// Brings the schema up to date and returns its version (`hookline migrate`).
    pub async fn migrate(url: &str) -> StoreResult<i64> {
        Self::migrate_schema(url, None).await
    }

    /// Brings the tables of `schema` (which must exist), or those of the default schema when
    /// `None`, up to date; returns the schema version.
    pub async fn migrate_schema(url: &str, schema: Option<&str>) -> StoreResult<i64> {
        let schema = schema.map(Schema::parse).transpose()?;
        let db = Db::connect(url, 1, schema.as_ref())?;
        migrations::migrate(&db).await?;
        Ok(Self::schema_version())
    }

    /// Creates `schema` in this store's database (nothing when it exists), for a store of its
    /// own ([`PgOptions::schema`]) to be opened in.
    pub async fn create_schema(&self, schema: &str) -> StoreResult<()> {
        migrations::create_schema(&self.db, &Schema::parse(schema)?).await
    }

    /// Drops `schema` with every table in it (an environment being deleted). Other nodes'
    /// statements on it fail from then on, so they must have stopped using it or be about to.
    pub async fn drop_schema(&self, schema: &str) -> StoreResult<()> {
        let schema = Schema::parse(schema)?;
        let client = self.db.client().await?;
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {} CASCADE",
                schema.quoted()
            ))
            .await?;
        Ok(())
    }

    /// The schema version this build writes.
    pub fn schema_version() -> i64 {
        migrations::latest_version()
    }

    /// This node's id in delivery leases and endpoint ownership.
    pub fn node_id(&self) -> &str {
        &self.node
    }

    /// Registers what to do when any node plans deliveries (wake the delivery engine).
    pub fn on_due(&self, wake: impl Fn() + Send + Sync + 'static) {
        self.due.set(std::sync::Arc::new(wake));
    }

    /// Gives up this node's endpoints, for a node whose delivery engine has stopped and drained
    /// (graceful shutdown): other nodes, or this node's next start (under a new node id), take
    /// them at their next claim instead of waiting for the ownership to lapse. Never call it
    /// while this node may still have a request in flight.
    pub async fn release_endpoints(&self) -> StoreResult<u64> {
        let client = self.db.client().await?;
        Ok(client
            .execute(
                "DELETE FROM endpoint_owners WHERE node_id = $1",
                &[&&*self.node],
            )
            .await?)
    }

    /// The sealed value every node sharing the database must be able to open (`secrets_check`):
    /// the stored one, or `proposed` after storing it when there is none yet, so of nodes
    /// starting together exactly one decides.
    pub async fn secrets_check(&self, proposed: &str) -> StoreResult<String> {
        let client = self.db.client().await?;
        let now = hookline_core::Timestamp::now().as_millis();
        client
            .execute(
                "INSERT INTO secrets_check (only_row, sealed, updated_at) VALUES (TRUE, $1, $2) \
                 ON CONFLICT (only_row) DO NOTHING",
                &[&proposed, &now],
            )
            .await?;
        let row = client
            .query_one("SELECT sealed FROM secrets_check", &[])
            .await?;
        Ok(row.get(0))
    }

    /// Replaces the sealed value (`hookline migrate` recording a new admin token).
    pub async fn replace_secrets_check(&self, sealed: &str) -> StoreResult<()> {
        let client = self.db.client().await?;
        let now = hookline_core::Timestamp::now().as_millis();
        client
            .execute(
                "INSERT INTO secrets_check (only_row, sealed, updated_at) VALUES (TRUE, $1, $2) \
                 ON CONFLICT (only_row) DO UPDATE SET sealed = EXCLUDED.sealed, \
                 updated_at = EXCLUDED.updated_at",
                &[&sealed, &now],
            )
            .await?;
        Ok(())
    }
}
