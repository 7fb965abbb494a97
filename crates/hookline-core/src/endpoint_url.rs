//! The URL an endpoint receives webhooks at.

use std::fmt;

/// Why an endpoint URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointUrlError {
    /// Not a URL at all.
    #[error("is not a valid URL: {0}")]
    Invalid(String),
    /// A scheme other than http or https.
    #[error("must use http or https, not {0}")]
    Scheme(String),
    /// No host to connect to.
    #[error("must name a host")]
    NoHost,
    /// Credentials in the URL would be sent to every retry and logged; refuse them.
    #[error("must not contain a username or password; use endpoint headers instead")]
    Credentials,
    /// Longer than the contract allows.
    #[error("must be at most 65536 characters long")]
    TooLong,
}

/// An absolute http(s) URL with a host and no embedded credentials, or the polling marker
/// [`EndpointUrl::POLLER`].
#[derive(Clone, PartialEq, Eq)]
pub struct EndpointUrl(url::Url);

impl EndpointUrl {
    /// The URL that makes an endpoint a polling endpoint: nothing is pushed to it; its consumers
    /// pull the messages it subscribes to from `/api/v1/app/{app_id}/poller/{endpoint_id}`.
    pub const POLLER: &'static str = "hookline://poller";

    /// Parses and checks a URL supplied by a user.
    pub fn parse(raw: &str) -> Result<Self, EndpointUrlError> {
        if raw.len() > 65_536 {
            return Err(EndpointUrlError::TooLong);
        }
        let url = url::Url::parse(raw).map_err(|e| EndpointUrlError::Invalid(e.to_string()))?;
        if url.as_str() == Self::POLLER {
            return Ok(Self(url));
        }
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(EndpointUrlError::Scheme(other.to_owned())),
        }
        if url.host().is_none() {
            return Err(EndpointUrlError::NoHost);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(EndpointUrlError::Credentials);
        }
        Ok(Self(url))
    }

    /// True for a polling endpoint's marker URL: such an endpoint is read, never delivered to.
    pub fn is_poller(&self) -> bool {
        self.0.as_str() == Self::POLLER
    }

    /// The parsed URL.
    pub fn as_url(&self) -> &url::Url {
        &self.0
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The host's IP address when the URL names one literally (`http://10.0.0.1/`).
    pub fn literal_ip(&self) -> Option<std::net::IpAddr> {
        match self.0.host()? {
            url::Host::Ipv4(v4) => Some(v4.into()),
            url::Host::Ipv6(v6) => Some(v6.into()),
            url::Host::Domain(_) => None,
        }
    }
}

impl fmt::Display for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl fmt::Debug for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https() {
        assert!(EndpointUrl::parse("https://example.com/hook").is_ok());
        assert!(EndpointUrl::parse("http://127.0.0.1:8080/x").is_ok());
    }

    #[test]
    fn refuses_other_schemes_credentials_and_garbage() {
        assert!(matches!(
            EndpointUrl::parse("ftp://example.com"),
            Err(EndpointUrlError::Scheme(_))
        ));
        assert_eq!(
            EndpointUrl::parse("https://user:pw@example.com"),
            Err(EndpointUrlError::Credentials)
        );
        assert!(matches!(
            EndpointUrl::parse("not a url"),
            Err(EndpointUrlError::Invalid(_))
        ));
    }

    #[test]
    fn the_poller_marker_is_accepted_and_recognised() {
        let poller = EndpointUrl::parse("hookline://poller").expect("the marker parses");
        assert!(poller.is_poller());
        assert!(
            !EndpointUrl::parse("https://example.com")
                .expect("url")
                .is_poller()
        );
        assert!(matches!(
            EndpointUrl::parse("hookline://elsewhere"),
            Err(EndpointUrlError::Scheme(_))
        ));
    }

    #[test]
    fn literal_ips_are_exposed_for_the_ssrf_check() {
        let url = EndpointUrl::parse("http://[::1]:80/").expect("valid");
        assert_eq!(url.literal_ip(), Some("::1".parse().expect("ip")));
        let named = EndpointUrl::parse("https://example.com").expect("valid");
        assert_eq!(named.literal_ip(), None);
    }
}
