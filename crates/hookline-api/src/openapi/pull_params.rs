//! Parameter sets of the pull routes (event feeds, polling endpoints, the event stream), for
//! `#[utoipa::path(params(...))]`. Keep each set in step with `routes/pull.rs` and the handlers.

#![allow(dead_code)]

use utoipa::IntoParams;

/// `{app_id}` and `{sink_id}`: a polling endpoint.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SinkPath {
    /// The application's id (`app_...`) or uid.
    #[param(example = "acme", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    app_id: String,
    /// The polling endpoint's id (`ep_...`) or uid: an endpoint created with the URL
    /// `hookline://poller`.
    #[param(example = "poller", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    sink_id: String,
}

/// `{app_id}`, `{sink_id}` and `{consumer_id}`: a named consumer of a polling endpoint.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ConsumerPath {
    /// The application's id (`app_...`) or uid.
    #[param(example = "acme", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    app_id: String,
    /// The polling endpoint's id (`ep_...`) or uid.
    #[param(example = "poller", pattern = r"^[a-zA-Z0-9\-_.]+$", max_length = 256)]
    sink_id: String,
    /// The consumer's name, chosen by the client: 1 to 256 visible ASCII characters. Hookline
    /// keeps each consumer's position.
    #[param(example = "worker-1", min_length = 1, max_length = 256)]
    consumer_id: String,
}

/// Reading a feed: `limit`, `iterator` and `wait`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Messages per batch, 1 to 250 (default 50; 0 also means the default).
    #[param(minimum = 0, maximum = 250, example = 50)]
    limit: Option<u32>,
    /// The `iterator` of an earlier batch: read what follows it.
    #[param(max_length = 300)]
    iterator: Option<String>,
    /// Hookline addition: when nothing follows yet, hold the request open up to this many
    /// seconds (0 to 30, default 0) and answer as soon as a message is committed.
    #[param(minimum = 0, maximum = 30)]
    wait: Option<u32>,
}

/// Where a feed without `iterator` starts, and which messages it shows.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsFilters {
    /// Only these event types (repeat the parameter or separate with commas).
    #[param(explode = true, style = Form)]
    event_types: Option<Vec<String>>,
    /// Only messages tagged with one of these channels (repeat or separate with commas).
    #[param(explode = true, style = Form)]
    channels: Option<Vec<String>>,
    /// Without `iterator`: start at the first message created at or after this time
    /// (RFC 3339); without either, at the first message.
    #[param(format = DateTime)]
    after: Option<String>,
    /// Include the payload (default true); `false` renders `payload` as `{}`.
    with_content: Option<bool>,
}

/// Filters of a polling endpoint's batch (on top of the endpoint's own filters).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PollerFilters {
    /// Only messages of this event type.
    #[param(example = "invoice.paid")]
    event_type: Option<String>,
    /// Only messages tagged with this channel.
    #[param(example = "project_1337")]
    channel: Option<String>,
    /// Without `iterator`: start at the first message created at or after this time
    /// (RFC 3339); without either, at the first message created after the endpoint.
    #[param(format = DateTime)]
    after: Option<String>,
}

/// A consumer's batch: `limit`, an explicit `iterator` (re-reads from there and moves the
/// consumer), and `wait`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsumerParams {
    /// Messages per batch, 1 to 250 (default 50).
    #[param(minimum = 0, maximum = 250, example = 50)]
    limit: Option<u32>,
    /// Read after this iterator instead of the consumer's saved position (and save it).
    #[param(max_length = 300)]
    iterator: Option<String>,
    /// Hookline addition: hold the request open up to this many seconds (0 to 30) when
    /// nothing follows yet.
    #[param(minimum = 0, maximum = 30)]
    wait: Option<u32>,
}

/// A leased batch (`PollerV2`): `limit`, `lease_duration_ms`, `starting_position`, `wait`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaseParams {
    /// Messages per batch, 1 to 250 (default 50; 0 also means the default).
    #[param(minimum = 0, maximum = 250, example = 50)]
    limit: Option<u32>,
    /// How long the batch stays leased to this consumer, 0 to 3600000 ms (default 30000);
    /// uncommitted messages are handed out again after it.
    #[param(minimum = 0, maximum = 3_600_000)]
    lease_duration_ms: Option<u64>,
    /// Where a new consumer starts: `earliest` (the first message after the endpoint was
    /// created, the default) or `latest` (only what is committed from now on).
    #[param(inline)]
    starting_position: Option<StartingPosition>,
    /// Hookline addition: hold the request open up to this many seconds (0 to 30) when
    /// nothing follows yet.
    #[param(minimum = 0, maximum = 30)]
    wait: Option<u32>,
}

/// `StartingPosition`.
#[derive(Debug, utoipa::ToSchema)]
pub enum StartingPosition {
    /// From the first message after the endpoint was created.
    #[schema(rename = "earliest")]
    Earliest,
    /// From what is committed next.
    #[schema(rename = "latest")]
    Latest,
}

/// The event stream's filters, and where it resumes.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// Only these event types (repeat the parameter or separate with commas).
    #[param(explode = true, style = Form)]
    event_types: Option<Vec<String>>,
    /// Only messages tagged with one of these channels (repeat or separate with commas).
    #[param(explode = true, style = Form)]
    channels: Option<Vec<String>>,
    /// Resume after this position (an event `id` of an earlier stream, or a feed iterator);
    /// `Last-Event-ID` wins when both are given. Without either the stream starts with the
    /// messages committed after it opened.
    #[param(max_length = 300)]
    iterator: Option<String>,
}
