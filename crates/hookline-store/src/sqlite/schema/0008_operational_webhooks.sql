-- Operational webhooks (issue #4): the internal application whose endpoints receive Hookline's
-- own events (endpoint.*, message.attempt.*). Its id is fixed so every writer finds it without a
-- lookup; `kind = 'operational'` keeps it out of /api/v1/app.
INSERT OR IGNORE INTO applications (id, uid, name, metadata, throttle_rate, created_at,
    updated_at, kind)
VALUES ('app_00000000000operational', NULL, 'Operational webhooks', '{}', NULL, 0, 0,
    'operational');
