//! The signed-content template of the generic HMAC scheme, e.g. `{timestamp}.{body}`.
//!
//! Parsed once into segments, then expanded on bytes: the body goes into the signed content
//! exactly as received, even when it is not UTF-8.

use std::fmt;
use std::str::FromStr;

use crate::HmacConfigError;

/// One piece of a parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Body,
    Timestamp,
    Id,
}

/// A parsed signed-content template: literal text with `{body}`, `{timestamp}` and `{id}`
/// placeholders (`{{` and `}}` write literal braces). Always contains `{body}`.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedContentTemplate {
    source: String,
    segments: Vec<Segment>,
}

/// The values placed into a template's placeholders.
#[derive(Clone, Copy, Debug, Default)]
pub struct TemplateValues<'a> {
    /// The raw request body.
    pub body: &'a [u8],
    /// The timestamp header's value, as received.
    pub timestamp: &'a str,
    /// The id header's value, as received.
    pub id: &'a str,
}

impl SignedContentTemplate {
    /// Parses a template, refusing unknown placeholders, unbalanced braces, and templates
    /// without `{body}` (which would leave the body unauthenticated).
    pub fn parse(source: &str) -> Result<Self, HmacConfigError> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut rest = source;
        while let Some(at) = rest.find(['{', '}']) {
            literal.push_str(&rest[..at]);
            let tail = &rest[at..];
            if let Some(after) = tail.strip_prefix("{{") {
                literal.push('{');
                rest = after;
            } else if let Some(after) = tail.strip_prefix("}}") {
                literal.push('}');
                rest = after;
            } else if tail.starts_with('}') {
                return Err(HmacConfigError::UnmatchedBrace);
            } else {
                let close = tail.find('}').ok_or(HmacConfigError::UnclosedPlaceholder)?;
                let segment = match &tail[1..close] {
                    "body" => Segment::Body,
                    "timestamp" => Segment::Timestamp,
                    "id" => Segment::Id,
                    other => return Err(HmacConfigError::UnknownPlaceholder(other.to_owned())),
                };
                if !literal.is_empty() {
                    segments.push(Segment::Literal(std::mem::take(&mut literal)));
                }
                segments.push(segment);
                rest = &tail[close + 1..];
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        if !segments.contains(&Segment::Body) {
            return Err(HmacConfigError::TemplateWithoutBody);
        }
        Ok(Self {
            source: source.to_owned(),
            segments,
        })
    }

    /// The template text as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the template contains `{timestamp}`.
    pub fn uses_timestamp(&self) -> bool {
        self.segments.contains(&Segment::Timestamp)
    }

    /// Whether the template contains `{id}`.
    pub fn uses_id(&self) -> bool {
        self.segments.contains(&Segment::Id)
    }

    /// The signed content as byte slices in order, without copying the body.
    pub(crate) fn parts<'a>(&'a self, values: &TemplateValues<'a>) -> Vec<&'a [u8]> {
        self.segments
            .iter()
            .map(|segment| match segment {
                Segment::Literal(text) => text.as_bytes(),
                Segment::Body => values.body,
                Segment::Timestamp => values.timestamp.as_bytes(),
                Segment::Id => values.id.as_bytes(),
            })
            .collect()
    }

    /// The signed content for these values, as one byte string.
    pub fn render(&self, values: &TemplateValues<'_>) -> Vec<u8> {
        self.parts(values).concat()
    }
}

impl Default for SignedContentTemplate {
    /// `{body}`: the signature covers the raw body alone.
    fn default() -> Self {
        Self {
            source: "{body}".to_owned(),
            segments: vec![Segment::Body],
        }
    }
}

impl fmt::Display for SignedContentTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl fmt::Debug for SignedContentTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignedContentTemplate({:?})", self.source)
    }
}

impl FromStr for SignedContentTemplate {
    type Err = HmacConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, body: &[u8]) -> Vec<u8> {
        let values = TemplateValues {
            body,
            timestamp: "1700000000",
            id: "evt_1",
        };
        SignedContentTemplate::parse(template)
            .expect("valid template")
            .render(&values)
    }

    #[test]
    fn placeholders_expand_and_literals_stay() {
        assert_eq!(render("{body}", b"{}"), b"{}");
        assert_eq!(render("v0:{timestamp}:{body}", b"x"), b"v0:1700000000:x");
        assert_eq!(
            render("{id}.{timestamp}.{body}", b"x"),
            b"evt_1.1700000000.x"
        );
        assert_eq!(render("{{lit}}{body}", b"x"), b"{lit}x");
    }

    #[test]
    fn body_is_inserted_byte_exact_even_when_not_utf8() {
        let body = [0xff, 0x00, 0xfe, b'{', b'}', 0xc3];
        assert_eq!(
            render("a{body}b", &body),
            [b"a".as_slice(), &body, b"b"].concat()
        );
    }

    #[test]
    fn bad_templates_are_refused_with_a_reason() {
        let code = |t: &str| {
            SignedContentTemplate::parse(t)
                .map(|_| ())
                .map_err(|e| e.code())
        };
        assert_eq!(code("{nope}.{body}"), Err("unknown_placeholder"));
        assert_eq!(code("{body"), Err("unclosed_placeholder"));
        assert_eq!(code("body}"), Err("unmatched_brace"));
        assert_eq!(code("{timestamp}"), Err("template_without_body"));
        assert_eq!(code(""), Err("template_without_body"));
    }

    #[test]
    fn reports_which_placeholders_it_uses() {
        let t = SignedContentTemplate::parse("{timestamp}.{body}").expect("valid");
        assert!(t.uses_timestamp());
        assert!(!t.uses_id());
        assert_eq!(t.as_str(), "{timestamp}.{body}");
        assert_eq!(SignedContentTemplate::default().as_str(), "{body}");
    }
}
