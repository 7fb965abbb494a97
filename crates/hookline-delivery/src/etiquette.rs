//! HTTP etiquette: what an endpoint's answer means for the endpoint as a whole.
//!
//! - 2xx: delivered. 3xx (redirects are never followed) and other codes: failed, retried.
//! - `410 Gone`: the receiver says the URL is gone for good; the endpoint is disabled.
//! - 429, 502, 503, 504 and timeouts: the receiver is overloaded; the whole endpoint is held back
//!   for its `Retry-After` (seconds or HTTP date, clamped to [`RetryAfterBounds`]) or, without
//!   one, for a backoff that doubles while the answers continue.

use std::time::{Duration, SystemTime};

use crate::sender::{SendFailure, SendResult};

/// How far a `Retry-After` is honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfterBounds {
    /// Shortest pause (default 1 s).
    pub min: Duration,
    /// Longest pause (default 1 hour); a longer `Retry-After` is cut to this.
    pub max: Duration,
}

impl Default for RetryAfterBounds {
    fn default() -> Self {
        Self {
            min: Duration::from_secs(1),
            max: Duration::from_secs(3600),
        }
    }
}

impl RetryAfterBounds {
    /// `asked` clamped into the bounds.
    pub fn clamp(&self, asked: Duration) -> Duration {
        asked.clamp(self.min, self.max.max(self.min))
    }
}

/// The meaning of one attempt's result for its endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx.
    Delivered,
    /// 410: disable the endpoint.
    Gone,
    /// The endpoint asked for (or needs) a break.
    SlowDown {
        /// The pause it asked for, if it sent `Retry-After`.
        retry_after: Option<Duration>,
        /// Machine code of the reason (`http_429`, `http_503`, `timeout`, ...).
        reason: &'static str,
    },
    /// Any other failure.
    Failed,
}

impl Verdict {
    /// Whether the attempt delivered the message.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Delivered)
    }
}

/// Judges one attempt's result.
pub fn judge(result: &SendResult) -> Verdict {
    match (result.status_code, &result.failure) {
        (Some(200..=299), _) => Verdict::Delivered,
        (Some(410), _) => Verdict::Gone,
        (Some(code @ (429 | 502 | 503 | 504)), _) => Verdict::SlowDown {
            retry_after: result.retry_after,
            reason: match code {
                429 => "http_429",
                502 => "http_502",
                503 => "http_503",
                _ => "http_504",
            },
        },
        (None, Some(SendFailure::Timeout)) => Verdict::SlowDown {
            retry_after: None,
            reason: "timeout",
        },
        _ => Verdict::Failed,
    }
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP date (a date in the past means now).
/// Unparseable values are ignored (`None`), as RFC 9110 asks.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(code: u16, retry_after: Option<Duration>) -> SendResult {
        SendResult {
            status_code: Some(code),
            body: String::new(),
            duration: Duration::ZERO,
            failure: None,
            retry_after,
            headers: None,
        }
    }

    #[test]
    fn each_answer_has_its_meaning() {
        let wait = Some(Duration::from_secs(7));
        assert_eq!(judge(&answered(204, None)), Verdict::Delivered);
        assert_eq!(judge(&answered(410, None)), Verdict::Gone);
        assert_eq!(judge(&answered(301, None)), Verdict::Failed);
        assert_eq!(judge(&answered(500, None)), Verdict::Failed);
        assert_eq!(judge(&answered(404, wait)), Verdict::Failed);
        for (code, reason) in [
            (429, "http_429"),
            (502, "http_502"),
            (503, "http_503"),
            (504, "http_504"),
        ] {
            let retry_after = wait;
            assert_eq!(
                judge(&answered(code, wait)),
                Verdict::SlowDown {
                    retry_after,
                    reason
                }
            );
        }
        let timed_out = SendResult {
            status_code: None,
            body: String::new(),
            duration: Duration::ZERO,
            failure: Some(SendFailure::Timeout),
            retry_after: None,
            headers: None,
        };
        assert!(matches!(
            judge(&timed_out),
            Verdict::SlowDown {
                reason: "timeout",
                ..
            }
        ));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("valid");
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn retry_after_is_honoured_within_bounds() {
        let bounds = RetryAfterBounds::default();
        assert_eq!(bounds.clamp(Duration::ZERO), Duration::from_secs(1));
        assert_eq!(
            bounds.clamp(Duration::from_secs(90)),
            Duration::from_secs(90)
        );
        assert_eq!(
            bounds.clamp(Duration::from_secs(86_400)),
            Duration::from_secs(3600)
        );
    }
}
