//! Token-bucket rate limits per key, with the `RateLimit-*` headers on every answer.
//!
//! [`KeyedLimiter`] holds one bucket per key (an API key's id, an inbound source, ...), refilled at
//! `per_second` tokens a second up to `burst`. It runs on tokio's clock, so tests can pause time
//! and watch a bucket refill without sleeping.
//!
//! The management API limits each principal in [`crate::auth`]. Any other router can limit per
//! path parameter with [`limit_by_path_param`]; for the inbound route, per source:
//!
//! ```ignore
//! let limit = PathParamLimit::new(Arc::clone(&limiter), "source");
//! Router::new()
//!     .route("/in/{source}", post(receive))
//!     .route_layer(axum::middleware::from_fn_with_state(limit, limit_by_path_param));
//! ```

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{RawPathParams, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::middleware::StateInformationMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::error::ApiError;

/// How fast each key may call: `per_second` sustained, `burst` at once. `per_second == 0` turns
/// limiting off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Tokens added to a bucket each second (sustained requests per second); 0 = no limit.
    pub per_second: u32,
    /// Bucket size: requests allowed at once after a quiet period.
    pub burst: u32,
}

impl Default for RateLimitConfig {
    /// 1000 requests a second with bursts of 2000: far above what one client needs, low enough to
    /// stop one runaway script from starving every other key.
    fn default() -> Self {
        Self {
            per_second: 1000,
            burst: 2000,
        }
    }
}

impl RateLimitConfig {
    /// No limit at all.
    pub const OFF: Self = Self {
        per_second: 0,
        burst: 0,
    };
}

/// Monotonic time from tokio, so paused test time drives refills.
#[derive(Debug, Clone)]
pub struct TokioClock {
    origin: tokio::time::Instant,
}

impl Default for TokioClock {
    fn default() -> Self {
        Self {
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(self.origin.elapsed())
    }
}

type Inner =
    RateLimiter<String, DefaultKeyedStateStore<String>, TokioClock, StateInformationMiddleware>;

/// Checks between two sweeps of idle buckets (bounds memory with many keys).
const SWEEP_EVERY: u64 = 4096;

/// One token bucket per key.
#[derive(Debug)]
pub struct KeyedLimiter {
    inner: Inner,
    burst: u32,
    per_second: u32,
    checks: AtomicU64,
}

/// The verdict on one request, and the headers that tell the client where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Let through.
    Allowed {
        /// The bucket size.
        limit: u32,
        /// Requests left right now.
        remaining: u32,
        /// Seconds until the bucket is full again.
        reset_secs: u64,
    },
    /// Refused: the bucket is empty.
    Limited {
        /// The bucket size.
        limit: u32,
        /// Seconds until one request will be let through.
        retry_after_secs: u64,
    },
}

impl KeyedLimiter {
    /// A limiter for `config`, or `None` when limiting is off.
    pub fn new(config: RateLimitConfig) -> Option<Self> {
        let per_second = NonZeroU32::new(config.per_second)?;
        let burst = NonZeroU32::new(config.burst.max(1))?;
        let quota = Quota::per_second(per_second).allow_burst(burst);
        let inner: Inner = RateLimiter::new(
            quota,
            DefaultKeyedStateStore::default(),
            TokioClock::default(),
        );
        Some(Self {
            inner,
            burst: burst.get(),
            per_second: per_second.get(),
            checks: AtomicU64::new(0),
        })
    }

    /// Takes one token from `key`'s bucket if there is one.
    pub fn check(&self, key: &str) -> Decision {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.inner.retain_recent();
        }
        match self.inner.check_key(&key.to_owned()) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity().min(self.burst);
                let missing = u64::from(self.burst - remaining);
                Decision::Allowed {
                    limit: self.burst,
                    remaining,
                    reset_secs: missing.div_ceil(u64::from(self.per_second)),
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.inner.clock().now());
                Decision::Limited {
                    limit: self.burst,
                    retry_after_secs: ceil_secs(wait).max(1),
                }
            }
        }
    }
}

fn ceil_secs(duration: Duration) -> u64 {
    let secs = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        secs + 1
    } else {
        secs
    }
}

static LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
static REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
static RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

impl Decision {
    /// Whether the request may go on.
    pub fn allowed(&self) -> bool {
        matches!(self, Self::Allowed { .. })
    }

    /// Adds `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (and `Retry-After` when
    /// limited) to `headers`.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        let (limit, remaining, reset) = match *self {
            Self::Allowed {
                limit,
                remaining,
                reset_secs,
            } => (limit, remaining, reset_secs),
            Self::Limited {
                limit,
                retry_after_secs,
            } => {
                headers.insert(
                    axum::http::header::RETRY_AFTER,
                    HeaderValue::from(retry_after_secs),
                );
                (limit, 0, retry_after_secs)
            }
        };
        headers.insert(LIMIT.clone(), HeaderValue::from(limit));
        headers.insert(REMAINING.clone(), HeaderValue::from(remaining));
        headers.insert(RESET.clone(), HeaderValue::from(reset));
    }

    /// The 429 answer for a refused request, with its headers.
    pub fn too_many_requests(&self) -> Response {
        let retry = match *self {
            Self::Limited {
                retry_after_secs, ..
            } => retry_after_secs,
            Self::Allowed { .. } => 1,
        };
        let mut response = ApiError::RateLimited(format!(
            "too many requests; retry in {retry} second{}",
            if retry == 1 { "" } else { "s" }
        ))
        .into_response();
        self.write_headers(response.headers_mut());
        response
    }
}

