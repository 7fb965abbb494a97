//! The client commands' arguments: one subcommand per resource, each taking the options every
//! client command shares (`--url`, `--token`, `--output`) before or after its action.

use std::convert::Infallible;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use hookline_core::Timestamp;

/// The commands that talk to a running Hookline over its REST API.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Applications (one per customer): list, create, get, delete.
    App(AppArgs),
    /// Endpoints of an application: list, create, get, update, delete, and their signing secret.
    Endpoint(EndpointArgs),
    /// Event types: list, create, get, delete (archive).
    EventType(EventTypeArgs),
    /// Messages: send one, list an application's, get one.
    Msg(MsgArgs),
    /// Delivery attempts of a message or to an endpoint, newest first.
    Attempt(AttemptArgs),
    /// Resend a message to an endpoint now.
    Resend(ResendArgs),
    /// Re-queue every delivery to an endpoint that failed for good since a time.
    Recover(RecoverArgs),
}

impl ClientCommand {
    /// The options shared by every client command.
    pub fn options(&self) -> &ClientOptions {
        match self {
            Self::App(args) => &args.options,
            Self::Endpoint(args) => &args.options,
            Self::EventType(args) => &args.options,
            Self::Msg(args) => &args.options,
            Self::Attempt(args) => &args.options,
            Self::Resend(args) => &args.options,
            Self::Recover(args) => &args.options,
        }
    }
}

/// Where the server is, who we are to it, and how to show its answers.
#[derive(Debug, Clone, Args)]
pub struct ClientOptions {
    /// Base URL of the Hookline server (without `/api/v1`).
    #[arg(
        long,
        env = "HOOKLINE_URL",
        default_value = "http://127.0.0.1:8071",
        global = true,
        help_heading = "Server options"
    )]
    pub url: String,

    /// API token [default: the admin token `hookline serve` saved in `<data dir>/admin-token`].
    #[arg(
        long,
        env = "HOOKLINE_TOKEN",
        hide_env_values = true,
        global = true,
        help_heading = "Server options"
    )]
    pub token: Option<Token>,

    /// Data directory of `hookline serve`, read for its admin token when --token is not given
    /// [default: ./hookline-data, or `data_dir` in ./hookline.toml].
    #[arg(
        long,
        env = "HOOKLINE_DATA_DIR",
        global = true,
        help_heading = "Server options"
    )]
    pub data_dir: Option<PathBuf>,

    /// The environment to work in (`env_...`), sent as the `Hookline-Environment` header; only
    /// the admin token may name one (keys of an environment work in theirs without it)
    /// [default: the default environment].
    #[arg(
        long,
        env = "HOOKLINE_ENVIRONMENT",
        global = true,
        help_heading = "Server options"
    )]
    pub environment: Option<String>,

    /// `json` (the API's answer, pretty-printed) or `table` (the main fields, aligned)
    /// [default: table when stdout is a terminal, else json].
    #[arg(long, value_enum, global = true, help_heading = "Server options")]
    pub output: Option<OutputFormat>,
}

/// How answers are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// The API's JSON, pretty-printed with its keys, numbers and strings exactly as received.
    Json,
    /// A compact aligned view of the main fields.
    Table,
}

/// An API token; its `Debug` never shows it, so no log or panic message can.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// The token itself, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for Token {
    type Err = Infallible;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Ok(Self(raw.trim().to_owned()))
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Paging of list commands, as the API pages.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Items per page, 1 to 250 [default: the API's, 50].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=250))]
    pub limit: Option<u16>,

    /// Start from this position: the `iterator` of a previous page.
    #[arg(long)]
    pub iterator: Option<String>,

    /// Follow `iterator` until `done`, showing every page as one list.
    #[arg(long)]
    pub all: bool,
}

/// `hookline app ...`.
#[derive(Debug, Args)]
pub struct AppArgs {
    #[command(flatten)]
    pub options: ClientOptions,
    #[command(subcommand)]
    pub command: AppCommand,
}

/// What to do with applications.
#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// List applications, oldest first.
    List(ListArgs),
    /// Create an application.
    Create {
        /// Its name, e.g. `Acme Corp`.
        name: String,
        /// Your own id for it, usable wherever its `app_...` id is.
        #[arg(long)]
        uid: Option<String>,
    },
    /// Show an application.
    Get {
        /// Its id or uid.
        app: String,
    },
    /// Delete an application with its endpoints and messages.
    Delete {
        /// Its id or uid.
        app: String,
    },
}

/// `hookline endpoint ...`.
#[derive(Debug, Args)]
pub struct EndpointArgs {
    #[command(flatten)]
    pub options: ClientOptions,
    #[command(subcommand)]
    pub command: EndpointCommand,
}

