-- Issue #4, the remaining lifecycle gaps.

-- Message tags (`MessageIn.tags`): a JSON array of names, like `channels`; listings and bulk
-- replays filter by them.
ALTER TABLE messages ADD COLUMN tags TEXT;

-- A payload's own expiry (Unix ms), set when the sender chose `payloadRetentionPeriod`; NULL
-- follows the server's retention setting. Retention finds due payloads through one of the two
-- partial indexes below, each holding only payloads still there, so expired rows cost nothing.
ALTER TABLE messages ADD COLUMN payload_expires_at INTEGER;
CREATE INDEX messages_payload_expiry ON messages(payload_expires_at)
    WHERE payload IS NOT NULL AND payload_expires_at IS NOT NULL;
CREATE INDEX messages_payload_by_created ON messages(created_at)
    WHERE payload IS NOT NULL AND payload_expires_at IS NULL;

-- `message.attempt.failing` was sent for this delivery and it has not succeeded since: set when
-- a person re-queues such a delivery (resend, recover, replay), so its next success reports
-- `message.attempt.recovered` even though its fresh schedule starts again at attempt 1.
ALTER TABLE deliveries ADD COLUMN failing_sent INTEGER NOT NULL DEFAULT 0;
