//! Every error answer in the contract's `{"code", "detail"}` shape, including the ones axum makes
//! itself (405 for a wrong method, 400 for a path that is not valid UTF-8, ...), which are plain
//! text or empty otherwise.

use axum::Json;
use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Plain-text error bodies longer than this are cut (they come from axum and are short).
const MAX_DETAIL_BYTES: usize = 4096;

#[derive(Serialize)]
struct HttpErrorOut {
    code: &'static str,
    detail: String,
}

fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "authentication_failed",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_server_error() => "internal_error",
        _ => "bad_request",
    }
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"))
}

/// Rewrites a non-JSON error answer into `{"code", "detail"}`, keeping its status and other
/// headers (such as `Allow` on a 405). Use with `axum::middleware::map_response`.
pub async fn uniform_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_DETAIL_BYTES)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default();
    let detail = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("request refused")
            .to_owned()
    } else {
        text
    };
    let body = Json(HttpErrorOut {
        code: code_for(status),
        detail,
    })
    .into_response()
    .into_body();
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::new(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn plain_errors_become_the_contract_body_and_json_ones_stay() {
        let plain = (StatusCode::METHOD_NOT_ALLOWED, "").into_response();
        let rewritten = uniform_errors(plain).await;
        assert_eq!(rewritten.status(), StatusCode::METHOD_NOT_ALLOWED);
        let bytes = axum::body::to_bytes(rewritten.into_body(), 1024)
            .await
            .expect("body");
        let body: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
        assert_eq!(body["code"], "method_not_allowed");
        assert_eq!(body["detail"], "Method Not Allowed");

        let ok = (StatusCode::OK, "fine").into_response();
        assert!(!is_json(&uniform_errors(ok).await));
    }
}
