-- Operational webhooks (issue #4): the internal application whose endpoints receive Hookline's
-- own events (endpoint.*, message.attempt.*). Its id is fixed so every writer finds it without a
-- lookup; `kind = 'operational'` keeps it out of /api/v1/app.
INSERT OR IGNORE INTO applications (id, uid, name, metadata, throttle_rate, created_at,
    updated_at, kind)
VALUES ('app_00000000000operational', NULL, 'Operational webhooks', '{}', NULL, 0, 0,
    'operational');

-- Operational events are the operator's, not the product's: they stay out of the message feed
-- (`/api/v1/events`), which 0007 fills for every message.
DROP TRIGGER message_feed_append;
CREATE TRIGGER message_feed_append AFTER INSERT ON messages
WHEN NEW.app_id <> 'app_00000000000operational'
BEGIN
    INSERT INTO message_feed (msg_id, app_id) VALUES (NEW.id, NEW.app_id);
END;
