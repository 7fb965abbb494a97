//! How the inbound routes appear in the OpenAPI document: their parameter sets, and the
//! contract's `IngestEndpoint*` components.
//!
//! A source's forwarding endpoints are ordinary endpoints on the wire (`EndpointIn`,
//! `EndpointOut`, ...), so their components are made from those types' own schemas, renamed as
//! the contract names them and without the fields the ingest routes ignore (event-type and
//! channel filters: every endpoint of a source receives every event).

#![allow(dead_code)]

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{Value, json};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{RefOr, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::wire::endpoint::{EndpointHeadersIn, EndpointHeadersOut, EndpointIn, EndpointOut};
use crate::wire::secret::EndpointSecretOut;

/// `{source_id}`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct SourcePath {
    /// The source's id (`src_...`) or uid.
    #[param(example = "github", min_length = 1, max_length = 60)]
    source_id: String,
}

/// `{source_id}` and `{endpoint_id}`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct SourceEndpointPath {
    /// The source's id (`src_...`) or uid.
    #[param(example = "github", min_length = 1, max_length = 60)]
    source_id: String,
    /// The forwarding endpoint's id (`ep_...`) or uid.
    #[param(example = "main", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    endpoint_id: String,
}

/// `{source_id}` and `{event_id}`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct SourceEventPath {
    /// The source's id (`src_...`) or uid.
    #[param(example = "github", min_length = 1, max_length = 60)]
    source_id: String,
    /// The accepted event's id (`msg_...`, the `id` its provider was answered with).
    #[param(example = "msg_2yZwUhtgs5Ai8T9yRQJXA", max_length = 256)]
    event_id: String,
}

/// `{source}`: the receiving URL's last segment.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct InboundPath {
    /// The source's ingest token (what its `ingestUrl` ends with), id or uid.
    #[param(example = "Xa9kQ2mB7pLr4TnW8vYc3HdJ6sFg1ZeU", max_length = 256)]
    source: String,
}

/// A source uid: letters, digits, `-` and `_`, at most 60, not starting with `src_`.
#[derive(Debug)]
pub(crate) struct SourceUidSchema;

impl PartialSchema for SourceUidSchema {
    fn schema() -> RefOr<Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[a-zA-Z0-9_-]+$"))
            .min_length(Some(1))
            .max_length(Some(60))
            .description(Some("The source's uid; it may not start with `src_`."))
            .examples(["github"])
            .into()
    }
}

impl ToSchema for SourceUidSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("SourceUid")
    }
}

/// `schema` of `T` with its properties `drop` removed and, when given, a new description and
/// example.
#[allow(deprecated)]
fn adapted(
    mut schema: RefOr<Schema>,
    drop: &[&str],
    description: Option<&str>,
    example: Option<Value>,
) -> RefOr<Schema> {
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        object
            .properties
            .retain(|name, _| !drop.contains(&name.as_str()));
        object
            .required
            .retain(|name| !drop.contains(&name.as_str()));
        if let Some(description) = description {
            object.description = Some(description.to_owned());
        }
        if let Some(example) = example {
            object.example = Some(example);
        }
    }
    schema
}

/// Fields of `EndpointIn` that a source's endpoints ignore: every endpoint receives every
/// event of its source.
const FILTER_FIELDS: &[&str] = &["eventTypes", "filterTypes", "channels"];

macro_rules! renamed_schema {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $schema:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub(crate) struct $ty;

        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                $schema
            }
        }

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

renamed_schema!(
    /// `IngestEndpointIn`: `EndpointIn` without the filters.
    IngestEndpointIn,
    "IngestEndpointIn",
    adapted(
        EndpointIn::schema(),
        FILTER_FIELDS,
        Some("A forwarding endpoint of a source; it receives every event the source accepts."),
        Some(json!({"url": "https://example.com/github", "uid": "main",
            "description": "Our GitHub consumer"})),
    )
);

renamed_schema!(
    /// `IngestEndpointUpsertIn`: as `IngestEndpointIn`; the secret and headers are kept.
    IngestEndpointUpsertIn,
    "IngestEndpointUpsertIn",
    adapted(
        EndpointIn::schema(),
        &["eventTypes", "filterTypes", "channels", "secret", "headers"],
        Some("Replaces a forwarding endpoint's settings; its secret and headers are kept."),
        Some(json!({"url": "https://example.com/github", "description": "Our GitHub consumer"})),
    )
);

renamed_schema!(
    /// `IngestEndpointOut`: an `EndpointOut` of the source's internal application.
    IngestEndpointOut,
    "IngestEndpointOut",
    adapted(
        EndpointOut::schema(),
        &[],
        Some("A forwarding endpoint of a source (an endpoint of the source's internal application; its `eventTypes` and `channels` are always null)."),
        None
    )
);

renamed_schema!(
    /// `IngestEndpointSecretOut`.
    IngestEndpointSecretOut,
    "IngestEndpointSecretOut",
    adapted(
        EndpointSecretOut::schema(),
        &[],
        Some("The key a receiver verifies forwarded events with (`whsec_...`, or `whpk_...` for ed25519)."),
        None
    )
);

renamed_schema!(
    /// `IngestEndpointHeadersIn`.
    IngestEndpointHeadersIn,
    "IngestEndpointHeadersIn",
    adapted(
        EndpointHeadersIn::schema(),
        &[],
        Some("Replaces the extra headers sent with every forwarded event."),
        Some(json!({"headers": {"X-Example": "123"}})),
    )
);

renamed_schema!(
    /// `IngestEndpointHeadersOut`.
    IngestEndpointHeadersOut,
    "IngestEndpointHeadersOut",
    adapted(EndpointHeadersOut::schema(), &[], None, None)
);

renamed_schema!(
    /// The body a provider posts: any bytes (JSON, form-encoded, binary), stored and
    /// forwarded exactly as received.
    InboundPayload,
    "InboundPayload",
    inbound_payload()
);

/// Any JSON value, with a GitHub `ping` as its example.
#[allow(deprecated)] // `example`: the document's request bodies all carry one (a test checks).
fn inbound_payload() -> RefOr<Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .description(Some(
            "The provider's request body, in any format; stored and forwarded byte for byte.",
        ))
        .example(Some(json!({"zen": "Design for failure.", "hook_id": 1})))
        .into()
}

/// What `POST /in/{source}` answers with 200.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum InboundReceiveOut {
    /// Accepted and committed (or a duplicate of an accepted event, with the original's id).
    Accepted {
        /// The event's id, also the id of the message forwarded to the source's endpoints.
        #[schema(example = "msg_2yZwUhtgs5Ai8T9yRQJXA")]
        id: String,
    },
    /// A verified Slack `url_verification` handshake, answered and not stored.
    SlackChallenge {
        /// The challenge Slack sent.
        challenge: String,
    },
    /// A verified Zoom `endpoint.url_validation`, answered and not stored.
    ZoomValidation {
        /// The token Zoom sent.
        #[serde(rename = "plainToken")]
        plain_token: String,
        /// Its hex HMAC-SHA256 under the source's secret.
        #[serde(rename = "encryptedToken")]
        encrypted_token: String,
    },
}
