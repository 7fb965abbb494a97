//! What every handler can reach.

use std::sync::Arc;

use hookline_core::EnvId;
use hookline_delivery::TargetPolicy;
use hookline_delivery::engine::Waker;
use hookline_delivery::signing::Signer;
use hookline_store::Store;

use crate::auth::AdminToken;
use crate::environments::EnvironmentHost;
use crate::inbound::InboundConfig;
use crate::payload_schemas::PayloadSchemas;
use crate::security::Security;

/// API settings.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Largest request body accepted, in bytes (default 1 MiB).
    pub max_body_bytes: usize,
    /// Which addresses endpoints may point at (literal IPs are checked at creation).
    pub policy: Arc<TargetPolicy>,
    /// How `/in/{source}` treats callers and how ingest URLs are written.
    pub inbound: InboundConfig,
    /// Where the `/docs` page loads its renderer from; `None`: the pinned CDN copy.
    pub docs_script_url: Option<String>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            policy: Arc::new(TargetPolicy::default()),
            inbound: InboundConfig::default(),
            docs_script_url: None,
        }
    }
}

/// Shared state of the API: one `Arc`, so the clone axum makes for every request (and every
/// middleware layer) is a single reference-count increment.
#[derive(Debug, Clone)]
pub struct AppState(Arc<StateParts>);

impl AppState {
    /// The state handlers see, made of `parts`.
    pub fn new(parts: StateParts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = StateParts;

    fn deref(&self) -> &StateParts {
        &self.0
    }
}

/// What [`AppState`] holds.
#[derive(Debug)]
pub struct StateParts {
    /// Durable storage.
    pub store: Arc<dyn Store>,
    /// Settings.
    pub config: Arc<ApiConfig>,
    /// Wakes the delivery engine when a message was planned.
    pub waker: Waker,
    /// The admin token callers must present.
    pub admin: Arc<AdminToken>,
    /// Seals and opens endpoint keyrings; knows the default key type and header names.
    pub signer: Signer,
    /// Rate-limit buckets and other state of the request guards.
    pub security: Arc<Security>,
    /// Compiled event-type schemas for payload validation.
    pub payload_schemas: PayloadSchemas,
    /// The environment this state serves (its `store` is that environment's): `None` for the
    /// default environment. New keys' tokens and ingest URLs name it.
    pub environment: Option<EnvId>,
    /// Every environment of the server, for the `/environment` routes; `None` where the API runs
    /// without them (a bare router in tests).
    pub environments: Option<Arc<dyn EnvironmentHost>>,
}
