//! Reading requests: JSON bodies with field-level errors, query parameters, pagination.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use hookline_core::Timestamp;
use hookline_store::{Order, PageRequest};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// A JSON body whose every problem is reported with the field's location.
///
/// Syntax errors are 400 (`bad_request`); a missing field or a value of the wrong type is 422
/// with `loc: ["body", ...path]`; a body over the limit is 413. Unknown fields are ignored.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

impl<S, T> FromRequest<S> for ValidJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        parse_json(&bytes).map(ValidJson)
    }
}

fn body_rejection(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge("the request body is larger than the configured limit".into())
    } else {
        ApiError::BadRequest(format!("the request body could not be read: {rejection}"))
    }
}

/// Parses JSON, turning serde's errors into the contract's error shapes.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(
            "the request body is empty; send a JSON object".into(),
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                let mut loc = vec!["body".to_owned()];
                loc.extend(
                    path.split('.')
                        .filter(|p| !p.is_empty() && *p != "?")
                        .map(str::to_owned),
                );
                let kind = if let Some(field) = missing_field(&message) {
                    loc.push(field);
                    "value_error.missing"
                } else {
                    "type_error"
                };
                ApiError::Validation(vec![FieldError {
                    loc,
                    msg: message,
                    kind: kind.into(),
                }])
            }
            _ => ApiError::BadRequest(format!("the request body is not valid JSON: {inner}")),
        }
    })
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(idx) => message[..idx].to_owned(),
        None => message.to_owned(),
    }
}

fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

/// Query parameters, with repeated and comma-separated values both understood.
#[derive(Debug, Default)]
pub struct Params(HashMap<String, Vec<String>>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        if let Some(query) = parts.uri.query() {
            for (key, value) in form_urlencoded::parse(query.as_bytes()) {
                let key = key.trim_end_matches("[]").to_owned();
                map.entry(key).or_default().push(value.into_owned());
            }
        }
        Ok(Self(map))
    }
}

impl Params {
    /// The single value of `name`, if given and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Every value of `name`, splitting comma-separated lists.
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        let values: Vec<String> = self
            .0
            .get(name)?
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        (!values.is_empty()).then_some(values)
    }

    /// A boolean flag (`true`/`false`), defaulting when absent.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some("true") | Some("1") => Ok(true),
            Some("false") | Some("0") => Ok(false),
            Some(_) => Err(ApiError::field(&["query", name], "must be true or false")),
        }
    }

    /// An integer parameter.
    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| ApiError::field(&["query", name], "must be an integer"))
            })
            .transpose()
    }

    /// An RFC 3339 date-time parameter.
    pub fn timestamp(&self, name: &str) -> Result<Option<Timestamp>, ApiError> {
        self.get(name)
            .map(|v| {
                Timestamp::parse_rfc3339(v).ok_or_else(|| {
                    ApiError::field(&["query", name], "must be an RFC 3339 date-time")
                })
            })
            .transpose()
    }

    /// The page to read, from `limit`, `iterator` and `order`, with the listing's default order.
    pub fn page(&self, default_order: Order) -> Result<PageRequest, ApiError> {
        let limit = match self.int("limit")? {
            None => PageRequest::DEFAULT_LIMIT,
            Some(n) if (1..=i64::from(PageRequest::MAX_LIMIT)).contains(&n) => n as u32,
            Some(0) => PageRequest::DEFAULT_LIMIT,
            Some(_) => {
                return Err(ApiError::field(
                    &["query", "limit"],
                    format!("must be between 1 and {}", PageRequest::MAX_LIMIT),
                ));
            }
        };
        let order = match self.get("order") {
            None => default_order,
            Some("ascending") => Order::Ascending,
            Some("descending") => Order::Descending,
            Some(_) => {
                return Err(ApiError::field(
                    &["query", "order"],
                    "must be 'ascending' or 'descending'",
                ));
            }
        };
        let iterator = self.get("iterator").map(str::to_owned);
        if iterator.as_ref().is_some_and(|i| i.len() > 300) {
            return Err(ApiError::field(
                &["query", "iterator"],
                "is not a valid iterator",
            ));
        }
        Ok(PageRequest {
            limit,
            iterator,
            order,
        })
    }
}
