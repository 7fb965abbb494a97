CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    uid TEXT UNIQUE,
    name TEXT NOT NULL,
    metadata TEXT NOT NULL,
    throttle_rate INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE event_types (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    archived INTEGER NOT NULL,
    deprecated INTEGER NOT NULL,
    schemas TEXT,
    feature_flag TEXT,
    group_name TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE endpoints (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    uid TEXT,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    event_types TEXT,
    channels TEXT,
    disabled INTEGER NOT NULL,
    throttle_rate INTEGER,
    metadata TEXT NOT NULL,
    headers TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (app_id, uid)
);
CREATE INDEX endpoints_by_app ON endpoints(app_id, id);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    event_id TEXT,
    channels TEXT,
    payload TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX messages_by_app ON messages(app_id, id);
CREATE UNIQUE INDEX messages_event_id ON messages(app_id, event_id) WHERE event_id IS NOT NULL;

CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    msg_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    endpoint_id TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
    app_id TEXT NOT NULL,
    status INTEGER NOT NULL,
    attempt_count INTEGER NOT NULL,
    next_attempt_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE UNIQUE INDEX deliveries_by_msg ON deliveries(msg_id, endpoint_id);
CREATE INDEX deliveries_by_endpoint ON deliveries(endpoint_id, msg_id);

CREATE TABLE attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    msg_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    url TEXT NOT NULL,
    status INTEGER NOT NULL,
    response_status_code INTEGER NOT NULL,
    response TEXT NOT NULL,
    response_duration_ms INTEGER NOT NULL,
    trigger_type INTEGER NOT NULL,
    attempt_number INTEGER NOT NULL,
    next_attempt_at INTEGER,
    error_code TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX attempts_by_delivery ON attempts(delivery_id);
CREATE INDEX attempts_by_msg ON attempts(msg_id, id);
CREATE INDEX attempts_by_endpoint ON attempts(endpoint_id, id)
