//! Request and response shapes of the contract, and their conversion to and from domain types.
//!
//! Field names and casing follow the Svix v1 API. Unknown request fields are ignored; `null` is
//! treated like an absent field, except in PATCH bodies where `null` clears a value.

pub mod api_key;
pub mod application;
pub mod attempt;
pub mod attempt_headers;
pub mod delivery;
pub mod endpoint;
pub mod environment;
pub mod event_type;
pub mod feed;
pub mod message;
pub mod openapi;
pub mod replay;
pub mod schema;
pub mod secret;
pub mod tools;

use std::fmt::Display;

use hookline_store::Page;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};

/// The contract's list envelope (`ListResponse_ApplicationOut_` and friends in the contract).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListResponse<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// Pass as `iterator` to read the next page.
    #[schema(example = "iterator")]
    pub iterator: Option<String>,
    /// Pass as `iterator` to read the previous page.
    #[schema(example = "-iterator")]
    pub prev_iterator: Option<String>,
    /// True when no items follow.
    pub done: bool,
}

impl<T> ListResponse<T> {
    /// Renders a store page with `render` applied to each item.
    pub fn from_page<U>(page: Page<U>, render: impl FnMut(U) -> T) -> Self {
        let page = page.map(render);
        Self {
            data: page.items,
            iterator: page.iterator,
            prev_iterator: page.prev_iterator,
            done: page.done,
        }
    }
}

/// A PATCH field: absent (`None`), explicitly `null` (`Some(None)`), or a value.
pub type Patch<T> = Option<Option<T>>;

/// Deserialises a [`Patch`] field so that `null` is kept apart from absence.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Patch<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Some(Option::deserialize(deserializer)?))
}

/// Longest label a person gives a key or an environment.
pub const MAX_LABEL_LEN: usize = 256;

/// Collects every failing field of a request before answering 422 once, with all of them.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    /// Records the error of `result` at `loc`, returning the value or a default stand-in.
    pub fn take<T: Default, E: Display>(&mut self, loc: &[&str], result: Result<T, E>) -> T {
        match result {
            Ok(value) => value,
            Err(err) => {
                self.0.push(FieldError::value(loc, err.to_string()));
                T::default()
            }
        }
    }

    /// Records the error of `result` at `loc`; `None` stands in for the failed value.
    pub fn check<T, E: Display>(&mut self, loc: &[&str], result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.0.push(FieldError::value(loc, err.to_string()));
                None
            }
        }
    }

    /// Records a failure at `loc`.
    pub fn fail(&mut self, loc: &[&str], msg: impl Into<String>) {
        self.0.push(FieldError::value(loc, msg));
    }

    /// Ok when nothing failed; otherwise the 422 with every failing field.
    pub fn done(self) -> Result<(), ApiError> {
        self.done_with(())
    }

    /// `value` when nothing failed, or the value is missing; otherwise the 422.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        self.done()?;
        value.ok_or_else(|| ApiError::Internal("a checked value went missing".into()))
    }

    /// `raw` trimmed, as the label at `loc` (a key's or an environment's `name`): 1 to
    /// [`MAX_LABEL_LEN`] characters, else a failure there.
    pub fn label(&mut self, loc: &[&str], raw: &str) -> String {
        let label = raw.trim().to_owned();
        if label.is_empty() || label.chars().count() > MAX_LABEL_LEN {
            self.fail(loc, format!("must be 1 to {MAX_LABEL_LEN} characters"));
        }
        label
    }

    fn done_with<T>(self, value: T) -> Result<T, ApiError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

/// Parses each item of an optional list, recording failures at `loc[i]`.
pub fn parse_list<T, E: Display>(
    checks: &mut Checks,
    loc: &str,
    items: Option<Vec<String>>,
    parse: impl Fn(String) -> Result<T, E>,
) -> Option<Vec<T>> {
    let items = items?;
    let mut parsed = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let index = index.to_string();
        match parse(item) {
            Ok(value) => parsed.push(value),
            Err(err) => checks.fail(&["body", loc, &index], err.to_string()),
        }
    }
    Some(parsed)
}
