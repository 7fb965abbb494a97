//! Messages and their fan-out into deliveries (`../sqlite/messages.rs`).

use deadpool_postgres::{GenericClient, Transaction};
use hookline_core::filter::endpoint_receives;
use hookline_core::model::{Delivery, DeliveryStatus, Endpoint, Message};
use hookline_core::{AppId, DeliveryId, EndpointId};

use super::conflict::named;
use super::list::{Listing, Param, int, text};
use super::rows::{
    self, DELIVERY_COLUMNS, ENDPOINT_COLUMNS, ENDPOINT_WIDTH, MESSAGE_COLUMNS, MESSAGE_WIDTH,
    to_json,
};
use super::{Db, endpoints};
use crate::page::{Page, PageRequest};
use crate::query::{AcceptedMessage, MessageFilter};
use crate::{StoreError, StoreResult};

/// Stores `message` and plans one pending delivery, due at once, for every endpoint of its
/// application that receives it ([`endpoint_receives`]), inside the caller's transaction, so
/// the message and its plan commit together or not at all.
///
/// A message whose `event_id` the application already used is a `Conflict`; when two
/// transactions insert the same one at once, the second waits for the first and fails if it
/// commits (the unique index decides, not a prior read).
pub(crate) async fn insert_message(
    tx: &Transaction<'_>,
    message: &Message,
) -> StoreResult<AcceptedMessage> {
    let channels = message
        .channels
        .as_ref()
        .map(|c| to_json(&c.iter().map(|c| c.as_str()).collect::<Vec<_>>()));
    let tags = message
        .tags
        .as_ref()
        .map(|t| to_json(&t.iter().map(|t| t.as_str()).collect::<Vec<_>>()));
    let insert = tx
        .prepare_cached(
            "INSERT INTO messages (id, app_id, event_type, event_id, channels, payload, created_at,
             tags, payload_expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .await?;
    tx.execute(
        &insert,
        &[
            &message.id.as_str(),
            &message.app_id.as_str(),
            &message.event_type.as_str(),
            &message.event_id.as_ref().map(|u| u.as_str()),
            &channels,
            &message.payload,
            &message.created_at.as_millis(),
            &tags,
            &message.payload_expires_at.map(|t| t.as_millis()),
        ],
    )
    .await
    .map_err(|err| named(err, || "a message with this eventId already exists".into()))?;

    let receivers: Vec<String> = endpoints::all_for_app(tx, &message.app_id)
        .await?
        .into_iter()
        .filter(|e| endpoint_receives(e, &message.event_type, message.channels.as_deref()))
        .map(|e| e.id.to_string())
        .collect();
    let planned = if receivers.is_empty() {
        0
    } else {
        plan(tx, message, &receivers).await?
    };
    Ok(AcceptedMessage {
        message: message.clone(),
        deliveries: planned,
    })
}

/// Inserts the deliveries in one statement. The join locks each endpoint `FOR KEY SHARE` (as the
/// foreign key check would) and skips one deleted since it was read, so a concurrent endpoint
/// delete neither fails the message nor leaves a delivery to nowhere.
async fn plan(tx: &Transaction<'_>, message: &Message, receivers: &[String]) -> StoreResult<usize> {
    let ids: Vec<String> = receivers
        .iter()
        .map(|_| DeliveryId::generate().to_string())
        .collect();
    let insert = tx
        .prepare_cached(
            "INSERT INTO deliveries (id, msg_id, endpoint_id, app_id, status, attempt_count,
             next_attempt_at, created_at, updated_at)
             SELECT p.id, $1, e.id, $2, $3, 0, $4, $4, $4
             FROM unnest($5::text[], $6::text[]) AS p(id, endpoint_id)
             JOIN endpoints e ON e.id = p.endpoint_id AND e.app_id = $2
             FOR KEY SHARE OF e",
        )
        .await?;
    let planned = tx
        .execute(
            &insert,
            &[
                &message.id.as_str(),
                &message.app_id.as_str(),
                &DeliveryStatus::Pending.code(),
                &message.created_at.as_millis(),
                &ids,
                &receivers,
            ],
        )
        .await?;
    Ok(planned as usize)
}

