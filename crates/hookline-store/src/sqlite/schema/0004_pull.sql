-- The feed: a position per message in commit order, never reused (AUTOINCREMENT), so pull
-- consumers that read "after position p" can never miss a message committed late.
CREATE TABLE message_feed (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    msg_id TEXT NOT NULL UNIQUE REFERENCES messages(id) ON DELETE CASCADE,
    app_id TEXT NOT NULL
);
CREATE INDEX message_feed_by_app ON message_feed(app_id, seq);
INSERT INTO message_feed (msg_id, app_id) SELECT id, app_id FROM messages ORDER BY id;
-- Assigned inside the inserting transaction: the single writer commits in position order.
CREATE TRIGGER message_feed_append AFTER INSERT ON messages
BEGIN
    INSERT INTO message_feed (msg_id, app_id) VALUES (NEW.id, NEW.app_id);
END;

-- Where each consumer of a polling endpoint stands.
CREATE TABLE poller_consumers (
    endpoint_id TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
    consumer_id TEXT NOT NULL,
    committed INTEGER NOT NULL,
    leased_to INTEGER,
    lease_expires_at INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (endpoint_id, consumer_id)
) WITHOUT ROWID
