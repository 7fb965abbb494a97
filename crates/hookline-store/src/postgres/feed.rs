//! The feed and polling-endpoint consumers in PostgreSQL (`../sqlite/feed.rs`).
//!
//! Positions are `message_feed.seq`, given by the [`sequencer`] after the rows commit (see there
//! why that makes them follow commit order across nodes). Every read first has the sequencer
//! number what committed since, then reads numbered rows up to the head it returned.
//!
//! A consumer's state is one row written whole, and only if no other save came since it was
//! read (see [`consumers`]): of two nodes saving from the same read, one wins and the other is
//! refused, as on SQLite.

mod consumers;
mod sequencer;

use async_trait::async_trait;
use hookline_core::{AppId, EndpointId, MessageId, Timestamp};
use tokio_postgres::types::ToSql;

use super::PgStore;
use super::rows::{self, MESSAGE_COLUMNS, MESSAGE_WIDTH, RowExt};
use crate::StoreResult;
use crate::feed::{
    ConsumerState, ConsumerVersion, FeedBatch, FeedCondition, FeedItem, FeedPosition, FeedQuery,
    FeedSignal, FeedStore,
};

/// How many messages at or after a time are examined to find where that time starts in the
/// feed; messages created within the same few milliseconds can commit out of id order.
const SEEK_WINDOW: i64 = 1000;

/// The SQL of a feed read and its parameters.
fn read_query(
    query: &FeedQuery,
    head: FeedPosition,
) -> (String, Vec<Box<dyn ToSql + Sync + Send>>) {
    // An inbound event's message keeps no payload text: pull readers get the body received,
    // joined here rather than fetched per item.
    let mut sql = format!(
        "SELECT f.seq, {MESSAGE_COLUMNS}, i.body FROM message_feed f
         JOIN messages m ON m.id = f.msg_id
         LEFT JOIN inbound_events i ON i.msg_id = f.msg_id
             AND (m.payload IS NULL OR m.payload = '')
         WHERE f.seq > $1 AND f.seq <= $2"
    );
    let mut params: Vec<Box<dyn ToSql + Sync + Send>> = vec![
        Box::new(query.after.get() as i64),
        Box::new(head.get() as i64),
    ];
    if let Some(app) = &query.app {
        params.push(Box::new(app.to_string()));
        sql.push_str(&format!(" AND f.app_id = ${}", params.len()));
    } else {
        // The environment feed is the customers' events: internal applications (inbound
        // sources, operational webhooks) have their own logs.
        sql.push_str(" AND f.app_id IN (SELECT id FROM applications WHERE kind = 'customer')");
    }
    for condition in query.filter.conditions() {
        match condition {
            FeedCondition::EventTypeIn(types) => {
                let types: Vec<String> = types.iter().map(ToString::to_string).collect();
                params.push(Box::new(types));
                sql.push_str(&format!(" AND m.event_type = ANY(${})", params.len()));
            }
            FeedCondition::ChannelIn(channels) => {
                let channels: Vec<String> = channels.iter().map(ToString::to_string).collect();
                params.push(Box::new(channels));
                sql.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(m.channels::jsonb) c
                     WHERE c = ANY(${}))",
                    params.len()
                ));
            }
        }
    }
    params.push(Box::new(i64::from(query.limit) + 1));
    sql.push_str(&format!(" ORDER BY f.seq LIMIT ${}", params.len()));
    (sql, params)
}

async fn read(store: &PgStore, query: &FeedQuery) -> StoreResult<FeedBatch> {
    // Every position at or below the head is committed and visible to the query below, so the
    // rows it reads up to the head are complete, whatever commits meanwhile.
    let client = store.db.client().await?;
    let head = sequencer::sync(&client).await?;
    let (sql, params) = read_query(query, head);
    let params: Vec<&(dyn ToSql + Sync)> = params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect();
    let statement = client.prepare_cached(&sql).await?;
    let found = client.query(&statement, &params).await?;
    let mut items = found
        .iter()
        .map(|row| {
            let mut message = rows::message_at(row, 1)?;
            let body: Option<Vec<u8>> = row.col(1 + MESSAGE_WIDTH)?;
            if let Some(text) = body.and_then(|b| String::from_utf8(b).ok()) {
                message.payload = Some(text);
            }
            Ok(FeedItem {
                position: FeedPosition::new(row.col::<i64>(0)?.max(0) as u64),
                message,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let more = items.len() > query.limit as usize;
    items.truncate(query.limit as usize);
    let next = match items.last() {
        Some(last) if more => last.position,
        _ => head.max(query.after),
    };
    Ok(FeedBatch {
        items,
        next,
        done: !more,
        head,
    })
}

async fn position_at(
    store: &PgStore,
    app: Option<&AppId>,
    time: Timestamp,
) -> StoreResult<FeedPosition> {
    // The head first: a message of the window numbered after it gets a larger number, so
    // answering the head when the window has no numbered message yet skips nothing.
    let client = store.db.client().await?;
    let head = sequencer::sync(&client).await?;
    let floor = MessageId::floor_at(time.as_millis().max(0) as u64);
    let first: Option<i64> = match app {
        Some(app) => {
            let statement = client
                .prepare_cached(
                    "SELECT min(f.seq) FROM (SELECT id FROM messages WHERE app_id = $1
                     AND id >= $2 ORDER BY id LIMIT $3) x JOIN message_feed f ON f.msg_id = x.id",
                )
                .await?;
            client
                .query_one(&statement, &[&app.as_str(), &floor.as_str(), &SEEK_WINDOW])
                .await?
                .col(0)?
        }
        None => {
            let statement = client
                .prepare_cached(
                    "SELECT min(f.seq) FROM (SELECT id FROM messages WHERE id >= $1
                     ORDER BY id LIMIT $2) x JOIN message_feed f ON f.msg_id = x.id",
                )
                .await?;
            client
                .query_one(&statement, &[&floor.as_str(), &SEEK_WINDOW])
                .await?
                .col(0)?
        }
    };
    Ok(match first {
        Some(seq) => FeedPosition::new((seq - 1).max(0) as u64),
        None => head,
    })
}

#[async_trait]
impl FeedStore for PgStore {
    async fn read_feed(&self, query: FeedQuery) -> StoreResult<FeedBatch> {
        read(self, &query).await
    }

    async fn feed_head(&self) -> StoreResult<FeedPosition> {
        // Numbering first: a message committed before this call is below the head returned.
        sequencer::sync(&self.db.client().await?).await
    }

    async fn feed_position_at(
        &self,
        app: Option<&AppId>,
        time: Timestamp,
    ) -> StoreResult<FeedPosition> {
        position_at(self, app, time).await
    }

    fn feed_signal(&self) -> FeedSignal {
        self.feed.clone()
    }

    async fn get_consumer(
        &self,
        endpoint: &EndpointId,
        consumer_id: &str,
    ) -> StoreResult<Option<ConsumerState>> {
        consumers::get(&self.db, endpoint, consumer_id).await
    }

    async fn save_consumer(&self, state: ConsumerState) -> StoreResult<ConsumerVersion> {
        consumers::save(&self.db, &state).await
    }
}
