//! Operator settings for receiving webhooks.

use ipnet::IpNet;

use crate::rate_limit::RateLimitConfig;

/// How `/in/{source}` treats its callers and how ingest URLs are written.
#[derive(Debug, Clone, Default)]
pub struct InboundConfig {
    /// Requests each source may receive (a token bucket per `/in/{source}` path value);
    /// `per_second == 0` turns it off. Defaults to 1000 a second with bursts of 2000.
    pub rate_limit: RateLimitConfig,
    /// Proxies (load balancers) whose `X-Forwarded-For` is believed when checking a source's
    /// IP allowlist; none by default, so the TCP peer is the client.
    pub trusted_proxies: Vec<IpNet>,
    /// The public base URL providers reach Hookline at (e.g. `https://hooks.example.com`),
    /// used in `ingestUrl`; when absent, the management request's `Host` is used over `http`.
    pub public_url: Option<String>,
}