/// A message of `app` by id or event id.
pub(crate) async fn get(
    c: &impl GenericClient,
    app: &AppId,
    id_or_event_id: &str,
) -> StoreResult<Option<Message>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m
             WHERE m.app_id = $1 AND (m.id = $2 OR m.event_id = $2) LIMIT 1"
        ))
        .await?;
    c.query_opt(&stmt, &[&app.as_str(), &id_or_event_id])
        .await?
        .as_ref()
        .map(rows::message)
        .transpose()
}

/// Applies the message filters to a listing whose messages are aliased `m`.
pub(crate) fn filtered(listing: Listing, filter: &MessageFilter) -> Listing {
    listing
        .filter_if(
            filter.channel.as_ref(),
            // Channels are a JSON array in a TEXT column.
            "m.channels::jsonb @> jsonb_build_array(?::text)",
            |c| text(c.as_str()),
        )
        .filter_if(
            filter.tag.as_ref(),
            // Tags too.
            "m.tags::jsonb @> jsonb_build_array(?::text)",
            |t| text(t.as_str()),
        )
        .filter_if(
            filter.event_types.as_ref(),
            "m.event_type = ANY(?)",
            |types| {
                let names: Vec<String> = types.iter().map(|t| t.to_string()).collect();
                vec![Box::new(names) as Param]
            },
        )
        .filter_if(filter.before, "m.created_at < ?", |t| int(t.as_millis()))
        .filter_if(filter.after, "m.created_at > ?", |t| int(t.as_millis()))
}

pub(crate) async fn list(
    db: &Db,
    app: &AppId,
    filter: &MessageFilter,
    page: &PageRequest,
) -> StoreResult<Page<Message>> {
    let listing = Listing::new(format!("SELECT {MESSAGE_COLUMNS} FROM messages m"), "m.id")
        .filter("m.app_id = ?", text(app.as_str()));
    filtered(listing, filter)
        .fetch(db, page, rows::message, |m| m.id.to_string())
        .await
}

/// An endpoint's deliveries with their messages, paged by message id.
pub(crate) async fn list_for_endpoint(
    db: &Db,
    app: &AppId,
    endpoint: &EndpointId,
    filter: &MessageFilter,
    page: &PageRequest,
) -> StoreResult<Page<(Message, Delivery)>> {
    let listing = Listing::new(
        format!(
            "SELECT {MESSAGE_COLUMNS}, {DELIVERY_COLUMNS} FROM deliveries d
             JOIN messages m ON m.id = d.msg_id"
        ),
        "d.msg_id",
    )
    .filter("d.endpoint_id = ?", text(endpoint.as_str()))
    .filter("d.app_id = ?", text(app.as_str()))
    .filter_if(filter.status, "d.status = ?", |s| int(s.code()));
    filtered(listing, filter)
        .fetch(
            db,
            page,
            |row| Ok((rows::message(row)?, rows::delivery_at(row, MESSAGE_WIDTH)?)),
            |(m, _)| m.id.to_string(),
        )
        .await
}

/// A message's deliveries with their endpoints, paged by endpoint id; `NotFound` if the
/// message (by id or event id) is not in `app`.
pub(crate) async fn list_deliveries(
    db: &Db,
    app: &AppId,
    msg: &str,
    page: &PageRequest,
) -> StoreResult<Page<(Endpoint, Delivery)>> {
    let message = get(&db.client().await?, app, msg)
        .await?
        .ok_or(StoreError::NotFound)?;
    Listing::new(
        format!(
            "SELECT {ENDPOINT_COLUMNS}, {DELIVERY_COLUMNS} FROM deliveries d
             JOIN endpoints e ON e.id = d.endpoint_id"
        ),
        "d.endpoint_id",
    )
    .filter("d.msg_id = ?", text(message.id.as_str()))
    .fetch(
        db,
        page,
        |row| {
            Ok((
                rows::endpoint(row)?,
                rows::delivery_at(row, ENDPOINT_WIDTH)?,
            ))
        },
        |(e, _)| e.id.to_string(),
    )
    .await
}
