//! Timestamp checks shared by every scheme that signs a timestamp: they are what turns a
//! captured, validly signed request into one that can no longer be replayed.

use crate::VerifyError;

/// How far (in seconds, either direction) a signed timestamp may be from the verifier's
/// clock: five minutes, as in Standard Webhooks, Stripe and Slack.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;

/// Parses a unix timestamp in whole seconds written as ASCII digits only.
///
/// Signs, spaces, fractions and leading `+` are refused, so the text that was signed is
/// exactly the text that was checked. `header` names the source for the error.
pub(crate) fn parse_unix_secs(header: &str, value: &str) -> Result<i64, VerifyError> {
    let invalid = || VerifyError::InvalidTimestamp {
        header: header.to_owned(),
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    value.parse().map_err(|_| invalid())
}

/// Refuses `timestamp` when it is more than `tolerance_secs` away from `now`, in the past
/// (a replay) or in the future (a clock far off, or a request minted to be replayed later).
pub(crate) fn check_tolerance(
    timestamp: i64,
    now: i64,
    tolerance_secs: u64,
) -> Result<(), VerifyError> {
    if now.abs_diff(timestamp) > tolerance_secs {
        return Err(VerifyError::TimestampOutOfTolerance {
            timestamp,
            now,
            tolerance_secs,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_digits_only() {
        assert_eq!(parse_unix_secs("t", "1614265330"), Ok(1_614_265_330));
        for bad in ["", "+1", "-1", "1.5", " 1", "1e9", "99999999999999999999"] {
            assert_eq!(
                parse_unix_secs("t", bad).map_err(|e| e.code()),
                Err("invalid_timestamp"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn tolerance_is_inclusive_and_symmetric() {
        assert!(check_tolerance(1000, 1300, 300).is_ok());
        assert!(check_tolerance(1300, 1000, 300).is_ok());
        assert!(check_tolerance(1000, 1301, 300).is_err());
        assert!(check_tolerance(1301, 1000, 300).is_err());
        assert!(check_tolerance(i64::MIN, i64::MAX, 300).is_err());
    }
}