/// Runs `next` if `key`'s bucket has a token, and adds the rate-limit headers to the answer;
/// otherwise answers 429.
pub async fn enforce(limiter: &KeyedLimiter, key: &str, request: Request, next: Next) -> Response {
    let decision = limiter.check(key);
    if !decision.allowed() {
        metrics::counter!("hookline_rate_limited_total", "limiter" => "path_param").increment(1);
        return decision.too_many_requests();
    }
    let mut response = next.run(request).await;
    decision.write_headers(response.headers_mut());
    response
}

/// State for [`limit_by_path_param`]: a limiter and the path parameter whose value is the key.
#[derive(Debug, Clone)]
pub struct PathParamLimit {
    limiter: Arc<KeyedLimiter>,
    param: &'static str,
}

impl PathParamLimit {
    /// Limits per value of the path parameter `param` (as named in the route, e.g. `"source"`).
    pub fn new(limiter: Arc<KeyedLimiter>, param: &'static str) -> Self {
        Self { limiter, param }
    }
}

/// Middleware (use with `route_layer`) limiting each value of a path parameter separately.
/// Requests on routes without that parameter pass unlimited.
pub async fn limit_by_path_param(
    State(limit): State<PathParamLimit>,
    params: RawPathParams,
    request: Request,
    next: Next,
) -> Response {
    let key = params
        .iter()
        .find(|(name, _)| *name == limit.param)
        .map(|(_, value)| format!("{}:{value}", limit.param));
    match key {
        Some(key) => enforce(&limit.limiter, &key, request, next).await,
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_second: u32, burst: u32) -> KeyedLimiter {
        KeyedLimiter::new(RateLimitConfig { per_second, burst }).expect("limiting is on")
    }

    #[tokio::test(start_paused = true)]
    async fn an_empty_bucket_refuses_until_it_refills() {
        let limiter = limiter(2, 3);
        let remaining: Vec<u32> = (0..3)
            .map(|_| match limiter.check("k") {
                Decision::Allowed { remaining, .. } => remaining,
                other => panic!("expected a pass, got {other:?}"),
            })
            .collect();
        assert_eq!(remaining, vec![2, 1, 0]);
        assert_eq!(
            limiter.check("k"),
            Decision::Limited {
                limit: 3,
                retry_after_secs: 1
            }
        );
        tokio::time::advance(Duration::from_millis(500)).await;
        assert!(
            limiter.check("k").allowed(),
            "one token came back after 1/2 s"
        );
        assert!(!limiter.check("k").allowed());
    }

    #[tokio::test(start_paused = true)]
    async fn keys_have_separate_buckets() {
        let limiter = limiter(1, 1);
        assert!(limiter.check("a").allowed());
        assert!(!limiter.check("a").allowed());
        assert!(limiter.check("b").allowed());
    }

    #[tokio::test(start_paused = true)]
    async fn the_path_param_layer_limits_each_source_and_recovers_after_refill() {
        use axum::Router;
        use axum::body::Body;
        use axum::http::{Request, StatusCode};
        use axum::routing::post;
        use tower::ServiceExt;

        let limit = PathParamLimit::new(Arc::new(limiter(1, 2)), "source");
        let app = Router::new()
            .route("/in/{source}", post(|| async { StatusCode::ACCEPTED }))
            .route_layer(axum::middleware::from_fn_with_state(
                limit,
                limit_by_path_param,
            ));
        let send = |source: &'static str| {
            let app = app.clone();
            async move {
                let request = Request::post(format!("/in/{source}"))
                    .body(Body::empty())
                    .expect("request");
                app.oneshot(request).await.expect("infallible")
            }
        };
        assert_eq!(send("stripe").await.status(), StatusCode::ACCEPTED);
        let last = send("stripe").await;
        assert_eq!(last.headers()["ratelimit-remaining"], "0");
        let refused = send("stripe").await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()["retry-after"], "1");
        assert_eq!(send("github").await.status(), StatusCode::ACCEPTED);

        tokio::time::advance(Duration::from_secs(1)).await;
        let recovered = send("stripe").await;
        assert_eq!(recovered.status(), StatusCode::ACCEPTED);
        assert_eq!(recovered.headers()["ratelimit-remaining"], "0");
    }

    #[test]
    fn zero_per_second_turns_limiting_off() {
        assert!(KeyedLimiter::new(RateLimitConfig::OFF).is_none());
    }

    #[test]
    fn limited_answers_carry_retry_after_and_ratelimit_headers() {
        let decision = Decision::Limited {
            limit: 10,
            retry_after_secs: 3,
        };
        let response = decision.too_many_requests();
        assert_eq!(response.status(), axum::http::StatusCode::TOO_MANY_REQUESTS);
        let header = |name: &str| response.headers()[name].to_str().expect("text").to_owned();
        assert_eq!(header("retry-after"), "3");
        assert_eq!(header("ratelimit-limit"), "10");
        assert_eq!(header("ratelimit-remaining"), "0");
        assert_eq!(header("ratelimit-reset"), "3");
    }
}
