//! `MessageAttemptHeadersOut`.

use std::collections::BTreeMap;

use hookline_core::exchange::AttemptHeaders;
use serde::Serialize;
#[allow(unused_imports)]
use serde_json::json;
use utoipa::ToSchema;

/// The headers of one attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "sentHeaders": {"content-type": "application/json", "webhook-id": "msg_2aJd5e4mE3QZq5a8bE3tJb", "webhook-timestamp": "1764561600", "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "Authorization": ""},
    "responseHeaders": [["content-type", "text/plain"], ["content-length", "2"]],
    "sensitive": ["Authorization"]
}))]
pub struct MessageAttemptHeadersOut {
    /// Headers sent; the values of those named in `sensitive` are withheld (empty).
    pub sent_headers: BTreeMap<String, String>,
    /// The response's headers as `[name, value]` pairs, in order; `null` when no answer came.
    pub response_headers: Option<Vec<(String, String)>>,
    /// Names of sent headers whose values are never shown.
    pub sensitive: Vec<String>,
}

impl From<AttemptHeaders> for MessageAttemptHeadersOut {
    fn from(headers: AttemptHeaders) -> Self {
        Self {
            sent_headers: headers.sent.into_iter().collect(),
            response_headers: headers.response,
            sensitive: headers.sensitive,
        }
    }
}
