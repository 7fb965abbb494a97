//! One delivery attempt: sign, POST, capture the answer.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use hookline_core::Timestamp;
use hookline_core::exchange::{AttemptHeaders, RESERVED_HEADERS};
use hookline_store::query::DeliveryJob;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};

use crate::etiquette::parse_retry_after;
use crate::signing::Signer;
use crate::ssrf::{RefusedAddress, TargetPolicy};

/// Response bodies are kept up to this many bytes; the rest is not read.
pub const MAX_RESPONSE_BYTES: usize = 20 * 1024;

/// Why an attempt got no HTTP response, as recorded on the attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// The address is not allowed (SSRF guard); carries the class code.
    Refused(&'static str),
    /// The name did not resolve.
    Dns,
    /// The connection was refused.
    ConnectionRefused,
    /// The TLS handshake failed.
    Tls,
    /// The request or connection timed out.
    Timeout,
    /// The URL is plain `http` but the server only allows `https` (`HOOKLINE_HTTPS_ONLY`).
    HttpsRequired,
    /// The connection was reset or closed mid-exchange.
    Reset,
    /// The stored secret or payload could not be used.
    Internal,
    /// Any other transport error.
    Other,
}

impl SendFailure {
    /// The machine code stored on the attempt.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Refused(code) => code,
            Self::Dns => "dns_error",
            Self::ConnectionRefused => "connection_refused",
            Self::Tls => "tls_error",
            Self::Timeout => "timeout",
            Self::HttpsRequired => "https_required",
            Self::Reset => "connection_reset",
            Self::Internal => "internal_error",
            Self::Other => "connection_error",
        }
    }
}

/// What came back from one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendResult {
    /// The HTTP status, when a response arrived.
    pub status_code: Option<u16>,
    /// The response body (truncated), or a sentence describing the failure.
    pub body: String,
    /// Time from starting the request to the end of the captured response.
    pub duration: Duration,
    /// Why no response arrived, if none did.
    pub failure: Option<SendFailure>,
    /// The pause the endpoint asked for with `Retry-After`, if it did.
    pub retry_after: Option<Duration>,
    /// The headers sent and answered, when a request went out.
    pub headers: Option<AttemptHeaders>,
}

impl SendResult {
    /// True for a 2xx answer.
    pub fn is_success(&self) -> bool {
        self.status_code.is_some_and(|s| (200..300).contains(&s))
    }

    fn failed(failure: SendFailure, body: String, started: Instant) -> Self {
        Self {
            status_code: None,
            body,
            duration: started.elapsed(),
            failure: Some(failure),
            retry_after: None,
            headers: None,
        }
    }
}

/// Sends attempts over the shared client.
#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    policy: Arc<TargetPolicy>,
    max_timeout: Duration,
    signer: Signer,
}

impl Sender {
    /// A sender over `client`, applying `policy` to literal-IP URLs (named hosts are checked by
    /// the client's resolver), signing with `signer`; no attempt runs longer than `max_timeout`.
    pub fn new(
        client: reqwest::Client,
        policy: Arc<TargetPolicy>,
        max_timeout: Duration,
        signer: Signer,
    ) -> Self {
        Self {
            client,
            policy,
            max_timeout,
            signer,
        }
    }

    /// Makes one attempt of `job` stamped with `now`.
    pub async fn send(&self, job: &DeliveryJob, now: Timestamp) -> SendResult {
        let started = Instant::now();
        if self.policy.https_only() && job.endpoint.url.as_url().scheme() != "https" {
            let why = "the server only delivers to https URLs (HOOKLINE_HTTPS_ONLY)".to_owned();
            return SendResult::failed(SendFailure::HttpsRequired, why, started);
        }
        if let Some(ip) = job.endpoint.url.literal_ip()
            && let Err(refused) = self.policy.check(ip)
        {
            return SendResult::failed(
                SendFailure::Refused(refused.code()),
                refused.to_string(),
                started,
            );
        }
        // An inbound event is forwarded with its original bytes; other messages send the payload.
        let payload = match &job.forward {
            Some(forward) => forward.body.clone(),
            None => job.message.payload.clone().unwrap_or_default().into_bytes(),
        };
        let headers = match webhook_headers(&self.signer, job, now, &payload) {
            Ok(headers) => headers,
            Err(reason) => return SendResult::failed(SendFailure::Internal, reason, started),
        };
        let sent = AttemptHeaders::from_sent(header_pairs(&headers));
        let mut request = self
            .client
            .post(job.endpoint.url.as_url().clone())
            .headers(headers)
            .body(payload);
        if let Some(timeout) = job.settings.timeout {
            // Endpoint settings can only shorten the server's timeout (the lease depends on it).
            request = request.timeout(timeout.min(self.max_timeout));
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, SystemTime::now()));
                let exchanged = sent.with_response(header_pairs(response.headers()));
                let body = read_capped(response).await;
                SendResult {
                    status_code: Some(status),
                    body,
                    duration: started.elapsed(),
                    failure: None,
                    retry_after,
                    headers: Some(exchanged),
                }
            }
            Err(err) => {
                let failure = classify(&err);
                SendResult {
                    headers: Some(sent),
                    ..SendResult::failed(failure, describe(&err), started)
                }
            }
        }
    }
}

