//! Reusable parameter sets for `#[utoipa::path(params(...))]`.
//!
//! These types exist only to describe parameters: the handlers read them with [`crate::extract::Params`]
//! and `Path`. Keep each set in step with the code that reads it.

#![allow(dead_code)]

use utoipa::IntoParams;

/// `{app_id}`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AppPath {
    /// The application's id (`app_...`) or uid.
    #[param(example = "acme", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    app_id: String,
}

/// `{app_id}` and `{endpoint_id}`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EndpointPath {
    /// The application's id (`app_...`) or uid.
    #[param(example = "acme", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    app_id: String,
    /// The endpoint's id (`ep_...`) or uid.
    #[param(example = "main", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    endpoint_id: String,
}

/// `{app_id}` and `{msg_id}`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MessagePath {
    /// The application's id (`app_...`) or uid.
    #[param(example = "acme", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    app_id: String,
    /// The message's id (`msg_...`) or its `eventId`.
    #[param(
        example = "inv_123-paid",
        pattern = r"^[a-zA-Z0-9\-_.]+$",
        max_length = 256
    )]
    msg_id: String,
}

/// `{app_id}`, `{msg_id}` and `{attempt_id}`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AttemptPath {
    /// The application's id (`app_...`) or uid.
    #[param(example = "acme", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    app_id: String,
    /// The message's id (`msg_...`) or its `eventId`.
    #[param(
        example = "inv_123-paid",
        pattern = r"^[a-zA-Z0-9\-_.]+$",
        max_length = 256
    )]
    msg_id: String,
    /// The attempt's id (`atmpt_...`).
    #[param(example = "atmpt_2yZwUhtgs5Ai8T9yRQJXA")]
    attempt_id: String,
}

/// `{name}`: an event type.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EventTypePath {
    /// The event type's name.
    #[param(
        example = "invoice.paid",
        pattern = r"^[a-zA-Z0-9\-_.]+$",
        max_length = 256
    )]
    name: String,
}

/// Pagination of every listing.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Items per page, 1 to 250 (default 50).
    #[param(minimum = 1, maximum = 250, example = 50)]
    limit: Option<u32>,
    /// The `iterator` (next page) or `prevIterator` (previous page) of an earlier page.
    #[param(max_length = 300)]
    iterator: Option<String>,
    /// `ascending` or `descending`; each listing has its own default.
    #[param(inline)]
    order: Option<Ordering>,
}

/// The order of a listing.
#[derive(Debug, utoipa::ToSchema)]
#[schema(as = Ordering)]
#[allow(clippy::enum_variant_names)]
pub enum Ordering {
    /// Oldest (or first by name) first.
    #[schema(rename = "ascending")]
    Ascending,
    /// Newest first.
    #[schema(rename = "descending")]
    Descending,
}

/// `with_content`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WithContent {
    /// Include the payload (default true); `false` renders `payload` as `{}`.
    with_content: Option<bool>,
}

/// Filters of message listings.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageFilters {
    /// Only messages tagged with this channel.
    #[param(example = "project_1337")]
    channel: Option<String>,
    /// Only messages labelled with this tag.
    #[param(
        example = "project_1337",
        max_length = 128,
        pattern = r"^[a-zA-Z0-9\-_./\\#]+$"
    )]
    tag: Option<String>,
    /// Only these event types (repeat the parameter or separate with commas).
    #[param(explode = true, style = Form)]
    event_types: Option<Vec<String>>,
    /// Only messages created before this time (RFC 3339).
    #[param(format = DateTime)]
    before: Option<String>,
    /// Only messages created after this time (RFC 3339).
    #[param(format = DateTime)]
    after: Option<String>,
    /// Only deliveries in this state: 0 success, 1 pending, 2 failed, 3 sending.
    #[param(minimum = 0, maximum = 3)]
    status: Option<i64>,
    /// Include the payload (default true).
    with_content: Option<bool>,
}

/// Filters of attempt listings.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttemptFilters {
    /// Only attempts with this outcome: 0 success, 2 failed.
    #[param(minimum = 0, maximum = 3)]
    status: Option<i64>,
    /// Only attempts whose response status is in this class: 0 (no response), 100, 200, 300,
    /// 400 or 500.
    status_code_class: Option<i64>,
    /// Only attempts of messages tagged with this channel.
    channel: Option<String>,
    /// Only attempts of messages labelled with this tag.
    #[param(
        example = "project_1337",
        max_length = 128,
        pattern = r"^[a-zA-Z0-9\-_./\\#]+$"
    )]
    tag: Option<String>,
    /// Only attempts of these event types (repeat the parameter or separate with commas).
    #[param(explode = true, style = Form)]
    event_types: Option<Vec<String>>,
    /// Only attempts made before this time (RFC 3339).
    #[param(format = DateTime)]
    before: Option<String>,
    /// Only attempts made after this time (RFC 3339).
    #[param(format = DateTime)]
    after: Option<String>,
    /// Accepted for compatibility; attempts never carry the payload.
    with_content: Option<bool>,
}

