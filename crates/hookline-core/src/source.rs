//! Inbound sources and the events they receive.
//!
//! A [`Source`] is a provider (Stripe, GitHub, any HMAC sender, ...) posting to `/in/{source}`.
//! Each source owns an internal application ([`AppKind::Source`]): its endpoints are the source's
//! forwarding targets, and every accepted [`InboundEvent`] is a message of that application, so
//! the delivery engine forwards, retries and records it like any other message.

use std::fmt;
use std::str::FromStr;

use crate::model::Metadata;
use crate::{AppId, MessageId, SourceId, Timestamp, Uid};

/// What an application is for. Only [`AppKind::Customer`] applications are visible through
/// `/api/v1/app`; the others are owned by a Hookline feature and managed through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AppKind {
    /// One of the user's customers, managed through `/api/v1/app`.
    #[default]
    Customer,
    /// The forwarding side of an inbound source.
    Source,
    /// The receiver of Hookline's own operational webhooks.
    Operational,
}

impl AppKind {
    /// The stored name: `customer`, `source` or `operational`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Source => "source",
            Self::Operational => "operational",
        }
    }
}

impl fmt::Display for AppKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown application kind name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown application kind {0:?}")]
pub struct UnknownAppKind(pub String);

impl FromStr for AppKind {
    type Err = UnknownAppKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Customer, Self::Source, Self::Operational]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownAppKind(s.to_owned()))
    }
}

/// A provider posting webhooks to Hookline, with how to check them and where they go.
#[derive(Clone, PartialEq)]
pub struct Source {
    /// Hookline's id (`src_...`).
    pub id: SourceId,
    /// The caller's own identifier, usable in place of the id.
    pub uid: Option<Uid>,
    /// Human-readable name.
    pub name: String,
    /// The internal application whose endpoints receive the forwarded events.
    pub app_id: AppId,
    /// The verification scheme's name as given (`github`, `stripe`, `svix`, `hmac`, ...).
    pub source_type: String,
    /// The scheme's settings as given, secrets included; never rendered back.
    pub config: serde_json::Value,
    /// The unguessable path segment of the source's ingest URL; rotating it retires the old URL.
    pub ingest_token: String,
    /// Client networks allowed to post; empty means any.
    pub allowed_ips: Vec<ipnet::IpNet>,
    /// How long a provider delivery id is remembered to refuse duplicates, in seconds.
    pub dedupe_window_secs: u32,
    /// Labels for the caller's bookkeeping.
    pub metadata: Metadata,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl Source {
    /// The dedupe window used when none is configured: three days, the span over which
    /// Stripe retries an event.
    pub const DEFAULT_DEDUPE_WINDOW_SECS: u32 = 3 * 24 * 3600;
}

/// Secrets live in `config`: Debug shows only the identity.
impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Source")
            .field("id", &self.id)
            .field("uid", &self.uid)
            .field("source_type", &self.source_type)
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

/// One accepted inbound request, kept exactly as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundEvent {
    /// The id of the message it became (`msg_...`), also its id in the source's log.
    pub id: MessageId,
    /// The source it came to.
    pub source_id: SourceId,
    /// The request's `Content-Type`, forwarded as is.
    pub content_type: Option<String>,
    /// The request's headers worth keeping and forwarding (credentials and hop-by-hop removed).
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
    /// The provider's delivery id, when the scheme defines one.
    pub dedupe_key: Option<String>,
    /// When it was accepted.
    pub received_at: Timestamp,
}

/// What became of an inbound event handed to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundOutcome {
    /// Stored and planned for delivery to this many endpoints.
    Accepted {
        /// Deliveries planned.
        deliveries: usize,
    },
    /// The provider already delivered an event with this delivery id within the window; the
    /// original's id is returned and nothing new was stored.
    Duplicate(MessageId),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_kinds_round_trip_through_their_names() {
        for kind in [AppKind::Customer, AppKind::Source, AppKind::Operational] {
            assert_eq!(kind.as_str().parse::<AppKind>(), Ok(kind));
        }
        assert!("internal".parse::<AppKind>().is_err());
    }

    #[test]
    fn debug_never_prints_the_config() {
        let source = Source {
            id: SourceId::generate(),
            uid: None,
            name: "GitHub".into(),
            app_id: AppId::generate(),
            source_type: "github".into(),
            config: serde_json::json!({ "secret": "hunter2" }),
            ingest_token: "tok".into(),
            allowed_ips: Vec::new(),
            dedupe_window_secs: 60,
            metadata: Metadata::new(),
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        };
        let shown = format!("{source:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("tok"),
            "{shown}"
        );
    }
}
