//! The view of an inbound HTTP request that verifiers read: headers, raw body, and the
//! verifier's clock. Nothing here does I/O; the HTTP layer builds one per request.

use std::fmt;

use crate::VerifyError;

/// Case-insensitive header lookup, implemented for `http::HeaderMap` and for slices,
/// arrays and vectors of `(name, value)` pairs.
pub trait HeaderLookup {
    /// The first value of header `name`, whose name is compared ignoring ASCII case.
    /// `None` when the header is absent or its value is not visible ASCII text.
    fn header(&self, name: &str) -> Option<&str>;
}

/// Lets a `&[(name, value)]` (a sized reference to an unsized slice) be passed where a
/// `&dyn HeaderLookup` is expected.
impl<T: HeaderLookup + ?Sized> HeaderLookup for &T {
    fn header(&self, name: &str) -> Option<&str> {
        (**self).header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for [(K, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> HeaderLookup for [(K, V); N] {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl HeaderLookup for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        // `get` with a `&str` normalizes the name's case itself.
        self.get(name).and_then(|value| value.to_str().ok())
    }
}

/// An inbound request as verifiers see it: borrowed headers and body, and `now_secs`
/// (unix seconds) passed in so that verification is pure and testable.
///
/// The body must be the bytes exactly as received: signatures cover them byte for byte.
#[derive(Clone, Copy)]
pub struct InboundRequest<'a> {
    headers: &'a dyn HeaderLookup,
    body: &'a [u8],
    now_secs: i64,
}

impl<'a> InboundRequest<'a> {
    /// A view over the given headers and raw body, checked against clock `now_secs`.
    pub fn new(headers: &'a dyn HeaderLookup, body: &'a [u8], now_secs: i64) -> Self {
        Self {
            headers,
            body,
            now_secs,
        }
    }

    /// The value of header `name` (case-insensitive), trimmed; `None` when absent or empty.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .header(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The raw body bytes.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The verifier's clock, in unix seconds.
    pub fn now_secs(&self) -> i64 {
        self.now_secs
    }

    /// Like [`Self::header`], but a missing header is a [`VerifyError::MissingHeader`].
    pub(crate) fn require(&self, name: &str) -> Result<&'a str, VerifyError> {
        self.header(name).ok_or_else(|| VerifyError::missing(name))
    }

    /// A header's value as a delivery id: present, non-empty, trimmed.
    pub(crate) fn header_id(&self, name: &str) -> Option<String> {
        self.header(name).map(str::to_owned)
    }
}

impl fmt::Debug for InboundRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InboundRequest")
            .field("body_len", &self.body.len())
            .field("now_secs", &self.now_secs)
            .finish_non_exhaustive()
    }
}

/// Extracts the string field `field` of a JSON object body, for providers whose delivery
/// id lives in the payload. `None` for non-JSON bodies, non-objects, or non-string ids.
pub(crate) fn json_string_field(body: &[u8], field: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let id = value.as_object()?.get(field)?.as_str()?.trim();
    (!id.is_empty()).then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_lookup_ignores_case_and_takes_the_first_value() {
        let headers = vec![
            ("X-Thing".to_owned(), "one".to_owned()),
            ("x-thing".to_owned(), "two".to_owned()),
        ];
        assert_eq!(headers.header("X-THING"), Some("one"));
        assert_eq!(headers.header("x-other"), None);
    }

    #[test]
    fn header_map_lookup_ignores_case() {
        let mut map = http::HeaderMap::new();
        map.insert(
            "x-hub-signature-256",
            http::HeaderValue::from_static("sha256=ab"),
        );
        assert_eq!(map.header("X-Hub-Signature-256"), Some("sha256=ab"));
        let req = InboundRequest::new(&map, b"", 0);
        assert_eq!(req.header("x-hub-signature-256"), Some("sha256=ab"));
    }

    #[test]
    fn empty_values_count_as_missing() {
        let headers = [("webhook-id", "  ")];
        let req = InboundRequest::new(&headers, b"", 0);
        assert_eq!(req.header("webhook-id"), None);
        assert_eq!(
            req.require("webhook-id"),
            Err(VerifyError::MissingHeader("webhook-id".into()))
        );
    }

    #[test]
    fn json_field_extraction_is_forgiving() {
        assert_eq!(
            json_string_field(br#"{"id":"evt_1","x":[1]}"#, "id"),
            Some("evt_1".into())
        );
        assert_eq!(json_string_field(b"token=abc&team_id=T1", "id"), None);
        assert_eq!(json_string_field(br#"{"id":7}"#, "id"), None);
        assert_eq!(json_string_field(br#"["id"]"#, "id"), None);
    }
}
