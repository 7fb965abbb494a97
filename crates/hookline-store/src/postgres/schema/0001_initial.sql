-- Hookline on PostgreSQL: the same model as the SQLite schema (sqlite/schema/0001-0008), in one
-- first version. Conventions: ids and JSON documents are TEXT (payloads keep their exact text),
-- every TEXT column is COLLATE "C" (ids sort by bytes, i.e. by creation time, whatever collation
-- the database was created with; cursors and replays rely on it),
-- every integer is BIGINT (times are Unix milliseconds), flags are BOOLEAN, bytes are BYTEA.

CREATE TABLE applications (
    id TEXT COLLATE "C" PRIMARY KEY,
    uid TEXT COLLATE "C" UNIQUE,
    name TEXT COLLATE "C" NOT NULL,
    metadata TEXT COLLATE "C" NOT NULL,
    throttle_rate BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- 'customer', or an internal application: 'source' (inbound forwarding), 'operational'.
    kind TEXT COLLATE "C" NOT NULL DEFAULT 'customer'
);
CREATE INDEX applications_by_kind ON applications(kind, id);

CREATE TABLE event_types (
    name TEXT COLLATE "C" PRIMARY KEY,
    description TEXT COLLATE "C" NOT NULL,
    archived BOOLEAN NOT NULL,
    deprecated BOOLEAN NOT NULL,
    schemas TEXT COLLATE "C",
    feature_flag TEXT COLLATE "C",
    group_name TEXT COLLATE "C",
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE endpoints (
    id TEXT COLLATE "C" PRIMARY KEY,
    app_id TEXT COLLATE "C" NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    uid TEXT COLLATE "C",
    url TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C" NOT NULL,
    event_types TEXT COLLATE "C",
    channels TEXT COLLATE "C",
    disabled BOOLEAN NOT NULL,
    throttle_rate BIGINT,
    metadata TEXT COLLATE "C" NOT NULL,
    headers TEXT COLLATE "C" NOT NULL,
    secret TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (app_id, uid)
);
CREATE INDEX endpoints_by_app ON endpoints(app_id, id);

CREATE TABLE messages (
    id TEXT COLLATE "C" PRIMARY KEY,
    app_id TEXT COLLATE "C" NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    event_type TEXT COLLATE "C" NOT NULL,
    event_id TEXT COLLATE "C",
    channels TEXT COLLATE "C",
    payload TEXT COLLATE "C",
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_by_app ON messages(app_id, id);
CREATE UNIQUE INDEX messages_event_id ON messages(app_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX messages_by_created ON messages(created_at);

CREATE TABLE deliveries (
    id TEXT COLLATE "C" PRIMARY KEY,
    -- Planning order (SQLite's rowid): ordered delivery sends an endpoint's deliveries in it.
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    msg_id TEXT COLLATE "C" NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    endpoint_id TEXT COLLATE "C" NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
    app_id TEXT COLLATE "C" NOT NULL,
    status BIGINT NOT NULL,
    attempt_count BIGINT NOT NULL,
    next_attempt_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- Re-queued by a person (resend, recover, replay): the next attempt is recorded as manual.
    manual BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX deliveries_seq ON deliveries(seq);
-- The claim walks due deliveries in due order and skips held-back endpoints on the index.
CREATE INDEX deliveries_due ON deliveries(next_attempt_at, endpoint_id)
    WHERE next_attempt_at IS NOT NULL;
CREATE UNIQUE INDEX deliveries_by_msg ON deliveries(msg_id, endpoint_id);
CREATE INDEX deliveries_by_endpoint ON deliveries(endpoint_id, msg_id);
-- Holding back one endpoint's due deliveries (pause, Retry-After) touches only that endpoint.
CREATE INDEX deliveries_endpoint_due ON deliveries(endpoint_id, next_attempt_at)
    WHERE next_attempt_at IS NOT NULL;
-- Ordered delivery: "is an earlier delivery to this endpoint still open?" is one index probe.
CREATE INDEX deliveries_endpoint_open ON deliveries(endpoint_id, seq) WHERE status IN (1, 3);

CREATE TABLE attempts (
    id TEXT COLLATE "C" PRIMARY KEY,
    delivery_id TEXT COLLATE "C" NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    msg_id TEXT COLLATE "C" NOT NULL,
    endpoint_id TEXT COLLATE "C" NOT NULL,
    app_id TEXT COLLATE "C" NOT NULL,
    url TEXT COLLATE "C" NOT NULL,
    status BIGINT NOT NULL,
    response_status_code BIGINT NOT NULL,
    response TEXT COLLATE "C" NOT NULL,
    response_duration_ms BIGINT NOT NULL,
    trigger_type BIGINT NOT NULL,
    attempt_number BIGINT NOT NULL,
    next_attempt_at BIGINT,
    error_code TEXT COLLATE "C",
    created_at BIGINT NOT NULL
);
CREATE INDEX attempts_by_delivery ON attempts(delivery_id);
CREATE INDEX attempts_by_msg ON attempts(msg_id, id);
CREATE INDEX attempts_by_endpoint ON attempts(endpoint_id, id);
CREATE INDEX attempts_by_created ON attempts(created_at);

-- The headers of each attempt, as sent (credential values withheld) and as answered.
CREATE TABLE attempt_headers (
    attempt_id TEXT COLLATE "C" PRIMARY KEY REFERENCES attempts(id) ON DELETE CASCADE,
    sent TEXT COLLATE "C" NOT NULL,
    response TEXT COLLATE "C",
    sensitive TEXT COLLATE "C" NOT NULL
);

-- Per-endpoint delivery settings (Hookline extension): ordering, concurrency, timeout, schedule.
CREATE TABLE endpoint_delivery_settings (
    endpoint_id TEXT COLLATE "C" PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
    ordered BOOLEAN NOT NULL,
    max_concurrency BIGINT,
    timeout_ms BIGINT,
    retry_schedule TEXT COLLATE "C",
    updated_at BIGINT NOT NULL
);

-- What the engine last decided about an endpoint's traffic (circuit breaker, slow-down).
CREATE TABLE endpoint_health (
    endpoint_id TEXT COLLATE "C" PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
    circuit TEXT COLLATE "C" NOT NULL,
    throttled_since BIGINT,
    paused_until BIGINT,
    reason TEXT COLLATE "C",
    updated_at BIGINT NOT NULL
);

-- Which node delivers to an endpoint, and until when (many nodes on one database): one owner at
-- a time keeps every per-endpoint limit (concurrency, rate, order, circuit) exact across nodes.
CREATE TABLE endpoint_owners (
    endpoint_id TEXT COLLATE "C" PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
    node_id TEXT COLLATE "C" NOT NULL,
    lease_until BIGINT NOT NULL
);

-- Retry schedules per event type (delays in milliseconds, JSON array).
CREATE TABLE event_type_retry_schedules (
    event_type TEXT COLLATE "C" PRIMARY KEY REFERENCES event_types(name) ON DELETE CASCADE,
    retry_schedule TEXT COLLATE "C" NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Event types whose message payloads are checked against their schema on ingest.
CREATE TABLE event_type_validation (
    name TEXT COLLATE "C" PRIMARY KEY REFERENCES event_types(name) ON DELETE CASCADE,
    enabled BOOLEAN NOT NULL
);

-- Long-running jobs (recover, replay) and their progress.
CREATE TABLE background_tasks (
    id TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    params TEXT COLLATE "C" NOT NULL,
    data TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX background_tasks_by_status ON background_tasks(status, id);

-- The auto-disable clock: since when an endpoint's deliveries keep exhausting their retries
-- with no success in between (kept by the triggers below).
CREATE TABLE endpoint_failing (
    endpoint_id TEXT COLLATE "C" PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
    since BIGINT NOT NULL,
    last BIGINT NOT NULL
);
CREATE INDEX endpoint_failing_by_since ON endpoint_failing(since);

-- An attempt of a delivery re-queued by a person is recorded with the manual trigger type.
CREATE FUNCTION hookline_attempt_manual() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE deliveries SET manual = FALSE WHERE id = NEW.delivery_id AND manual;
    IF FOUND THEN
        NEW.trigger_type := 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER attempts_before_manual BEFORE INSERT ON attempts
    FOR EACH ROW EXECUTE FUNCTION hookline_attempt_manual();

-- Exhausted retries start (or extend) the auto-disable clock; any success stops it.
CREATE FUNCTION hookline_attempt_failing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 2 AND NEW.next_attempt_at IS NULL THEN
        INSERT INTO endpoint_failing (endpoint_id, since, last)
        VALUES (NEW.endpoint_id, NEW.created_at, NEW.created_at)
        ON CONFLICT (endpoint_id) DO UPDATE SET last = EXCLUDED.last;
    ELSIF NEW.status = 0 THEN
        DELETE FROM endpoint_failing WHERE endpoint_id = NEW.endpoint_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attempts_after_failing AFTER INSERT ON attempts
    FOR EACH ROW EXECUTE FUNCTION hookline_attempt_failing();

CREATE FUNCTION hookline_endpoint_enabled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM endpoint_failing WHERE endpoint_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER endpoints_after_enabled AFTER UPDATE OF disabled ON endpoints
    FOR EACH ROW WHEN (NOT NEW.disabled AND OLD.disabled)
    EXECUTE FUNCTION hookline_endpoint_enabled();

-- The feed: every customer message, in commit order, for pull consumers. Concurrent transactions
-- on many nodes commit in any order, so a row gets its position (`seq`) only after it committed:
-- the sequencer (postgres/feed.rs) numbers committed rows under a lock, in one short transaction,
-- so a reader that saw position p can never later find a row below p.
CREATE TABLE message_feed (
    msg_id TEXT COLLATE "C" PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    app_id TEXT COLLATE "C" NOT NULL,
    seq BIGINT UNIQUE,
    -- Insertion order: rows numbered together get positions in it, so messages one client
    -- creates one after another keep their order even within one millisecond (ids do not).
    appended BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE SEQUENCE message_feed_seq;
CREATE INDEX message_feed_by_app ON message_feed(app_id, seq) WHERE seq IS NOT NULL;
CREATE INDEX message_feed_unnumbered ON message_feed(appended) WHERE seq IS NULL;

CREATE FUNCTION hookline_feed_append() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO message_feed (msg_id, app_id) VALUES (NEW.id, NEW.app_id);
    -- The payload names the schema, so stores of other schemas (environments) ignore it.
    PERFORM pg_notify('hookline_feed', TG_TABLE_SCHEMA);
    RETURN NULL;
END $$;
-- Operational events are the operator's, not the product's: they stay out of the feed.
CREATE TRIGGER messages_after_feed AFTER INSERT ON messages
    FOR EACH ROW WHEN (NEW.app_id <> 'app_00000000000operational')
    EXECUTE FUNCTION hookline_feed_append();

-- Where each consumer of a polling endpoint stands.
CREATE TABLE poller_consumers (
    endpoint_id TEXT COLLATE "C" NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
    consumer_id TEXT COLLATE "C" NOT NULL,
    committed BIGINT NOT NULL,
    leased_to BIGINT,
    lease_expires_at BIGINT,
    updated_at BIGINT NOT NULL,
    -- Moved on by every save; a save is made only from the version it read (compare-and-set).
    version BIGINT NOT NULL,
    PRIMARY KEY (endpoint_id, consumer_id)
);

-- API keys: only the SHA-256 digest of each token is kept.
CREATE TABLE api_keys (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    app_id TEXT COLLATE "C" REFERENCES applications(id) ON DELETE CASCADE,
    read_only BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_keys_by_app ON api_keys(app_id) WHERE app_id IS NOT NULL;

-- Idempotency keys: one row per (principal, key); state 0 = in progress, 1 = completed.
CREATE TABLE idempotency_keys (
    scope TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    request_hash BYTEA NOT NULL,
    state BIGINT NOT NULL,
    status BIGINT,
    content_type TEXT COLLATE "C",
    body BYTEA,
    locked_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys(expires_at);

-- Inbound sources; each owns one application of kind 'source' holding its forwarding targets.
CREATE TABLE sources (
    id TEXT COLLATE "C" PRIMARY KEY,
    uid TEXT COLLATE "C" UNIQUE,
    name TEXT COLLATE "C" NOT NULL,
    app_id TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES applications(id) ON DELETE CASCADE,
    source_type TEXT COLLATE "C" NOT NULL,
    config TEXT COLLATE "C" NOT NULL,
    ingest_token TEXT COLLATE "C" NOT NULL UNIQUE,
    allowed_ips TEXT COLLATE "C" NOT NULL,
    dedupe_window_secs BIGINT NOT NULL,
    metadata TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The exact request behind each inbound message; deleted with its message.
CREATE TABLE inbound_events (
    msg_id TEXT COLLATE "C" PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    source_id TEXT COLLATE "C" NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    content_type TEXT COLLATE "C",
    headers TEXT COLLATE "C" NOT NULL,
    body BYTEA NOT NULL,
    dedupe_key TEXT COLLATE "C",
    received_at BIGINT NOT NULL
);
CREATE INDEX inbound_events_by_source ON inbound_events(source_id, msg_id);

-- Provider delivery ids seen recently, per source.
CREATE TABLE inbound_dedupe (
    source_id TEXT COLLATE "C" NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    dedupe_key TEXT COLLATE "C" NOT NULL,
    msg_id TEXT COLLATE "C" NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (source_id, dedupe_key)
);
CREATE INDEX inbound_dedupe_expiry ON inbound_dedupe(expires_at);

-- The internal application whose endpoints receive Hookline's own events.
INSERT INTO applications (id, uid, name, metadata, throttle_rate, created_at, updated_at, kind)
VALUES ('app_00000000000operational', NULL, 'Operational webhooks', '{}', NULL, 0, 0,
    'operational');

-- Newly planned deliveries wake every node's delivery engine (LISTEN hookline_due), so no node
-- polls for new work. The payload names the schema: only that schema's stores wake.
CREATE FUNCTION hookline_due_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hookline_due', TG_TABLE_SCHEMA);
    RETURN NULL;
END $$;
CREATE TRIGGER deliveries_after_insert_notify AFTER INSERT ON deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION hookline_due_notify();

-- ---------------------------------------------------------------------------------------------
-- Node agreement (used by the `hookline` binary, not by the store's traits). One row: a canary
-- sealed with the secrets key, holding the SHA-256 of the admin token. The first node to start
-- writes it; every later node must open it with its own key and find its own token's digest, so
-- a node configured with another HOOKLINE_SECRETS_KEY or HOOKLINE_ADMIN_TOKEN refuses to start
-- instead of sealing secrets no other node can open. `hookline migrate` replaces it to change the
-- admin token.
CREATE TABLE secrets_check (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    sealed TEXT COLLATE "C" NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Message tags, per-message payload retention and recovery after a manual replay (issue #4;
-- SQLite 0012_message_tags_retention.sql).
-- Tags (`MessageIn.tags`): a JSON array of names, like `channels`.
ALTER TABLE messages ADD COLUMN tags TEXT COLLATE "C";
-- A payload's own expiry (Unix ms) when the sender chose `payloadRetentionPeriod`; NULL follows
-- the server's retention setting. Retention finds due payloads through one of the two partial
-- indexes, each holding only payloads still there, so expired rows cost nothing.
ALTER TABLE messages ADD COLUMN payload_expires_at BIGINT;
CREATE INDEX messages_payload_expiry ON messages(payload_expires_at)
    WHERE payload IS NOT NULL AND payload_expires_at IS NOT NULL;
CREATE INDEX messages_payload_by_created ON messages(created_at)
    WHERE payload IS NOT NULL AND payload_expires_at IS NULL;
-- `message.attempt.failing` was sent for the delivery and it has not succeeded since: kept when
-- a person re-queues it, so its next success reports `message.attempt.recovered`.
ALTER TABLE deliveries ADD COLUMN failing_sent BOOLEAN NOT NULL DEFAULT FALSE;

-- The registry of environments (kept in the default environment's schema; each environment's
-- data is a schema of its own named after its id, so this table stays empty in theirs).
CREATE TABLE environments (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL
);
