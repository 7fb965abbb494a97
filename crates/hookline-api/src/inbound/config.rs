//! Operator settings for receiving webhooks.

use ipnet::IpNet;

/// How `/in/{source}` treats its callers and how ingest URLs are written.
#[derive(Debug, Clone, Default)]
pub struct InboundConfig {
    /// Proxies (load balancers) whose `X-Forwarded-For` is believed when checking a source's
    /// IP allowlist; none by default, so the TCP peer is the client.
    pub trusted_proxies: Vec<IpNet>,
    /// The public base URL providers reach Hookline at (e.g. `https://hooks.example.com`),
    /// used in `ingestUrl`; when absent, the management request's `Host` is used over `http`.
    pub public_url: Option<String>,
}