/// What to do with endpoints.
#[derive(Debug, Subcommand)]
pub enum EndpointCommand {
    /// List an application's endpoints, oldest first.
    List {
        /// The application's id or uid.
        app: String,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Create an endpoint.
    Create {
        /// The application's id or uid.
        app: String,
        /// Where deliveries go, e.g. `https://example.com/webhooks` (not named `url`, which
        /// is the server's).
        #[arg(value_name = "URL")]
        endpoint_url: String,
        /// An event type it receives (repeat for several) [default: all of them].
        #[arg(long = "event-type", value_name = "NAME")]
        event_types: Vec<String>,
        /// Your own id for it, usable wherever its `ep_...` id is.
        #[arg(long)]
        uid: Option<String>,
        /// What it is.
        #[arg(long)]
        description: Option<String>,
    },
    /// Show an endpoint.
    Get {
        /// The application's id or uid.
        app: String,
        /// The endpoint's id or uid.
        endpoint: String,
    },
    /// Change an endpoint: only what is given changes (`PATCH`).
    #[command(group(ArgGroup::new("state").args(["enable", "disable"])))]
    Update {
        /// The application's id or uid.
        app: String,
        /// The endpoint's id or uid.
        endpoint: String,
        /// Where deliveries go from now on.
        #[arg(long, value_name = "URL")]
        endpoint_url: Option<String>,
        /// The event types it receives, replacing the current list (repeat for several).
        #[arg(long = "event-type", value_name = "NAME")]
        event_types: Vec<String>,
        /// Receive every event type again (clears the list).
        #[arg(long, conflicts_with = "event_types")]
        all_event_types: bool,
        /// What it is.
        #[arg(long)]
        description: Option<String>,
        /// Start delivering to it again.
        #[arg(long)]
        enable: bool,
        /// Stop delivering to it: new messages skip it, and deliveries still waiting fail.
        #[arg(long)]
        disable: bool,
    },
    /// Delete an endpoint.
    Delete {
        /// The application's id or uid.
        app: String,
        /// The endpoint's id or uid.
        endpoint: String,
    },
    /// Show an endpoint's signing secret.
    Secret {
        /// The application's id or uid.
        app: String,
        /// The endpoint's id or uid.
        endpoint: String,
    },
}

/// `hookline event-type ...`.
#[derive(Debug, Args)]
pub struct EventTypeArgs {
    #[command(flatten)]
    pub options: ClientOptions,
    #[command(subcommand)]
    pub command: EventTypeCommand,
}

/// What to do with event types.
#[derive(Debug, Subcommand)]
pub enum EventTypeCommand {
    /// List event types by name.
    List(ListArgs),
    /// Create an event type.
    Create {
        /// Its name, e.g. `invoice.paid`.
        name: String,
        /// What the event means.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Show an event type.
    Get {
        /// Its name.
        name: String,
    },
    /// Archive an event type (listed again with `include_archived`), or with `--expunge`
    /// remove it for good.
    Delete {
        /// Its name.
        name: String,
        /// Remove it instead of archiving it.
        #[arg(long)]
        expunge: bool,
    },
}

/// `hookline msg ...`.
#[derive(Debug, Args)]
pub struct MsgArgs {
    #[command(flatten)]
    pub options: ClientOptions,
    #[command(subcommand)]
    pub command: MsgCommand,
}

/// What to do with messages.
#[derive(Debug, Subcommand)]
pub enum MsgCommand {
    /// Send a message to every endpoint of the application subscribed to its event type.
    Send {
        /// The application's id or uid.
        app: String,
        /// The event type, e.g. `invoice.paid`.
        event_type: String,
        /// The payload: JSON text, `@file` to read it from a file, or `@-` from stdin; delivered
        /// byte for byte.
        payload: String,
        /// Your id for the event, unique in the application; usable wherever the `msg_...` id is.
        #[arg(long)]
        event_id: Option<String>,
        /// A channel (repeat for several); only endpoints on one of them receive it.
        #[arg(long = "channel", value_name = "CHANNEL")]
        channels: Vec<String>,
        /// The `Idempotency-Key` sent, so that running the command again cannot send twice
        /// [default: a new random UUID].
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// List an application's messages, newest first.
    List {
        /// The application's id or uid.
        app: String,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Show a message with its payload.
    Get {
        /// The application's id or uid.
        app: String,
        /// The message's id or event id.
        msg: String,
    },
}

/// `hookline attempt ...`.
#[derive(Debug, Args)]
pub struct AttemptArgs {
    #[command(flatten)]
    pub options: ClientOptions,
    #[command(subcommand)]
    pub command: AttemptCommand,
}

/// What to do with attempts.
#[derive(Debug, Subcommand)]
pub enum AttemptCommand {
    /// List delivery attempts of a message or to an endpoint, newest first.
    List(AttemptListArgs),
}

/// `hookline attempt list <app> (--msg M | --endpoint E)`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("of").required(true).args(["msg", "endpoint"])))]
pub struct AttemptListArgs {
    /// The application's id or uid.
    pub app: String,
    /// Attempts of this message (id or event id).
    #[arg(long)]
    pub msg: Option<String>,
    /// Attempts to this endpoint (id or uid).
    #[arg(long)]
    pub endpoint: Option<String>,
    #[command(flatten)]
    pub list: ListArgs,
}

/// `hookline resend <app> <msg> <endpoint>`.
#[derive(Debug, Args)]
pub struct ResendArgs {
    #[command(flatten)]
    pub options: ClientOptions,
    /// The application's id or uid.
    pub app: String,
    /// The message's id or event id.
    pub msg: String,
    /// The endpoint's id or uid.
    pub endpoint: String,
}

/// `hookline recover <app> <endpoint> --since <time>`.
#[derive(Debug, Args)]
pub struct RecoverArgs {
    #[command(flatten)]
    pub options: ClientOptions,
    /// The application's id or uid.
    pub app: String,
    /// The endpoint's id or uid.
    pub endpoint: String,
    /// Recover messages created at or after this time (RFC 3339, e.g. `2026-01-01T00:00:00Z`).
    #[arg(long, value_parser = rfc3339)]
    pub since: String,
    /// ... and before this time (RFC 3339) [default: now].
    #[arg(long, value_parser = rfc3339)]
    pub until: Option<String>,
}

/// Checks an RFC 3339 time and keeps it as written, for the API to read.
fn rfc3339(raw: &str) -> Result<String, String> {
    Timestamp::parse_rfc3339(raw)
        .map(|_| raw.to_owned())
        .ok_or_else(|| "expected an RFC 3339 time such as 2026-01-01T00:00:00Z".to_owned())
}
