//! Prefixed identifiers that sort by creation time.
//!
//! An id is a type prefix (`msg_`) followed by 22 base62 characters encoding 128 bits: 48 bits of
//! milliseconds since the Unix epoch, then 80 random bits. Base62 digits are in ASCII order, so
//! comparing ids as strings compares creation times (to the millisecond), which lets lists page by id
//! with a plain index.

use std::fmt;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ENCODED_LEN: usize = 22;

/// Encodes 128 bits as exactly 22 base62 characters (big-endian, zero padded).
fn encode_base62(mut value: u128) -> String {
    let mut out = [b'0'; ENCODED_LEN];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(value % 62) as usize];
        value /= 62;
    }
    out.iter().map(|&b| b as char).collect()
}

fn is_base62_body(body: &str) -> bool {
    body.len() == ENCODED_LEN && body.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A fresh 128-bit sortable value: milliseconds since the epoch, then randomness.
fn fresh_bits(unix_millis: u64) -> u128 {
    let random: u128 = rand::random::<u128>() & ((1u128 << 80) - 1);
    (u128::from(unix_millis & ((1u64 << 48) - 1)) << 80) | random
}

/// A fresh value for "now" that sorts after every value this process made before: two ids made
/// in the same millisecond keep their creation order (lists by id are lists in creation order).
fn next_bits_now() -> u128 {
    static LAST: std::sync::Mutex<u128> = std::sync::Mutex::new(0);
    let fresh = fresh_bits(now_millis());
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    *last = if fresh > *last { fresh } else { *last + 1 };
    *last
}

fn now_millis() -> u64 {
    crate::Timestamp::now().as_millis().max(0) as u64
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// A new id stamped with the current time.
            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, encode_base62(next_bits_now())))
            }

            /// A new id stamped with the given time; ids made later sort after it.
            pub fn generate_at(unix_millis: u64) -> Self {
                Self(format!("{}{}", $prefix, encode_base62(fresh_bits(unix_millis))))
            }

            /// The smallest id stamped with the given time: every id made at or after that
            /// millisecond sorts at or after it, every id made before sorts before it.
            pub fn floor_at(unix_millis: u64) -> Self {
                let bits = u128::from(unix_millis & ((1u64 << 48) - 1)) << 80;
                Self(format!("{}{}", $prefix, encode_base62(bits)))
            }

            /// Accepts a string only if it has this kind's prefix and a well-formed body.
            pub fn parse(raw: &str) -> Option<Self> {
                raw.strip_prefix($prefix)
                    .filter(|body| is_base62_body(body))
                    .map(|_| Self(raw.to_owned()))
            }

            /// Wraps a value read back from storage, where it was validated on the way in.
            pub fn from_trusted(raw: String) -> Self {
                Self(raw)
            }

            /// The id as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

prefixed_id!(
    /// Identifies an application: one of your customers, owning endpoints and messages.
    AppId,
    "app_"
);
prefixed_id!(
    /// Identifies an endpoint: a URL subscribed to an application's messages.
    EndpointId,
    "ep_"
);
prefixed_id!(
    /// Identifies a message; sent as `webhook-id`, identical on every retry.
    MessageId,
    "msg_"
);
prefixed_id!(
    /// Identifies one HTTP attempt to deliver a message to an endpoint.
    AttemptId,
    "atmpt_"
);
prefixed_id!(
    /// Identifies the delivery of one message to one endpoint (internal).
    DeliveryId,
    "dlv_"
);
prefixed_id!(
    /// Identifies an API key; never the secret token itself, so it is safe to show and log.
    KeyId,
    "key_"
);
prefixed_id!(
    /// Identifies an inbound source: a provider posting to `/in/{source}`.
    SourceId,
    "src_"
);
prefixed_id!(
    /// Identifies an environment: an organisation's own separate set of applications, event
    /// types, sources and keys. Also names the environment's storage (file or schema), so it
    /// never changes.
    EnvId,
    "env_"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_prefix_and_fixed_length() {
        let id = MessageId::generate();
        assert!(id.as_str().starts_with("msg_"));
        assert_eq!(id.as_str().len(), 4 + ENCODED_LEN);
        assert_eq!(MessageId::parse(id.as_str()), Some(id));
    }

    #[test]
    fn ids_made_back_to_back_keep_their_creation_order() {
        // Thousands land in the same millisecond; random bits alone would shuffle them.
        let ids: Vec<MessageId> = (0..5_000).map(|_| MessageId::generate()).collect();
        assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let earlier = AppId::generate_at(1_700_000_000_000);
        let later = AppId::generate_at(1_700_000_000_001);
        assert!(earlier.as_str() < later.as_str());
    }

    #[test]
    fn the_floor_of_a_time_sorts_between_earlier_and_later_ids() {
        let floor = MessageId::floor_at(1_700_000_000_001);
        assert!(MessageId::generate_at(1_700_000_000_000) < floor);
        assert!(floor <= MessageId::generate_at(1_700_000_000_001));
        assert_eq!(MessageId::parse(floor.as_str()), Some(floor));
    }

    #[test]
    fn parse_refuses_wrong_prefix_and_bad_bodies() {
        let msg = MessageId::generate();
        assert_eq!(AppId::parse(msg.as_str()), None);
        assert_eq!(AppId::parse("app_short"), None);
        assert_eq!(AppId::parse("app_!!!!!!!!!!!!!!!!!!!!!!"), None);
    }

    #[test]
    fn base62_encoding_is_fixed_width_and_ordered() {
        assert_eq!(encode_base62(0), "0".repeat(22));
        assert!(encode_base62(61) < encode_base62(62));
        assert_eq!(encode_base62(u128::MAX).len(), 22);
    }
}