/// Header names and values as text (values that are not text are skipped).
fn header_pairs(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
}

/// The headers of one attempt: the identity and signature headers ([`Signer::headers`]), the
/// endpoint's own headers (reserved names skipped), and the JSON content type. A forwarded
/// inbound event also carries its original headers (the endpoint's win) and content type.
pub fn webhook_headers(
    signer: &Signer,
    job: &DeliveryJob,
    now: Timestamp,
    body: &[u8],
) -> Result<HeaderMap, String> {
    let fixed = signer
        .headers(&job.endpoint.secret, job.message.id.as_str(), now, body)
        .map_err(|e| e.to_string())?;

    let mut headers = HeaderMap::new();
    let forwarded = job
        .forward
        .iter()
        .flat_map(|f| f.headers.iter().map(|(n, v)| (n, v)));
    for (name, value) in forwarded.chain(&job.endpoint.headers) {
        if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    let content_type = job
        .forward
        .as_ref()
        .and_then(|f| f.content_type.as_deref())
        .and_then(|ct| HeaderValue::from_str(ct).ok())
        .unwrap_or_else(|| HeaderValue::from_static("application/json"));
    headers.insert(CONTENT_TYPE, content_type);
    for (name, value) in fixed {
        let value = HeaderValue::from_str(&value).map_err(|e| format!("bad {name} value: {e}"))?;
        headers.insert(HeaderName::from_static(name), value);
    }
    Ok(headers)
}

/// Reads at most [`MAX_RESPONSE_BYTES`] of the body; a body that fails mid-way keeps what arrived.
async fn read_capped(response: reqwest::Response) -> String {
    let mut captured: Vec<u8> = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { break };
        let room = MAX_RESPONSE_BYTES - captured.len();
        captured.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if captured.len() >= MAX_RESPONSE_BYTES {
            break;
        }
    }
    String::from_utf8_lossy(&captured).into_owned()
}

/// The error's causes, outermost first, looking inside `io::Error` wrappers too (their
/// `source()` skips the error they wrap).
fn causes(err: &reqwest::Error) -> Vec<&(dyn std::error::Error + 'static)> {
    let mut chain = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = next {
        chain.push(cause);
        next = match cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => cause.source(),
        };
    }
    chain
}

/// Names the transport failure by walking the error's causes.
fn classify(err: &reqwest::Error) -> SendFailure {
    let chain = causes(err);
    // A refusal by the SSRF guard surfaces as a resolver error; name it for what it is.
    if let Some(refused) = chain
        .iter()
        .find_map(|cause| cause.downcast_ref::<RefusedAddress>())
    {
        return SendFailure::Refused(refused.code());
    }
    if err.is_timeout() {
        return SendFailure::Timeout;
    }
    for cause in &chain {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind;
            match io.kind() {
                ErrorKind::ConnectionRefused => return SendFailure::ConnectionRefused,
                ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof => return SendFailure::Reset,
                ErrorKind::TimedOut => return SendFailure::Timeout,
                // While connecting, undecodable bytes come from the TLS layer (rustls reports
                // e.g. "received corrupt message" when the server does not speak TLS).
                ErrorKind::InvalidData if err.is_connect() => return SendFailure::Tls,
                _ => {}
            }
        }
    }
    for cause in &chain {
        let text = cause.to_string().to_ascii_lowercase();
        if text.contains("dns error") || text.contains("failed to lookup") {
            return SendFailure::Dns;
        }
        if ["tls", "certificate", "handshake", "corrupt message"]
            .iter()
            .any(|needle| text.contains(needle))
        {
            return SendFailure::Tls;
        }
    }
    if err.is_connect() {
        SendFailure::Other
    } else {
        SendFailure::Reset
    }
}

/// A one-line description of the error with its causes.
fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
