//! The API's one error type and its mapping to HTTP.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hookline_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// One failing field in a 422 answer, as the contract shapes it (`ValidationError`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
#[schema(as = ValidationError, example = json!({"loc": ["body", "url"], "msg": "must be an http or https URL", "type": "value_error"}))]
pub struct FieldError {
    /// Where the value was: `["body", "url"]`, `["query", "limit"]`, `["path", "app_id"]`.
    pub loc: Vec<String>,
    /// What is wrong with it, as a sentence.
    pub msg: String,
    /// A machine-readable kind (`value_error`, `value_error.missing`, `type_error`).
    #[serde(rename = "type")]
    pub kind: String,
}

impl FieldError {
    /// A value error at `loc`.
    pub fn value(loc: &[&str], msg: impl Into<String>) -> Self {
        Self {
            loc: loc.iter().map(|s| (*s).to_owned()).collect(),
            msg: msg.into(),
            kind: "value_error".into(),
        }
    }
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request could not be read at all (malformed JSON, wrong encoding).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no or invalid credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the credentials are valid but do not reach this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: the named resource does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 409: a unique value is taken.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is larger than allowed.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 422: fields failed validation.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 429: the caller's rate limit is used up.
    #[error("{0}")]
    RateLimited(String),
    /// 503: storage is unavailable.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug; the detail is logged, not shown.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// 404 for a missing thing, named in the sentence.
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    /// 422 for a single field.
    pub fn field(loc: &[&str], msg: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::value(loc, msg)])
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "authentication_failed"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation"),
            Self::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }
}

/// The body of every error but 422 (`HttpErrorOut`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = HttpErrorOut, example = json!({"code": "not_found", "detail": "application not found"}))]
pub struct HttpErrorOut<'a> {
    /// A machine-readable code (`bad_request`, `authentication_failed`, `not_found`, ...).
    code: &'a str,
    /// What went wrong, as a sentence.
    detail: String,
}

/// The body of a 422: every failing field (`HTTPValidationError`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = HTTPValidationError)]
pub struct ValidationOut<'a> {
    /// The failing fields.
    detail: &'a [FieldError],
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        match self {
            Self::Validation(errors) => {
                (status, Json(ValidationOut { detail: &errors })).into_response()
            }
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                let body = HttpErrorOut {
                    code,
                    detail: "internal server error".into(),
                };
                (status, Json(body)).into_response()
            }
            other => {
                let body = HttpErrorOut {
                    code,
                    detail: other.to_string(),
                };
                (status, Json(body)).into_response()
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::NotFound("not found".into()),
            StoreError::Conflict(detail) => Self::Conflict(detail),
            StoreError::Unavailable(detail) => Self::Unavailable(detail),
            StoreError::InvalidValue(detail) => Self::BadRequest(detail),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
