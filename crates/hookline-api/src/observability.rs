//! The outer HTTP layers every response passes through: request ids, request metrics, access
//! logs, CORS, and the Prometheus page at `/metrics`.
//!
//! Metrics are recorded through the `metrics` facade, so whatever recorder the process installed
//! (the binary installs a Prometheus one) receives them:
//! - `hookline_http_requests_total{route,method,status}`: requests answered; `route` is the
//!   matched path template (`/api/v1/app/{app_id}`), never a raw id; unmatched paths count as
//!   `unmatched`.
//! - `hookline_http_request_duration_seconds{route,method}`: time to the response head.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Renders the Prometheus text exposition of the process's metrics.
pub type MetricsRender = Arc<dyn Fn() -> String + Send + Sync>;

/// Which browser origins may call the API (CORS).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CorsOrigins {
    /// No CORS headers: browsers on other origins cannot call the API (the default).
    #[default]
    None,
    /// Any origin (`*`).
    Any,
    /// Exactly these origins (`https://app.example.com`).
    List(Vec<String>),
}

impl CorsOrigins {
    /// Parses a comma-separated list; `*` alone means any origin, empty means none.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let items: Vec<&str> = raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        match items.as_slice() {
            [] => Ok(Self::None),
            ["*"] => Ok(Self::Any),
            _ => {
                for item in &items {
                    let rest = item
                        .strip_prefix("https://")
                        .or_else(|| item.strip_prefix("http://"));
                    match rest {
                        Some(host) if !host.is_empty() && !host.contains('/') => {
                            HeaderValue::from_str(item)
                                .map_err(|_| format!("'{item}' is not a valid origin"))?;
                        }
                        _ => {
                            return Err(format!(
                                "'{item}' is not an origin like https://app.example.com \
                                 (scheme and host, optional port, no path), nor '*' alone"
                            ));
                        }
                    }
                }
                Ok(Self::List(items.into_iter().map(str::to_owned).collect()))
            }
        }
    }

    fn layer(&self) -> Option<CorsLayer> {
        let allow = match self {
            Self::None => return None,
            Self::Any => AllowOrigin::any(),
            Self::List(origins) => AllowOrigin::list(
                origins
                    .iter()
                    .filter_map(|o| HeaderValue::from_str(o).ok())
                    .collect::<Vec<_>>(),
            ),
        };
        Some(
            CorsLayer::new()
                .allow_origin(allow)
                .allow_methods([
                    Method::GET,
                    Method::HEAD,
                    Method::POST,
                    Method::PUT,
                    Method::PATCH,
                    Method::DELETE,
                ])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::CONTENT_TYPE,
                    HeaderName::from_static("idempotency-key"),
                    HeaderName::from_static("x-request-id"),
                    HeaderName::from_static(crate::environments::HEADER),
                ])
                .expose_headers([
                    HeaderName::from_static("x-request-id"),
                    header::RETRY_AFTER,
                    HeaderName::from_static("ratelimit-limit"),
                    HeaderName::from_static("ratelimit-remaining"),
                    HeaderName::from_static("ratelimit-reset"),
                ]),
        )
    }
}

/// Settings of the outer layers.
#[derive(Clone, Default)]
pub struct HttpOptions {
    /// Serves `/metrics` with this renderer when set.
    pub metrics: Option<MetricsRender>,
    /// Browser origins allowed to call the API.
    pub cors: CorsOrigins,
}

impl std::fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOptions")
            .field("metrics", &self.metrics.is_some())
            .field("cors", &self.cors)
            .finish()
    }
}

/// The metrics in Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "Meta", operation_id = "v1.metrics.get", security(()),
    responses((status = 200, description = "Prometheus text exposition format 0.0.4",
        content_type = "text/plain", body = String,
        example = "# TYPE hookline_messages_accepted_total counter\nhookline_messages_accepted_total 3\n")))]
pub(crate) async fn metrics_page(State(render): State<MetricsRender>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        render(),
    )
        .into_response()
}

/// Counts and times every request by its route template.
async fn record(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = match *request.method() {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status();
    metrics::counter!(
        "hookline_http_requests_total",
        "route" => route.clone(),
        "method" => method,
        "status" => status_label(status),
    )
    .increment(1);
    metrics::histogram!(
        "hookline_http_request_duration_seconds",
        "route" => route,
        "method" => method,
    )
    .record(started.elapsed().as_secs_f64());
    response
}

fn status_label(status: StatusCode) -> String {
    status.as_u16().to_string()
}

/// Wraps the API router with `/metrics`, request metrics, request ids, access logs and CORS.
///
/// Every response carries `x-request-id`: the caller's own when it sent one, a new UUID
/// otherwise; the same id is on the request's log lines.
pub fn wrap(router: Router, options: HttpOptions) -> Router {
    let mut router = router;
    if let Some(render) = options.metrics {
        router = router.merge(
            Router::new()
                .route("/metrics", get(metrics_page))
                .with_state(render),
        );
    }
    let x_request_id = HeaderName::from_static("x-request-id");
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request| {
        let id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
    });
    // The last layer added is the outermost: ids are set first and copied onto every response,
    // CORS preflights included.
    let mut router = router.layer(middleware::from_fn(record)).layer(trace);
    if let Some(cors) = options.cors.layer() {
        router = router.layer(cors);
    }
    router
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_origins_parse_and_bad_ones_are_named() {
        assert_eq!(CorsOrigins::parse("").expect("empty"), CorsOrigins::None);
        assert_eq!(CorsOrigins::parse(" * ").expect("any"), CorsOrigins::Any);
        assert_eq!(
            CorsOrigins::parse("https://a.example.com, http://localhost:3000").expect("list"),
            CorsOrigins::List(vec![
                "https://a.example.com".into(),
                "http://localhost:3000".into()
            ])
        );
        let err = CorsOrigins::parse("https://a.example.com/path").expect_err("path");
        assert!(err.contains("https://a.example.com/path"), "{err}");
        assert!(CorsOrigins::parse("a.example.com").is_err());
        assert!(CorsOrigins::parse("*,https://a.example.com").is_err());
    }
}
