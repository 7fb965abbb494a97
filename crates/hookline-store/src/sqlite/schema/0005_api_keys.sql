-- API keys: only the SHA-256 digest of each token is kept; the token is shown once at creation.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    app_id TEXT REFERENCES applications(id) ON DELETE CASCADE,
    read_only INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX api_keys_by_app ON api_keys(app_id) WHERE app_id IS NOT NULL;

-- Idempotency keys: one row per (principal, key); state 0 = in progress, 1 = completed.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    state INTEGER NOT NULL,
    status INTEGER,
    content_type TEXT,
    body BLOB,
    locked_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys(expires_at);
