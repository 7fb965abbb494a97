//! Mapping between PostgreSQL rows and domain records; the column lists match
//! `../sqlite/rows.rs` so both backends read the same shapes.
//!
//! Conventions (see `schema/0001_initial.sql`): integers are BIGINT, so bind `i64` and read with
//! [`RowExt::int`]; times are Unix milliseconds; JSON documents are TEXT.

use hookline_core::model::{
    Application, Attempt, Delivery, DeliveryStatus, Endpoint, EventType, Message, TriggerType,
};
use hookline_core::{
    AppId, AttemptId, Channel, DeliveryId, EndpointId, EndpointUrl, EventTypeName, MessageId, Tag,
    Timestamp, Uid,
};
use serde::de::DeserializeOwned;
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

use crate::{StoreError, StoreResult};

#[allow(unused_imports)]
pub(crate) use crate::sqlite::rows::{
    APP_COLUMNS, ATTEMPT_COLUMNS, DELIVERY_COLUMNS, ENDPOINT_COLUMNS, ENDPOINT_WIDTH,
    EVENT_TYPE_COLUMNS, MESSAGE_COLUMNS, MESSAGE_WIDTH, to_json,
};

/// Number of columns in [`DELIVERY_COLUMNS`].
pub(crate) const DELIVERY_WIDTH: usize = 9;

/// Typed column reads that report a bad value as a store error naming the column.
pub(crate) trait RowExt {
    /// Any column as its natural Rust type (`String`, `Option<String>`, `bool`, `Vec<u8>`, ...).
    fn col<'a, T: FromSql<'a>>(&'a self, idx: usize) -> StoreResult<T>;
    /// A BIGINT column as a narrower integer.
    fn int<T: TryFrom<i64>>(&self, idx: usize) -> StoreResult<T>;
    /// A nullable BIGINT column as a narrower integer.
    fn opt_int<T: TryFrom<i64>>(&self, idx: usize) -> StoreResult<Option<T>>;
    /// A millisecond time column.
    fn ts(&self, idx: usize) -> StoreResult<Timestamp>;
    /// A nullable millisecond time column.
    fn opt_ts(&self, idx: usize) -> StoreResult<Option<Timestamp>>;
    /// A JSON text column.
    fn json<T: DeserializeOwned>(&self, idx: usize) -> StoreResult<T>;
    /// A nullable JSON text column.
    fn opt_json<T: DeserializeOwned>(&self, idx: usize) -> StoreResult<Option<T>>;
}

fn bad(idx: usize, what: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("column {idx} holds an unexpected value: {what}"))
}

impl RowExt for Row {
    fn col<'a, T: FromSql<'a>>(&'a self, idx: usize) -> StoreResult<T> {
        self.try_get(idx).map_err(|err| bad(idx, err))
    }
    fn int<T: TryFrom<i64>>(&self, idx: usize) -> StoreResult<T> {
        let value: i64 = self.col(idx)?;
        T::try_from(value).map_err(|_| bad(idx, value))
    }
    fn opt_int<T: TryFrom<i64>>(&self, idx: usize) -> StoreResult<Option<T>> {
        let value: Option<i64> = self.col(idx)?;
        value
            .map(|v| T::try_from(v).map_err(|_| bad(idx, v)))
            .transpose()
    }
    fn ts(&self, idx: usize) -> StoreResult<Timestamp> {
        Ok(Timestamp::from_millis(self.col(idx)?))
    }
    fn opt_ts(&self, idx: usize) -> StoreResult<Option<Timestamp>> {
        Ok(self.col::<Option<i64>>(idx)?.map(Timestamp::from_millis))
    }
    fn json<T: DeserializeOwned>(&self, idx: usize) -> StoreResult<T> {
        let text: &str = self.col(idx)?;
        Ok(serde_json::from_str(text)?)
    }
    fn opt_json<T: DeserializeOwned>(&self, idx: usize) -> StoreResult<Option<T>> {
        let text: Option<&str> = self.col(idx)?;
        Ok(text.map(serde_json::from_str).transpose()?)
    }
}

fn uid(row: &Row, idx: usize) -> StoreResult<Option<Uid>> {
    Ok(row.col::<Option<String>>(idx)?.map(Uid::from_trusted))
}

fn names<T>(raw: Option<Vec<String>>, wrap: fn(String) -> T) -> Option<Vec<T>> {
    raw.map(|v| v.into_iter().map(wrap).collect())
}

fn status(row: &Row, idx: usize) -> StoreResult<DeliveryStatus> {
    let code: i64 = row.col(idx)?;
    DeliveryStatus::from_code(code).ok_or_else(|| bad(idx, code))
}

