//! Sources that authenticate with a credential instead of a signature: a bearer token or
//! HTTP basic auth, both compared in constant time. They prove who sent the request, not
//! that the body is intact, so prefer a signature scheme where the sender offers one.

use subtle::ConstantTimeEq;

use crate::crypto::decode_base64;
use crate::{InboundRequest, SharedSecret, VerifyError};

/// The header carrying the credentials.
pub const AUTHORIZATION_HEADER: &str = "Authorization";

/// The credentials after `scheme ` in the `Authorization` header (scheme name matched
/// ignoring ASCII case), or [`VerifyError::BadCredentials`].
fn credentials<'a>(req: &InboundRequest<'a>, scheme: &str) -> Result<&'a str, VerifyError> {
    let value = req.require(AUTHORIZATION_HEADER)?;
    let (name, rest) = value.split_once(' ').ok_or(VerifyError::BadCredentials)?;
    if !name.eq_ignore_ascii_case(scheme) {
        return Err(VerifyError::BadCredentials);
    }
    Ok(rest.trim())
}

/// Accepts when `Authorization: Bearer <token>` carries exactly `token`.
pub fn verify_bearer(token: &SharedSecret, req: &InboundRequest<'_>) -> Result<(), VerifyError> {
    let given = credentials(req, "Bearer")?;
    if bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
        Ok(())
    } else {
        Err(VerifyError::BadCredentials)
    }
}

/// Accepts when `Authorization: Basic <base64(user:password)>` carries exactly `username`
/// and `password`. Both halves are always compared, so timing does not tell which is wrong.
pub fn verify_basic(
    username: &str,
    password: &SharedSecret,
    req: &InboundRequest<'_>,
) -> Result<(), VerifyError> {
    let decoded = decode_base64(credentials(req, "Basic")?).ok_or(VerifyError::BadCredentials)?;
    let colon = decoded
        .iter()
        .position(|&b| b == b':')
        .ok_or(VerifyError::BadCredentials)?;
    let (user, pass) = (&decoded[..colon], &decoded[colon + 1..]);
    let ok = user.ct_eq(username.as_bytes()) & pass.ct_eq(password.as_bytes());
    if bool::from(ok) {
        Ok(())
    } else {
        Err(VerifyError::BadCredentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::encode_base64;

    fn with_auth(value: &str) -> [(&'static str, &str); 1] {
        [("authorization", value)]
    }

    #[test]
    fn bearer_token_must_match_exactly() {
        let token = SharedSecret::new("s3cret-token").expect("non-empty");
        let ok = with_auth("Bearer s3cret-token");
        assert_eq!(
            verify_bearer(&token, &InboundRequest::new(&ok, b"", 0)),
            Ok(())
        );
        let lower = with_auth("bearer s3cret-token");
        assert_eq!(
            verify_bearer(&token, &InboundRequest::new(&lower, b"", 0)),
            Ok(())
        );
        for bad in [
            "Bearer s3cret-tokeN",
            "Bearer s3cret",
            "Basic s3cret-token",
            "s3cret-token",
        ] {
            let h = with_auth(bad);
            let result = verify_bearer(&token, &InboundRequest::new(&h, b"", 0));
            assert_eq!(result, Err(VerifyError::BadCredentials), "{bad}");
        }
        let none: [(&str, &str); 0] = [];
        let result = verify_bearer(&token, &InboundRequest::new(&none, b"", 0));
        assert_eq!(result, Err(VerifyError::missing(AUTHORIZATION_HEADER)));
    }

    #[test]
    fn basic_auth_checks_user_and_password() {
        let password = SharedSecret::new("pa:ss").expect("non-empty");
        let check = |user_pass: &str| {
            let value = format!("Basic {}", encode_base64(user_pass.as_bytes()));
            let h = with_auth(&value);
            verify_basic("hook", &password, &InboundRequest::new(&h, b"", 0))
        };
        assert_eq!(check("hook:pa:ss"), Ok(()));
        assert_eq!(check("hook:pa:sx"), Err(VerifyError::BadCredentials));
        assert_eq!(check("hooks:pa:ss"), Err(VerifyError::BadCredentials));
        assert_eq!(check("hookpass"), Err(VerifyError::BadCredentials));
    }
}
