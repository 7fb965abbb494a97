-- Per-endpoint delivery settings (Hookline extension): ordering, concurrency, timeout, schedule.
CREATE TABLE endpoint_delivery_settings (
    endpoint_id TEXT PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
    ordered INTEGER NOT NULL,
    max_concurrency INTEGER,
    timeout_ms INTEGER,
    retry_schedule TEXT,
    updated_at INTEGER NOT NULL
);

-- What the engine last decided about an endpoint's traffic (circuit breaker, slow-down).
CREATE TABLE endpoint_health (
    endpoint_id TEXT PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
    circuit TEXT NOT NULL,
    throttled_since INTEGER,
    paused_until INTEGER,
    reason TEXT,
    updated_at INTEGER NOT NULL
);

-- Retry schedules per event type (delays in milliseconds, JSON array).
CREATE TABLE event_type_retry_schedules (
    event_type TEXT PRIMARY KEY REFERENCES event_types(name) ON DELETE CASCADE,
    retry_schedule TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The claim walks due deliveries in due order and skips held-back endpoints without reading rows.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries(next_attempt_at, endpoint_id)
    WHERE next_attempt_at IS NOT NULL;
-- Holding back one endpoint's due deliveries (pause, Retry-After) touches only that endpoint.
CREATE INDEX deliveries_endpoint_due ON deliveries(endpoint_id, next_attempt_at)
    WHERE next_attempt_at IS NOT NULL;
-- Ordered delivery: "is an earlier delivery to this endpoint still open?" is one index probe.
CREATE INDEX deliveries_endpoint_open ON deliveries(endpoint_id, status) WHERE status IN (1, 3)
