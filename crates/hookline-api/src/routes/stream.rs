//! `/app/{app_id}/events/stream`: an application's messages as Server-Sent Events, live.
//!
//! Each event's `id` is the message's feed position. A client that reconnects with
//! `Last-Event-ID` (as `EventSource` does by itself) resumes right after the last event it
//! received, with nothing missed and nothing repeated. Without it (or an `iterator` parameter)
//! the stream starts with the messages committed after the connection opened. Inbound sources
//! are applications too, so the same route streams what a source received.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures::Stream;
use hookline_core::AppId;
use hookline_store::feed::{FeedItem, FeedQuery, FeedWatch};

use super::{lookup, pull};
use crate::error::{ApiError, ApiResult};
use crate::extract::Params;
#[allow(unused_imports)]
use crate::openapi::params::*;
#[allow(unused_imports)]
use crate::openapi::pull_params::*;
use crate::state::AppState;
use crate::wire::feed::FeedMessageOut;

/// Messages read from the store per round trip while catching up.
const BATCH: u32 = 100;
/// Comment lines keep idle connections (and the proxies between) open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// What a client should wait before reconnecting after a drop.
const RETRY: Duration = Duration::from_secs(2);

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/app/{app_id}/events/stream", get(stream))
}

/// Stream an application's messages live as Server-Sent Events: each event's `id` is the
/// message's feed position and its `data` the message (`FeedMessageOut`); reconnecting with
/// `Last-Event-ID` resumes with nothing missed or repeated. Comment lines keep the connection
/// open; the stream never ends by itself.
#[utoipa::path(get, path = "/api/v1/app/{app_id}/events/stream", tag = "Message", operation_id = "v1.message.events-stream",
    params(AppPath, StreamParams,
        ("Last-Event-ID" = Option<String>, Header, description = "Sent by `EventSource` on reconnection: resume right after this event id.")),
    responses((status = 200, description = "An endless `text/event-stream`: `retry: 2000` and `: ready` first, then `id: <position>` / `data: <FeedMessageOut JSON>` per message", content_type = "text/event-stream", body = String)))]
async fn stream(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let app = lookup::app(&state, &app_id).await?;
    live(state, app.id, &headers, &params).await
}

/// The live stream of one application's messages, as the request asks.
///
/// Routes that resolve an application differently (an inbound source's own application, for
/// instance) answer with this too.
pub(crate) async fn live(
    state: AppState,
    app: AppId,
    headers: &HeaderMap,
    params: &Params,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>> + use<>>> {
    let filter = pull::filter(params, "event_types", "channels")?;
    let last_event_id = headers
        .get("last-event-id")
        .map(|v| {
            v.to_str()
                .map_err(|_| ApiError::field(&["header", "Last-Event-ID"], "is not valid text"))
        })
        .transpose()?;
    // An empty Last-Event-ID means the client has no id yet (the SSE spec lets a server reset it).
    let (raw, loc): (Option<&str>, &[&str]) = match last_event_id.filter(|v| !v.trim().is_empty()) {
        Some(raw) => (Some(raw), &["header", "Last-Event-ID"]),
        None => (params.get("iterator"), &["query", "iterator"]),
    };
    let resume = pull::position(raw, loc)?;
    // Subscribe before fixing the start, so nothing committed from here on is missed.
    let watch = state.store.feed_signal().subscribe();
    let head = state.store.feed_head().await?;
    let after = match resume {
        Some(at) if at > head => {
            return Err(ApiError::field(
                loc,
                "is ahead of every message in this Hookline; pass back an id it sent",
            ));
        }
        Some(at) => at,
        None => head,
    };
    metrics::gauge!("hookline_pull_streams_open").increment(1.0);
    let reader = Reader {
        state,
        query: FeedQuery {
            app: Some(app),
            after,
            filter,
            limit: BATCH,
        },
        watch,
        pending: VecDeque::new(),
        greeted: false,
    };
    let events = futures::stream::unfold(reader, |mut reader| async move {
        let event = reader.next().await?;
        Some((Ok(event), reader))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// Reads the feed for one stream: drains what is there, then waits for the next commit.
struct Reader {
    state: AppState,
    query: FeedQuery,
    watch: FeedWatch,
    pending: VecDeque<FeedItem>,
    greeted: bool,
}

impl Drop for Reader {
    fn drop(&mut self) {
        metrics::gauge!("hookline_pull_streams_open").decrement(1.0);
    }
}

impl Reader {
    /// The next event, or `None` when the stream should end (shutdown or storage failure;
    /// the client reconnects with `Last-Event-ID` and loses nothing).
    async fn next(&mut self) -> Option<Event> {
        if !self.greeted {
            // Tells the client how soon to reconnect, and that the stream is live.
            self.greeted = true;
            return Some(Event::default().retry(RETRY).comment("ready"));
        }
        loop {
            if let Some(item) = self.pending.pop_front() {
                metrics::counter!("hookline_pull_messages_total", "via" => "stream").increment(1);
                return Some(render(item));
            }
            match self.state.store.read_feed(self.query.clone()).await {
                Ok(batch) => {
                    self.query.after = batch.next;
                    self.pending.extend(batch.items);
                    if !self.pending.is_empty() {
                        continue;
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "ending an event stream: the feed cannot be read");
                    return None;
                }
            }
            if !self.watch.changed().await {
                return None;
            }
        }
    }
}

fn render(item: FeedItem) -> Event {
    let id = item.position.to_string();
    let body = FeedMessageOut::render(item, true);
    match Event::default().id(id).json_data(&body) {
        Ok(event) => event,
        Err(err) => Event::default().comment(format!("unrenderable message: {err}")),
    }
}
