-- Inbound sources (issue #5). Internal applications: every source owns one application of kind
-- 'source' whose endpoints are its forwarding targets; /api/v1/app never shows them.
ALTER TABLE applications ADD COLUMN kind TEXT NOT NULL DEFAULT 'customer';

CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    uid TEXT UNIQUE,
    name TEXT NOT NULL,
    app_id TEXT NOT NULL UNIQUE REFERENCES applications(id) ON DELETE CASCADE,
    source_type TEXT NOT NULL,
    config TEXT NOT NULL,
    ingest_token TEXT NOT NULL UNIQUE,
    allowed_ips TEXT NOT NULL,
    dedupe_window_secs INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The exact request behind each inbound message; deleted with its message.
CREATE TABLE inbound_events (
    msg_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    content_type TEXT,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    dedupe_key TEXT,
    received_at INTEGER NOT NULL
);
CREATE INDEX inbound_events_by_source ON inbound_events(source_id, msg_id);

-- Provider delivery ids seen recently, per source; rows past expires_at are pruned as new ones
-- arrive.
CREATE TABLE inbound_dedupe (
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    dedupe_key TEXT NOT NULL,
    msg_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (source_id, dedupe_key)
);
CREATE INDEX inbound_dedupe_expiry ON inbound_dedupe(expires_at);
