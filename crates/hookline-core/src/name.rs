//! Names that users choose: `uid`s, event type names, channels and message tags.
//!
//! All follow the contract's pattern `^[a-zA-Z0-9\-_.]+$` with a per-kind maximum length (tags
//! also allow `/`, `\` and `#`, as the contract's `^[a-zA-Z0-9\-_./\\#]+$`), and are parsed
//! once at the edge so nothing inside handles an invalid one.

use std::fmt;

/// Why a name was refused; the sentence names the rule that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name was empty.
    #[error("must not be empty")]
    Empty,
    /// The name was longer than allowed.
    #[error("must be at most {max} characters long")]
    TooLong {
        /// The maximum length for this kind of name.
        max: usize,
    },
    /// The name used a character outside `a-z A-Z 0-9 - _ .`.
    #[error("may contain only letters, digits, '-', '_' and '.'")]
    BadCharacter,
    /// A tag used a character outside `a-z A-Z 0-9 - _ . / \ #`.
    #[error("may contain only letters, digits, '-', '_', '.', '/', '\\' and '#'")]
    BadTagCharacter,
}

fn check_length(raw: &str, max: usize) -> Result<(), NameError> {
    if raw.is_empty() {
        return Err(NameError::Empty);
    }
    if raw.len() > max {
        return Err(NameError::TooLong { max });
    }
    Ok(())
}

fn check(raw: &str, max: usize) -> Result<(), NameError> {
    check_length(raw, max)?;
    if !raw
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(NameError::BadCharacter);
    }
    Ok(())
}

fn check_tag(raw: &str, max: usize) -> Result<(), NameError> {
    check_length(raw, max)?;
    if !raw
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b'\\' | b'#'))
    {
        return Err(NameError::BadTagCharacter);
    }
    Ok(())
}

macro_rules! validated_name {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        validated_name!($(#[$doc])* $name, $max, check);
    };
    ($(#[$doc:meta])* $name:ident, $max:expr, $check:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The longest accepted value.
            pub const MAX_LEN: usize = $max;

            /// Accepts the name if it follows the pattern and length limit.
            pub fn parse(raw: impl Into<String>) -> Result<Self, NameError> {
                let raw = raw.into();
                $check(&raw, $max)?;
                Ok(Self(raw))
            }

            /// Wraps a value read back from storage, where it was validated on the way in.
            pub fn from_trusted(raw: String) -> Self {
                Self(raw)
            }

            /// The name as a string.
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
                write!(f, "{:?}", self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

validated_name!(
    /// A user-chosen unique identifier, usable wherever an id is (`unique-app-identifier`).
    Uid,
    256
);
validated_name!(
    /// An event type name such as `invoice.paid`.
    EventTypeName,
    256
);
validated_name!(
    /// A channel: a free-form tag on messages that endpoints can filter by.
    Channel,
    128
);
validated_name!(
    /// A message tag (`project_1337`, `team/billing#eu`): a free-form label that message
    /// listings and bulk replays can filter by.
    Tag,
    128,
    check_tag
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_contract_pattern() {
        assert!(EventTypeName::parse("invoice.paid").is_ok());
        assert!(Uid::parse("my-app_1.2").is_ok());
    }

    #[test]
    fn refuses_empty_long_and_odd_characters() {
        assert_eq!(Uid::parse(""), Err(NameError::Empty));
        assert_eq!(
            Channel::parse("x".repeat(129)),
            Err(NameError::TooLong { max: 128 })
        );
        assert_eq!(Uid::parse("a b"), Err(NameError::BadCharacter));
        assert_eq!(Uid::parse("../etc"), Err(NameError::BadCharacter));
    }

    #[test]
    fn tags_also_allow_slashes_backslashes_and_hashes() {
        assert!(Tag::parse(r"team/billing\eu#1").is_ok());
        assert_eq!(Tag::parse("a b"), Err(NameError::BadTagCharacter));
        assert_eq!(Tag::parse("a:b"), Err(NameError::BadTagCharacter));
        assert_eq!(
            Tag::parse("x".repeat(129)),
            Err(NameError::TooLong { max: 128 })
        );
        assert!(Channel::parse("a/b").is_err());
    }
}