/// `endpoint_id` filter of attempts by message.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttemptEndpointFilter {
    /// Only attempts to this endpoint (id or uid).
    endpoint_id: Option<String>,
}

/// `get_if_exists` on application creation.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GetIfExists {
    /// When an application with the body's `uid` exists, return it (200) instead of failing.
    get_if_exists: Option<bool>,
}

/// `include_archived` on event type listing.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncludeArchived {
    /// List archived event types too.
    include_archived: Option<bool>,
    /// Accepted for compatibility; schemas are always included.
    with_content: Option<bool>,
}

/// `expunge` on event type deletion.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Expunge {
    /// Remove the event type for good instead of archiving it.
    expunge: Option<bool>,
}

macro_rules! name_schema {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $max:literal, $example:literal) => {
        name_schema!($(#[$doc])* $ty, $name, $max, $example, r"^[a-zA-Z0-9\-_.]+$");
    };
    ($(#[$doc:meta])* $ty:ident, $name:literal, $max:literal, $example:literal,
        $pattern:literal) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $ty;

        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some($pattern))
                    .min_length(Some(1))
                    .max_length(Some($max))
                    .examples([$example])
                    .into()
            }
        }

        impl utoipa::ToSchema for $ty {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($name)
            }
        }
    };
}

name_schema!(
    /// A `uid`: letters, digits, `-`, `_` and `.`, at most 256 characters.
    UidSchema,
    "Uid",
    256,
    "unique-identifier"
);
name_schema!(
    /// An event type name: letters, digits, `-`, `_` and `.`, at most 256 characters.
    EventTypeNameSchema,
    "EventTypeName",
    256,
    "invoice.paid"
);
name_schema!(
    /// A channel: letters, digits, `-`, `_` and `.`, at most 128 characters.
    ChannelSchema,
    "Channel",
    128,
    "project_1337"
);
name_schema!(
    /// A message tag: letters, digits, `-`, `_`, `.`, `/`, `\` and `#`, at most 128 characters.
    TagSchema,
    "MessageTag",
    128,
    "project_1337",
    r"^[a-zA-Z0-9\-_./\\#]+$"
);

/// The contract's `StatusCodeClass`: 0 (no response), 100, 200, 300, 400 or 500 for 1xx ... 5xx.
#[derive(Debug)]
pub struct StatusCodeClassSchema;

impl utoipa::PartialSchema for StatusCodeClassSchema {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .enum_values(Some([0, 100, 200, 300, 400, 500]))
            .description(Some(
                "The class of an HTTP response status: 0 no response, 100 1xx, 200 2xx, \
                 300 3xx, 400 4xx, 500 5xx.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for StatusCodeClassSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("StatusCodeClass")
    }
}

// Endpoint tools, keys, background tasks and replays.

/// `{app_id}`, `{msg_id}` and `{endpoint_id}`: one message to one endpoint.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MessageEndpointPath {
    /// The application's id (`app_...`) or uid.
    #[param(example = "acme", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    app_id: String,
    /// The message's id (`msg_...`) or its `eventId`.
    #[param(
        example = "inv_123-paid",
        pattern = r"^[a-zA-Z0-9\-_.]+$",
        max_length = 256
    )]
    msg_id: String,
    /// The endpoint's id (`ep_...`) or uid.
    #[param(example = "main", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    endpoint_id: String,
}

/// `{key_id}`: an API key.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct KeyPath {
    /// The key's id (`key_...`).
    #[param(example = "key_2yZwUhtgs5Ai8T9yRQJXA")]
    key_id: String,
}

/// `{task_id}`: a background task.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TaskPath {
    /// The task's id (`qtask_...`).
    #[param(example = "qtask_2yZwUhtgs5Ai8T9yRQJXAbcdefg")]
    task_id: String,
}

/// `since` and `until` of endpoint statistics.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsRange {
    /// Count deliveries of messages created at or after this time (RFC 3339).
    #[param(format = DateTime)]
    since: Option<String>,
    /// Count deliveries of messages created before this time (RFC 3339).
    #[param(format = DateTime)]
    until: Option<String>,
}

/// Filters of background task listings.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskFilters {
    /// Only tasks in this state: `running`, `finished` or `failed`.
    #[param(inline)]
    status: Option<crate::wire::replay::TaskStatusSchema>,
    /// Only tasks of this type (`endpoint.recover`, `endpoint.replay`, `endpoint.bulk-replay`).
    #[param(example = "endpoint.recover")]
    task: Option<String>,
}
