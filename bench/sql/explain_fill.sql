-- Fills a freshly migrated Hookline database with a large, plausible history for bench/explain:
-- 1,000 applications with 10 endpoints each, one of them a big customer (10% of the traffic to
-- one endpoint), 1,000,000 messages (one delivery and one attempt each, one feed row each, every
-- 10th received from an inbound source), 99% delivered, 1% waiting (half due now, half later). Ids are the
-- same shape as real ones (prefix + sortable text), times are Unix milliseconds over the last
-- ~11.5 days. Triggers are off during the fill (they would do per-row work the data already has).

\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET synchronous_commit = off;

INSERT INTO applications (id, uid, name, metadata, throttle_rate, created_at, updated_at, kind)
SELECT 'app_' || lpad(a::text, 22, '0'), 'customer-' || a, 'Customer ' || a, '{}', NULL,
       0, 0, 'customer'
FROM generate_series(0, 999) AS a;

INSERT INTO endpoints (id, app_id, uid, url, description, event_types, channels, disabled,
                       throttle_rate, metadata, headers, secret, created_at, updated_at)
SELECT 'ep_' || lpad(e::text, 23, '0'), 'app_' || lpad((e / 10)::text, 22, '0'), NULL,
       'https://receiver.example.com/' || e, '', NULL, NULL, FALSE, NULL, '{}', '{}',
       'hlenc1:sealed', 0, 0
FROM generate_series(0, 9999) AS e;

-- One big customer: every 10th message (i % 10 = 2) belongs to application 42 and goes to its
-- endpoint 425 (100,000 messages, the lists the queries read). Any other message i belongs to
-- application i % 1000 and goes to that application's endpoint (i / 1000) % 10 (~100 each).
CREATE TEMP TABLE fill AS
SELECT i,
       'msg_' || lpad(i::text, 23, '0') AS msg_id,
       'app_' || lpad(CASE WHEN i % 10 = 2 THEN 42 ELSE i % 1000 END::text, 22, '0') AS app_id,
       'ep_' || lpad(CASE WHEN i % 10 = 2 THEN 425
                          ELSE (i % 1000) * 10 + (i / 1000) % 10 END::text, 23, '0') AS endpoint_id,
       (extract(epoch FROM now()) * 1000)::bigint - (1000000 - i) * 1000 AS created_at
FROM generate_series(0, 999999) AS i;

INSERT INTO messages (id, app_id, event_type, event_id, channels, payload, created_at)
SELECT msg_id, app_id, 'invoice.paid', NULL, NULL, '{"invoice":' || i || '}', created_at
FROM fill;

-- Housekeeping keeps the history to the retention period: the oldest messages are about to go,
-- the oldest half hour of them with their payloads expired already.
UPDATE messages SET payload = NULL FROM fill WHERE messages.id = fill.msg_id AND fill.i < 1800;

INSERT INTO message_feed (msg_id, app_id, seq)
SELECT msg_id, app_id, i + 1 FROM fill;
SELECT setval('message_feed_seq', 1000000);

-- 1% waiting: every 100th message, due in the past for even ones, in the future for odd ones.
INSERT INTO deliveries (id, msg_id, endpoint_id, app_id, status, attempt_count,
                        next_attempt_at, created_at, updated_at, manual)
SELECT 'dlv_' || lpad(i::text, 23, '0'), msg_id, endpoint_id, app_id,
       CASE WHEN i % 100 = 0 THEN 1 ELSE 0 END, 1,
       CASE WHEN i % 100 <> 0 THEN NULL
            WHEN i % 200 = 0 THEN created_at + 60000
            ELSE (extract(epoch FROM now()) * 1000)::bigint + 3600000 END,
       created_at, created_at, FALSE
FROM fill;

INSERT INTO attempts (id, delivery_id, msg_id, endpoint_id, app_id, url, status,
                      response_status_code, response, response_duration_ms, trigger_type,
                      attempt_number, next_attempt_at, error_code, created_at)
SELECT 'atmpt_' || lpad(i::text, 21, '0'), 'dlv_' || lpad(i::text, 23, '0'), msg_id,
       endpoint_id, app_id, 'https://receiver.example.com/', CASE WHEN i % 100 = 0 THEN 2 ELSE 0 END,
       CASE WHEN i % 100 = 0 THEN 503 ELSE 200 END, '', 42, 0, 1, NULL, NULL, created_at + 50
FROM fill;

-- One inbound source whose requests are every 10th message (100,000 rows): as received, the
-- message itself keeps an empty payload.
INSERT INTO sources (id, uid, name, app_id, source_type, config, ingest_token, allowed_ips,
                     dedupe_window_secs, metadata, created_at, updated_at)
VALUES ('src_explain', NULL, 'Provider', 'app_' || lpad('0', 22, '0'), 'github', '{}',
        'token_explain', '[]', 86400, '{}', 0, 0);
INSERT INTO inbound_events (msg_id, source_id, content_type, headers, body, dedupe_key,
                            received_at)
SELECT msg_id, 'src_explain', 'application/json', '[]', '{"zen":1}'::bytea, NULL, created_at
FROM fill WHERE i % 10 = 0;
UPDATE messages SET payload = '' FROM fill WHERE messages.id = fill.msg_id AND fill.i % 10 = 0;

-- Every endpoint delivered to recently: owned by one of three nodes, with health on record.
INSERT INTO endpoint_owners (endpoint_id, node_id, lease_until)
SELECT 'ep_' || lpad(e::text, 23, '0'), 'node_' || (e % 3),
       (extract(epoch FROM now()) * 1000)::bigint - 60000
FROM generate_series(0, 9999) AS e;
INSERT INTO endpoint_health (endpoint_id, circuit, throttled_since, paused_until, reason,
                             updated_at)
SELECT 'ep_' || lpad(e::text, 23, '0'), 'closed', NULL, NULL, NULL, 0
FROM generate_series(0, 9999) AS e;

SET session_replication_role = origin;
ANALYZE;
