//! Mapping between rows and domain records; the one place column lists live.

use hookline_core::model::{
    Application, Attempt, Delivery, DeliveryStatus, Endpoint, EventType, Message, TriggerType,
};
use hookline_core::{
    AppId, AttemptId, Channel, DeliveryId, EndpointId, EndpointUrl, EventTypeName, MessageId, Tag,
    Timestamp, Uid,
};
use rusqlite::Row;
use rusqlite::types::Type;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) const APP_COLUMNS: &str =
    "a.id, a.uid, a.name, a.metadata, a.throttle_rate, a.created_at, a.updated_at";
pub(crate) const EVENT_TYPE_COLUMNS: &str = "t.name, t.description, t.archived, t.deprecated, t.schemas, t.feature_flag, t.group_name, t.created_at, t.updated_at";
pub(crate) const ENDPOINT_COLUMNS: &str = "e.id, e.app_id, e.uid, e.url, e.description, e.event_types, e.channels, e.disabled, e.throttle_rate, e.metadata, e.headers, e.secret, e.created_at, e.updated_at";
pub(crate) const MESSAGE_COLUMNS: &str = "m.id, m.app_id, m.event_type, m.event_id, m.channels, m.payload, m.created_at, m.tags, m.payload_expires_at";
pub(crate) const DELIVERY_COLUMNS: &str = "d.id, d.msg_id, d.endpoint_id, d.app_id, d.status, d.attempt_count, d.next_attempt_at, d.created_at, d.updated_at";
pub(crate) const ATTEMPT_COLUMNS: &str = "x.id, x.delivery_id, x.msg_id, x.endpoint_id, x.app_id, x.url, x.status, x.response_status_code, x.response, x.response_duration_ms, x.trigger_type, x.attempt_number, x.next_attempt_at, x.error_code, x.created_at";

/// Number of columns in each list, for reading joined rows at an offset.
pub(crate) const ENDPOINT_WIDTH: usize = 14;
pub(crate) const MESSAGE_WIDTH: usize = 9;

/// Serialises a value into a JSON text column.
pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

fn json_col<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

fn opt_json_col<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|t| {
        serde_json::from_str(&t)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
    })
    .transpose()
}

fn ts(row: &Row<'_>, idx: usize) -> rusqlite::Result<Timestamp> {
    Ok(Timestamp::from_millis(row.get(idx)?))
}

fn opt_ts(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Timestamp>> {
    Ok(row.get::<_, Option<i64>>(idx)?.map(Timestamp::from_millis))
}

fn uid(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Uid>> {
    Ok(row.get::<_, Option<String>>(idx)?.map(Uid::from_trusted))
}

fn names<T>(raw: Option<Vec<String>>, wrap: fn(String) -> T) -> Option<Vec<T>> {
    raw.map(|v| v.into_iter().map(wrap).collect())
}

fn status(row: &Row<'_>, idx: usize) -> rusqlite::Result<DeliveryStatus> {
    let code: i64 = row.get(idx)?;
    DeliveryStatus::from_code(code).ok_or(rusqlite::Error::IntegralValueOutOfRange(idx, code))
}

pub(crate) fn application(row: &Row<'_>) -> rusqlite::Result<Application> {
    Ok(Application {
        id: AppId::from_trusted(row.get(0)?),
        uid: uid(row, 1)?,
        name: row.get(2)?,
        metadata: json_col(row, 3)?,
        throttle_rate: row.get(4)?,
        created_at: ts(row, 5)?,
        updated_at: ts(row, 6)?,
    })
}

pub(crate) fn event_type(row: &Row<'_>) -> rusqlite::Result<EventType> {
    Ok(EventType {
        name: EventTypeName::from_trusted(row.get(0)?),
        description: row.get(1)?,
        archived: row.get(2)?,
        deprecated: row.get(3)?,
        schemas: opt_json_col(row, 4)?,
        feature_flag: row.get(5)?,
        group_name: row.get(6)?,
        created_at: ts(row, 7)?,
        updated_at: ts(row, 8)?,
    })
}

/// Reads an endpoint whose columns start at `at` (0 unless joined after other columns).
pub(crate) fn endpoint_at(row: &Row<'_>, at: usize) -> rusqlite::Result<Endpoint> {
    let url: String = row.get(at + 3)?;
    Ok(Endpoint {
        id: EndpointId::from_trusted(row.get(at)?),
        app_id: AppId::from_trusted(row.get(at + 1)?),
        uid: uid(row, at + 2)?,
        url: EndpointUrl::parse(&url).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(at + 3, Type::Text, Box::new(e))
        })?,
        description: row.get(at + 4)?,
        event_types: names(opt_json_col(row, at + 5)?, EventTypeName::from_trusted),
        channels: names(opt_json_col(row, at + 6)?, Channel::from_trusted),
        disabled: row.get(at + 7)?,
        throttle_rate: row.get(at + 8)?,
        metadata: json_col(row, at + 9)?,
        headers: json_col(row, at + 10)?,
        secret: row.get(at + 11)?,
        created_at: ts(row, at + 12)?,
        updated_at: ts(row, at + 13)?,
    })
}

pub(crate) fn endpoint(row: &Row<'_>) -> rusqlite::Result<Endpoint> {
    endpoint_at(row, 0)
}

/// Reads a message whose columns start at `at`.
pub(crate) fn message_at(row: &Row<'_>, at: usize) -> rusqlite::Result<Message> {
    Ok(Message {
        id: MessageId::from_trusted(row.get(at)?),
        app_id: AppId::from_trusted(row.get(at + 1)?),
        event_type: EventTypeName::from_trusted(row.get(at + 2)?),
        event_id: uid(row, at + 3)?,
        channels: names(opt_json_col(row, at + 4)?, Channel::from_trusted),
        payload: row.get(at + 5)?,
        created_at: ts(row, at + 6)?,
        tags: names(opt_json_col(row, at + 7)?, Tag::from_trusted),
        payload_expires_at: opt_ts(row, at + 8)?,
    })
}

pub(crate) fn message(row: &Row<'_>) -> rusqlite::Result<Message> {
    message_at(row, 0)
}

/// Reads a delivery whose columns start at `at`.
pub(crate) fn delivery_at(row: &Row<'_>, at: usize) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: DeliveryId::from_trusted(row.get(at)?),
        msg_id: MessageId::from_trusted(row.get(at + 1)?),
        endpoint_id: EndpointId::from_trusted(row.get(at + 2)?),
        app_id: AppId::from_trusted(row.get(at + 3)?),
        status: status(row, at + 4)?,
        attempt_count: row.get(at + 5)?,
        next_attempt_at: opt_ts(row, at + 6)?,
        created_at: ts(row, at + 7)?,
        updated_at: ts(row, at + 8)?,
    })
}

pub(crate) fn attempt(row: &Row<'_>) -> rusqlite::Result<Attempt> {
    Ok(Attempt {
        id: AttemptId::from_trusted(row.get(0)?),
        delivery_id: DeliveryId::from_trusted(row.get(1)?),
        msg_id: MessageId::from_trusted(row.get(2)?),
        endpoint_id: EndpointId::from_trusted(row.get(3)?),
        app_id: AppId::from_trusted(row.get(4)?),
        url: row.get(5)?,
        status: status(row, 6)?,
        response_status_code: row.get(7)?,
        response: row.get(8)?,
        response_duration_ms: row.get(9)?,
        trigger_type: TriggerType::from_code(row.get(10)?),
        attempt_number: row.get(11)?,
        next_attempt_at: opt_ts(row, 12)?,
        error_code: row.get(13)?,
        created_at: ts(row, 14)?,
    })
}
