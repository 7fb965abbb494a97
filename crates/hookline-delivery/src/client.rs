//! The one HTTP client every delivery shares.

use std::sync::Arc;
use std::time::Duration;

use crate::resolver::GuardedResolver;
use crate::ssrf::TargetPolicy;

/// Settings for outbound HTTP.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Total time allowed for one attempt, from connecting to the end of the response.
    pub request_timeout: Duration,
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Which addresses may be reached.
    pub policy: Arc<TargetPolicy>,
    /// Idle keep-alive connections kept per host: as many as requests can be in flight, so a
    /// busy host's connections are reused rather than closed and opened again.
    pub max_idle_per_host: usize,
}

/// Builds the shared client: pooled keep-alive connections, rustls, no redirects (a 3xx is a
/// failed attempt, never a hop to another host), and the SSRF-guarded resolver.
pub fn build_client(config: &ClientConfig) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("Hookline/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(config.request_timeout)
        .connect_timeout(config.connect_timeout)
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(config.max_idle_per_host)
        .tcp_nodelay(true)
        .dns_resolver(Arc::new(GuardedResolver::new(Arc::clone(&config.policy))))
        .build()
}
