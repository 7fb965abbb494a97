//! The headers of one delivery attempt, as sent and as answered, kept so users can see exactly
//! what their receiver got (`GET .../attempt/{id}/headers`).
//!
//! Values of credential headers are never kept: their names are listed in `sensitive`. The
//! names Hookline reserves for itself live here too, so the API (refusing them on endpoints) and
//! the sender (skipping them) read one list.

/// Header names Hookline sets itself and endpoint headers may not use.
pub const RESERVED_HEADERS: &[&str] = &[
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "svix-id",
    "svix-timestamp",
    "svix-signature",
    "content-type",
    "content-length",
    "host",
    "user-agent",
    "transfer-encoding",
    "connection",
];

/// Header names whose values are never shown back nor stored with an attempt.
pub const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
];

/// Response headers kept per attempt, at most (the rest are dropped).
pub const MAX_RESPONSE_HEADERS: usize = 64;
/// Longest response header value kept, in bytes (longer ones are cut).
pub const MAX_HEADER_VALUE_BYTES: usize = 1024;

/// True for a header whose value must not be shown or stored.
pub fn is_sensitive(name: &str) -> bool {
    SENSITIVE_HEADERS.contains(&name.to_ascii_lowercase().as_str())
}

/// The headers of one attempt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttemptHeaders {
    /// Headers sent, in order; sensitive ones have an empty value.
    pub sent: Vec<(String, String)>,
    /// Headers of the answer, when one arrived.
    pub response: Option<Vec<(String, String)>>,
    /// Names of sent headers whose values were withheld.
    pub sensitive: Vec<String>,
}

impl AttemptHeaders {
    /// Records `sent` headers, withholding sensitive values.
    pub fn from_sent<'a>(sent: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut headers = Self::default();
        for (name, value) in sent {
            if is_sensitive(name) {
                headers.sensitive.push(name.to_owned());
                headers.sent.push((name.to_owned(), String::new()));
            } else {
                headers.sent.push((name.to_owned(), value.to_owned()));
            }
        }
        headers
    }

    /// Adds the answer's headers, bounded in count and size.
    pub fn with_response<'a>(
        mut self,
        response: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let kept = response
            .into_iter()
            .take(MAX_RESPONSE_HEADERS)
            .map(|(name, value)| (name.to_owned(), truncate(value, MAX_HEADER_VALUE_BYTES)))
            .collect();
        self.response = Some(kept);
        self
    }
}

fn truncate(value: &str, max: usize) -> String {
    if value.len() <= max {
        return value.to_owned();
    }
    let mut end = max;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    value[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_withheld_and_named() {
        let headers = AttemptHeaders::from_sent([
            ("webhook-id", "msg_1"),
            ("Authorization", "Bearer secret"),
        ]);
        assert_eq!(headers.sent[0], ("webhook-id".into(), "msg_1".into()));
        assert_eq!(headers.sent[1], ("Authorization".into(), String::new()));
        assert_eq!(headers.sensitive, vec!["Authorization".to_owned()]);
    }

    #[test]
    fn response_headers_are_bounded() {
        let long = "é".repeat(2000);
        let many: Vec<(String, String)> =
            (0..100).map(|n| (format!("x-{n}"), long.clone())).collect();
        let headers = AttemptHeaders::default()
            .with_response(many.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let response = headers.response.expect("kept");
        assert_eq!(response.len(), MAX_RESPONSE_HEADERS);
        assert!(
            response
                .iter()
                .all(|(_, v)| v.len() <= MAX_HEADER_VALUE_BYTES)
        );
    }
}