pub(crate) fn application(row: &Row) -> StoreResult<Application> {
    Ok(Application {
        id: AppId::from_trusted(row.col(0)?),
        uid: uid(row, 1)?,
        name: row.col(2)?,
        metadata: row.json(3)?,
        throttle_rate: row.opt_int(4)?,
        created_at: row.ts(5)?,
        updated_at: row.ts(6)?,
    })
}

pub(crate) fn event_type(row: &Row) -> StoreResult<EventType> {
    Ok(EventType {
        name: EventTypeName::from_trusted(row.col(0)?),
        description: row.col(1)?,
        archived: row.col(2)?,
        deprecated: row.col(3)?,
        schemas: row.opt_json(4)?,
        feature_flag: row.col(5)?,
        group_name: row.col(6)?,
        created_at: row.ts(7)?,
        updated_at: row.ts(8)?,
    })
}

/// Reads an endpoint whose columns start at `at` (0 unless joined after other columns).
pub(crate) fn endpoint_at(row: &Row, at: usize) -> StoreResult<Endpoint> {
    let url: String = row.col(at + 3)?;
    Ok(Endpoint {
        id: EndpointId::from_trusted(row.col(at)?),
        app_id: AppId::from_trusted(row.col(at + 1)?),
        uid: uid(row, at + 2)?,
        url: EndpointUrl::parse(&url).map_err(|e| bad(at + 3, e))?,
        description: row.col(at + 4)?,
        event_types: names(row.opt_json(at + 5)?, EventTypeName::from_trusted),
        channels: names(row.opt_json(at + 6)?, Channel::from_trusted),
        disabled: row.col(at + 7)?,
        throttle_rate: row.opt_int(at + 8)?,
        metadata: row.json(at + 9)?,
        headers: row.json(at + 10)?,
        secret: row.col(at + 11)?,
        created_at: row.ts(at + 12)?,
        updated_at: row.ts(at + 13)?,
    })
}

pub(crate) fn endpoint(row: &Row) -> StoreResult<Endpoint> {
    endpoint_at(row, 0)
}

/// Reads a message whose columns start at `at`.
pub(crate) fn message_at(row: &Row, at: usize) -> StoreResult<Message> {
    Ok(Message {
        id: MessageId::from_trusted(row.col(at)?),
        app_id: AppId::from_trusted(row.col(at + 1)?),
        event_type: EventTypeName::from_trusted(row.col(at + 2)?),
        event_id: uid(row, at + 3)?,
        channels: names(row.opt_json(at + 4)?, Channel::from_trusted),
        payload: row.col(at + 5)?,
        created_at: row.ts(at + 6)?,
        tags: names(row.opt_json(at + 7)?, Tag::from_trusted),
        payload_expires_at: row.opt_ts(at + 8)?,
    })
}

pub(crate) fn message(row: &Row) -> StoreResult<Message> {
    message_at(row, 0)
}

/// Reads a delivery whose columns start at `at`.
pub(crate) fn delivery_at(row: &Row, at: usize) -> StoreResult<Delivery> {
    Ok(Delivery {
        id: DeliveryId::from_trusted(row.col(at)?),
        msg_id: MessageId::from_trusted(row.col(at + 1)?),
        endpoint_id: EndpointId::from_trusted(row.col(at + 2)?),
        app_id: AppId::from_trusted(row.col(at + 3)?),
        status: status(row, at + 4)?,
        attempt_count: row.int(at + 5)?,
        next_attempt_at: row.opt_ts(at + 6)?,
        created_at: row.ts(at + 7)?,
        updated_at: row.ts(at + 8)?,
    })
}

pub(crate) fn attempt(row: &Row) -> StoreResult<Attempt> {
    Ok(Attempt {
        id: AttemptId::from_trusted(row.col(0)?),
        delivery_id: DeliveryId::from_trusted(row.col(1)?),
        msg_id: MessageId::from_trusted(row.col(2)?),
        endpoint_id: EndpointId::from_trusted(row.col(3)?),
        app_id: AppId::from_trusted(row.col(4)?),
        url: row.col(5)?,
        status: status(row, 6)?,
        response_status_code: row.int(7)?,
        response: row.col(8)?,
        response_duration_ms: row.col(9)?,
        trigger_type: TriggerType::from_code(row.col(10)?),
        attempt_number: row.int(11)?,
        next_attempt_at: row.opt_ts(12)?,
        error_code: row.col(13)?,
        created_at: row.ts(14)?,
    })
}

/// Maps every row, stopping at the first that does not read.
pub(crate) fn all<T>(rows: Vec<Row>, map: impl Fn(&Row) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(map).collect()
}
