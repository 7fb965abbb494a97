//! DNS resolution that refuses private and special addresses.
//!
//! The HTTP client connects only to the addresses this resolver returns, so checking them here is
//! checking them at connect time: a name that resolves to a public address for the endpoint check
//! and to 169.254.169.254 a second later (DNS rebinding) is refused on the second lookup.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::ssrf::TargetPolicy;

/// Resolves names with the system resolver, then drops every address the policy refuses.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<TargetPolicy>,
}

impl GuardedResolver {
    /// A resolver enforcing `policy`.
    pub fn new(policy: Arc<TargetPolicy>) -> Self {
        Self { policy }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|addr| match policy.check(addr.ip()) {
                    Ok(()) => true,
                    Err(err) => {
                        refused = Some(err);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let err: Box<dyn std::error::Error + Send + Sync> = match refused {
                    Some(refusal) => Box::new(refusal),
                    None => format!("{host} did not resolve to any address").into(),
                };
                return Err(err);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}
