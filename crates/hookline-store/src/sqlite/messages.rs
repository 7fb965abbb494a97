//! Messages and their fan-out into deliveries.

use hookline_core::filter::endpoint_receives;
use hookline_core::model::{Delivery, DeliveryStatus, Endpoint, Message};
use hookline_core::{AppId, DeliveryId, EndpointId};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, named_params};

use super::endpoints;
use super::list::{Listing, int, text};
use super::rows::{
    self, DELIVERY_COLUMNS, ENDPOINT_COLUMNS, ENDPOINT_WIDTH, MESSAGE_COLUMNS, MESSAGE_WIDTH,
    to_json,
};
use crate::page::{Page, PageRequest};
use crate::query::{AcceptedMessage, MessageFilter};
use crate::{StoreError, StoreResult};

pub(crate) fn create(conn: &Connection, message: Message) -> StoreResult<AcceptedMessage> {
    conn.prepare_cached(
        "INSERT INTO messages (id, app_id, event_type, event_id, channels, tags, payload,
         payload_expires_at, created_at)
         VALUES (:id, :app_id, :event_type, :event_id, :channels, :tags, :payload,
         :payload_expires_at, :created_at)",
    )?
    .execute(named_params! {
        ":id": message.id.as_str(),
        ":app_id": message.app_id.as_str(),
        ":event_type": message.event_type.as_str(),
        ":event_id": message.event_id.as_ref().map(|u| u.as_str()),
        ":channels": message.channels.as_ref().map(|c| to_json(&c.iter().map(|c| c.as_str()).collect::<Vec<_>>())),
        ":tags": message.tags.as_ref().map(|t| to_json(&t.iter().map(|t| t.as_str()).collect::<Vec<_>>())),
        ":payload": message.payload,
        ":payload_expires_at": message.payload_expires_at.map(|t| t.as_millis()),
        ":created_at": message.created_at.as_millis(),
    })
    .map_err(|err| match StoreError::from(err) {
        StoreError::Conflict(_) => {
            StoreError::Conflict("a message with this eventId already exists".into())
        }
        other => other,
    })?;

    let mut planned = 0;
    let mut insert = conn.prepare_cached(
        "INSERT INTO deliveries (id, msg_id, endpoint_id, app_id, status, attempt_count,
         next_attempt_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6, ?6)",
    )?;
    for endpoint in endpoints::all_for_app(conn, &message.app_id)? {
        if !endpoint_receives(&endpoint, &message.event_type, message.channels.as_deref()) {
            continue;
        }
        insert.execute(rusqlite::params![
            DeliveryId::generate().as_str(),
            message.id.as_str(),
            endpoint.id.as_str(),
            message.app_id.as_str(),
            DeliveryStatus::Pending.code(),
            message.created_at.as_millis(),
        ])?;
        planned += 1;
    }
    Ok(AcceptedMessage {
        message,
        deliveries: planned,
    })
}

pub(crate) fn get(
    conn: &Connection,
    app: &AppId,
    id_or_event_id: &str,
) -> StoreResult<Option<Message>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m
             WHERE m.app_id = ?1 AND (m.id = ?2 OR m.event_id = ?2) LIMIT 1"
        ))?
        .query_row([app.as_str(), id_or_event_id], rows::message)
        .optional()?)
}

/// Applies the message filters to a listing whose messages are aliased `m`.
pub(crate) fn filtered(listing: Listing, filter: &MessageFilter) -> Listing {
    listing
        .filter_if(
            filter.channel.as_ref(),
            "EXISTS (SELECT 1 FROM json_each(m.channels) WHERE value = ?)",
            |c| text(c.as_str()),
        )
        .filter_if(
            filter.tag.as_ref(),
            "EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value = ?)",
            |t| text(t.as_str()),
        )
        .filter_if(
            filter.event_types.as_ref(),
            &in_list("m.event_type", filter),
            |types| types.iter().map(|t| Value::Text(t.to_string())).collect(),
        )
        .filter_if(filter.before, "m.created_at < ?", |t| int(t.as_millis()))
        .filter_if(filter.after, "m.created_at > ?", |t| int(t.as_millis()))
}

fn in_list(column: &str, filter: &MessageFilter) -> String {
    let count = filter.event_types.as_ref().map_or(0, Vec::len).max(1);
    format!("{column} IN ({})", vec!["?"; count].join(", "))
}

pub(crate) fn list(
    conn: &Connection,
    app: &AppId,
    filter: &MessageFilter,
    page: &PageRequest,
) -> StoreResult<Page<Message>> {
    let listing = Listing::new(format!("SELECT {MESSAGE_COLUMNS} FROM messages m"), "m.id")
        .filter("m.app_id = ?", text(app.as_str()));
    filtered(listing, filter).fetch(conn, page, rows::message, |m| m.id.to_string())
}

pub(crate) fn list_for_endpoint(
    conn: &Connection,
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
    filtered(listing, filter).fetch(
        conn,
        page,
        |row| Ok((rows::message(row)?, rows::delivery_at(row, MESSAGE_WIDTH)?)),
        |(m, _)| m.id.to_string(),
    )
}

pub(crate) fn list_deliveries(
    conn: &Connection,
    app: &AppId,
    msg: &str,
    page: &PageRequest,
) -> StoreResult<Page<(Endpoint, Delivery)>> {
    let message = get(conn, app, msg)?.ok_or(StoreError::NotFound)?;
    Listing::new(
        format!(
            "SELECT {ENDPOINT_COLUMNS}, {DELIVERY_COLUMNS} FROM deliveries d
             JOIN endpoints e ON e.id = d.endpoint_id"
        ),
        "d.endpoint_id",
    )
    .filter("d.msg_id = ?", text(message.id.as_str()))
    .fetch(
        conn,
        page,
        |row| {
            Ok((
                rows::endpoint(row)?,
                rows::delivery_at(row, ENDPOINT_WIDTH)?,
            ))
        },
        |(e, _)| e.id.to_string(),
    )
}
