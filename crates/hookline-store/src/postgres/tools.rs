//! The endpoint tools on PostgreSQL: example messages, statistics, counts, expunging content.

use async_trait::async_trait;
use hookline_core::model::{DeliveryStatus, Message};
use hookline_core::{AppId, DeliveryId, EndpointId, Timestamp};

use super::PgStore;
use super::rows::RowExt;
use crate::query::AttemptFilter;
use crate::tools::{EndpointStats, ToolsStore};
use crate::{StoreError, StoreResult};

/// The message an API caller names (by id or event id) in an application, as a subquery on
/// `$1` (application) and `$2` (id or event id).
const NAMED_MESSAGE: &str =
    "(SELECT m.id FROM messages m WHERE m.app_id = $1 AND (m.id = $2 OR m.event_id = $2) LIMIT 1)";

#[async_trait]
impl ToolsStore for PgStore {
    async fn create_message_for_endpoint(
        &self,
        message: Message,
        endpoint: &EndpointId,
    ) -> StoreResult<Message> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        // Planned for this endpoint only: the application's other endpoints are not asked.
        let insert_message = tx
            .prepare_cached(
                "INSERT INTO messages (id, app_id, event_type, event_id, channels, payload,
                 created_at) VALUES ($1, $2, $3, NULL, NULL, $4, $5)",
            )
            .await?;
        tx.execute(
            &insert_message,
            &[
                &message.id.as_str(),
                &message.app_id.as_str(),
                &message.event_type.as_str(),
                &message.payload,
                &message.created_at.as_millis(),
            ],
        )
        .await?;
        // The insert trigger notifies `hookline_due`, so every node's engine wakes on commit.
        let insert_delivery = tx
            .prepare_cached(
                "INSERT INTO deliveries (id, msg_id, endpoint_id, app_id, status, attempt_count,
                 next_attempt_at, created_at, updated_at, manual)
                 VALUES ($1, $2, $3, $4, $5, 0, $6, $6, $6, TRUE)",
            )
            .await?;
        tx.execute(
            &insert_delivery,
            &[
                &DeliveryId::generate().as_str(),
                &message.id.as_str(),
                &endpoint.as_str(),
                &message.app_id.as_str(),
                &DeliveryStatus::Pending.code(),
                &message.created_at.as_millis(),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(message)
    }

    async fn endpoint_stats(
        &self,
        app: &AppId,
        endpoint: &EndpointId,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
    ) -> StoreResult<EndpointStats> {
        let client = self.db.client().await?;
        let select = client
            .prepare_cached(
                "SELECT d.status, COUNT(*) FROM deliveries d JOIN messages m ON m.id = d.msg_id
                 WHERE d.endpoint_id = $1 AND d.app_id = $2 AND m.created_at >= $3
                   AND m.created_at < $4
                 GROUP BY d.status",
            )
            .await?;
        let rows = client
            .query(
                &select,
                &[
                    &endpoint.as_str(),
                    &app.as_str(),
                    &since.map_or(i64::MIN, Timestamp::as_millis),
                    &until.map_or(i64::MAX, Timestamp::as_millis),
                ],
            )
            .await?;
        let mut out = EndpointStats::default();
        for row in &rows {
            let count = row.col::<i64>(1)?.max(0) as u64;
            match DeliveryStatus::from_code(row.col(0)?) {
                Some(DeliveryStatus::Success) => out.success += count,
                Some(DeliveryStatus::Pending) => out.pending += count,
                Some(DeliveryStatus::Sending) => out.sending += count,
                Some(DeliveryStatus::Fail) => out.fail += count,
                None => {}
            }
        }
        Ok(out)
    }

    async fn count_attempts(
        &self,
        app: &AppId,
        filter: &AttemptFilter,
        cap: u64,
    ) -> StoreResult<(u64, bool)> {
        super::attempts::count(&self.db, app, filter, cap).await
    }

    async fn expunge_message_content(&self, app: &AppId, msg_id: &str) -> StoreResult<()> {
        let client = self.db.client().await?;
        let expunge = client
            .prepare_cached(&format!(
                "UPDATE messages SET payload = NULL WHERE id = {NAMED_MESSAGE}"
            ))
            .await?;
        if client.execute(&expunge, &[&app.as_str(), &msg_id]).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn expunge_attempt_content(
        &self,
        app: &AppId,
        msg_id: &str,
        attempt_id: &str,
    ) -> StoreResult<()> {
        let client = self.db.client().await?;
        let expunge = client
            .prepare_cached(&format!(
                "UPDATE attempts SET response = '' WHERE id = $3 AND msg_id = {NAMED_MESSAGE}"
            ))
            .await?;
        let changed = client
            .execute(&expunge, &[&app.as_str(), &msg_id, &attempt_id])
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
