-- Delivery lifecycle: replays, background tasks, the auto-disable clock, retention indexes.

-- A delivery re-queued by a person (resend, recover, replay): its next attempt is recorded
-- with the manual trigger type. The trigger below does that wherever attempts are recorded, so
-- the delivery engine does not need to know about replays.
ALTER TABLE deliveries ADD COLUMN manual INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER attempts_after_manual_replay AFTER INSERT ON attempts
WHEN (SELECT manual FROM deliveries WHERE id = NEW.delivery_id) = 1
BEGIN
    UPDATE attempts SET trigger_type = 1 WHERE id = NEW.id;
    UPDATE deliveries SET manual = 0 WHERE id = NEW.delivery_id;
END;

-- Long-running jobs (recover, replay) and their progress.
CREATE TABLE background_tasks (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    params TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX background_tasks_by_status ON background_tasks(status, id);

-- The auto-disable clock: since when an endpoint's deliveries keep exhausting their retries
-- with no success in between. Maintained by triggers so every writer of deliveries and
-- attempts keeps it right; the maintenance task disables endpoints whose clock ran out.
CREATE TABLE endpoint_failing (
    endpoint_id TEXT PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
    since INTEGER NOT NULL,
    last INTEGER NOT NULL
);
CREATE INDEX endpoint_failing_by_since ON endpoint_failing(since);

-- An attempt that failed with no next attempt exhausted its delivery's retries. Counting
-- attempts (not delivery states) keeps deliveries failed for other reasons (content expunged,
-- endpoint disabled) off the clock.
CREATE TRIGGER attempts_after_exhausted AFTER INSERT ON attempts
WHEN NEW.status = 2 AND NEW.next_attempt_at IS NULL
BEGIN
    INSERT INTO endpoint_failing (endpoint_id, since, last)
    VALUES (NEW.endpoint_id, NEW.created_at, NEW.created_at)
    ON CONFLICT (endpoint_id) DO UPDATE SET last = excluded.last;
END;

CREATE TRIGGER attempts_after_success AFTER INSERT ON attempts
WHEN NEW.status = 0
BEGIN
    DELETE FROM endpoint_failing WHERE endpoint_id = NEW.endpoint_id;
END;

CREATE TRIGGER endpoints_after_enabled AFTER UPDATE OF disabled ON endpoints
WHEN NEW.disabled = 0 AND OLD.disabled <> 0
BEGIN
    DELETE FROM endpoint_failing WHERE endpoint_id = NEW.id;
END;

-- Retention scans by age.
CREATE INDEX messages_by_created ON messages(created_at);
CREATE INDEX attempts_by_created ON attempts(created_at);

-- Event types whose message payloads are checked against their schema on ingest (off unless
-- listed with enabled = 1).
CREATE TABLE event_type_validation (
    name TEXT PRIMARY KEY REFERENCES event_types(name) ON DELETE CASCADE,
    enabled INTEGER NOT NULL
);
