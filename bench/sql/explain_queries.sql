-- The PostgreSQL store's hot queries, for bench/explain. The texts are the store's own
-- (crates/hookline-store/src/postgres/, file and function named on each), as PostgreSQL received
-- them (`log_statement = all`) while a node served the API: listing builders rendered, format!
-- placeholders filled. Page size 51 is the API's default limit plus one. The values pick an
-- application, endpoint and message of bench/sql/explain_fill.sql; retention cutoffs are where
-- housekeeping (every minute) finds them in steady state: the oldest hour of history. When a
-- query changes in the store, change it here.
--
-- With `-v warm=true`, each query first runs six times in a transaction that is rolled back, so
-- the plan shown is the one a long-lived connection uses (PostgreSQL's default
-- plan_cache_mode=auto may switch a prepared statement to its generic plan after five runs),
-- and is run (EXPLAIN ANALYZE, rolled back) to show how many rows each step really read.

\set ON_ERROR_STOP on
\set QUIET on
\pset footer off

-- claim: deliveries.rs claim_due (CLAIM): due work for this node, oldest due first, 256 at a time
PREPARE claim AS
WITH found AS (
            -- Due, not blocked by this node's lanes, free for this node (nobody owns the
            -- endpoint, this node does, or the owner's lease ended), not behind an open
            -- delivery of an ordered endpoint.
            SELECT d.id, d.endpoint_id, d.msg_id, d.next_attempt_at AS due
            FROM deliveries d
            WHERE d.next_attempt_at <= $1
            AND d.endpoint_id <> ALL($3::text[])
            AND COALESCE((
                SELECT o.node_id = $4::text OR o.lease_until <= $1
                FROM endpoint_owners o WHERE o.endpoint_id = d.endpoint_id), TRUE)
            AND NOT (COALESCE((
                SELECT s.ordered FROM endpoint_delivery_settings s
                WHERE s.endpoint_id = d.endpoint_id), FALSE)
                AND EXISTS (
                    SELECT 1 FROM deliveries p WHERE p.endpoint_id = d.endpoint_id
                    AND p.status IN (1, 3) AND p.seq < d.seq))
            ORDER BY d.next_attempt_at
            LIMIT $2
            FOR UPDATE OF d SKIP LOCKED
        ), judged AS (
            -- Nothing to send when the endpoint was disabled or the payload expired.
            SELECT f.id, f.endpoint_id, f.due, x.dead
            FROM found f
            CROSS JOIN LATERAL (
                SELECT e.disabled OR m.payload IS NULL AS dead
                FROM endpoints e, messages m
                WHERE e.id = f.endpoint_id AND m.id = f.msg_id LIMIT 1) x
        ), free AS (
            -- The endpoints to own, held against deletion until commit (an endpoint being
            -- deleted is skipped, not waited for: its delete waits for our delivery locks).
            SELECT x.id
            FROM (SELECT DISTINCT endpoint_id FROM judged WHERE NOT dead) j
            CROSS JOIN LATERAL (
                SELECT e.id FROM endpoints e WHERE e.id = j.endpoint_id
                LIMIT 1 FOR KEY SHARE SKIP LOCKED) x
        ), owned AS (
            INSERT INTO endpoint_owners AS o (endpoint_id, node_id, lease_until)
            SELECT id, $4::text, $6::bigint FROM free ORDER BY id
            ON CONFLICT (endpoint_id) DO UPDATE
            SET node_id = EXCLUDED.node_id,
                lease_until = GREATEST(o.lease_until, EXCLUDED.lease_until)
            WHERE o.node_id = EXCLUDED.node_id OR o.lease_until <= $1
            RETURNING o.endpoint_id
        ), failed AS (
            UPDATE deliveries d
            SET status = 2, next_attempt_at = NULL, updated_at = $1
            WHERE d.id = ANY(ARRAY(SELECT id FROM judged WHERE dead))
        ), leased AS (
            UPDATE deliveries d
            SET status = 3, next_attempt_at = $5::bigint, updated_at = $1
            WHERE d.id = ANY(ARRAY(
                SELECT j.id FROM judged j JOIN owned o ON o.endpoint_id = j.endpoint_id
                WHERE NOT j.dead))
            RETURNING d.id, d.msg_id, d.endpoint_id, d.app_id, d.status, d.attempt_count, d.next_attempt_at, d.created_at, d.updated_at, d.seq
        )
        SELECT d.id, d.msg_id, d.endpoint_id, d.app_id, d.status, d.attempt_count, d.next_attempt_at, d.created_at, d.updated_at, m.id, m.app_id, m.event_type, m.event_id, m.channels, m.payload, m.created_at, m.tags, m.payload_expires_at, e.id, e.app_id, e.uid, e.url, e.description, e.event_types, e.channels, e.disabled, e.throttle_rate, e.metadata, e.headers, e.secret, e.created_at, e.updated_at, a.throttle_rate,
               s.ordered, s.max_concurrency, s.timeout_ms, s.retry_schedule, r.retry_schedule, h.circuit, h.throttled_since, h.paused_until, h.reason, h.updated_at,
               i.content_type, i.headers, i.body
        FROM leased d
        JOIN judged j ON j.id = d.id
        CROSS JOIN LATERAL (
            SELECT *, m.payload = '' AS maybe_inbound FROM messages m
            WHERE m.id = d.msg_id LIMIT 1) m
        CROSS JOIN LATERAL (
            SELECT * FROM endpoints e WHERE e.id = d.endpoint_id LIMIT 1) e
        CROSS JOIN LATERAL (
            SELECT a.throttle_rate FROM applications a WHERE a.id = e.app_id LIMIT 1) a
        LEFT JOIN LATERAL (
            SELECT * FROM endpoint_delivery_settings s
            WHERE s.endpoint_id = d.endpoint_id LIMIT 1) s ON TRUE
        LEFT JOIN LATERAL (
            SELECT r.retry_schedule FROM event_type_retry_schedules r
            WHERE r.event_type = m.event_type LIMIT 1) r ON TRUE
        LEFT JOIN LATERAL (
            SELECT * FROM endpoint_health h
            WHERE h.endpoint_id = d.endpoint_id LIMIT 1) h ON TRUE
        -- Inbound events are stored without payload text; their request is forwarded instead.
        LEFT JOIN LATERAL (
            SELECT i.content_type, i.headers, i.body FROM inbound_events i
            WHERE i.msg_id = d.msg_id AND m.maybe_inbound LIMIT 1) i ON TRUE
        ORDER BY j.due, d.seq;
\echo '### claim'
\if :warm
\o /dev/null
BEGIN;
EXECUTE claim((extract(epoch FROM now()) * 1000)::bigint, 256, '{}'::text[], 'node_explain', (extract(epoch FROM now()) * 1000)::bigint + 30000, (extract(epoch FROM now()) * 1000)::bigint + 40000);
EXECUTE claim((extract(epoch FROM now()) * 1000)::bigint, 256, '{}'::text[], 'node_explain', (extract(epoch FROM now()) * 1000)::bigint + 30000, (extract(epoch FROM now()) * 1000)::bigint + 40000);
EXECUTE claim((extract(epoch FROM now()) * 1000)::bigint, 256, '{}'::text[], 'node_explain', (extract(epoch FROM now()) * 1000)::bigint + 30000, (extract(epoch FROM now()) * 1000)::bigint + 40000);
EXECUTE claim((extract(epoch FROM now()) * 1000)::bigint, 256, '{}'::text[], 'node_explain', (extract(epoch FROM now()) * 1000)::bigint + 30000, (extract(epoch FROM now()) * 1000)::bigint + 40000);
EXECUTE claim((extract(epoch FROM now()) * 1000)::bigint, 256, '{}'::text[], 'node_explain', (extract(epoch FROM now()) * 1000)::bigint + 30000, (extract(epoch FROM now()) * 1000)::bigint + 40000);
EXECUTE claim((extract(epoch FROM now()) * 1000)::bigint, 256, '{}'::text[], 'node_explain', (extract(epoch FROM now()) * 1000)::bigint + 30000, (extract(epoch FROM now()) * 1000)::bigint + 40000);
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE claim((extract(epoch FROM now()) * 1000)::bigint, 256, '{}'::text[], 'node_explain', (extract(epoch FROM now()) * 1000)::bigint + 30000, (extract(epoch FROM now()) * 1000)::bigint + 40000);
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE claim((extract(epoch FROM now()) * 1000)::bigint, 256, '{}'::text[], 'node_explain', (extract(epoch FROM now()) * 1000)::bigint + 30000, (extract(epoch FROM now()) * 1000)::bigint + 40000);
\endif

-- next_due_after: engine.rs next_due_after: when the engine wakes next
PREPARE next_due_after AS
SELECT MIN(next_attempt_at) FROM deliveries WHERE next_attempt_at > $1;
\echo '### next_due_after'
\if :warm
\o /dev/null
BEGIN;
EXECUTE next_due_after((extract(epoch FROM now()) * 1000)::bigint);
EXECUTE next_due_after((extract(epoch FROM now()) * 1000)::bigint);
EXECUTE next_due_after((extract(epoch FROM now()) * 1000)::bigint);
EXECUTE next_due_after((extract(epoch FROM now()) * 1000)::bigint);
EXECUTE next_due_after((extract(epoch FROM now()) * 1000)::bigint);
EXECUTE next_due_after((extract(epoch FROM now()) * 1000)::bigint);
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE next_due_after((extract(epoch FROM now()) * 1000)::bigint);
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE next_due_after((extract(epoch FROM now()) * 1000)::bigint);
\endif

-- queue_depth: engine.rs queue_depth: the due count (and the scheduled count) of the queue gauges
PREPARE queue_depth AS
SELECT COUNT(*) FILTER (WHERE next_attempt_at <= $1),
       COUNT(*) FILTER (WHERE next_attempt_at > $1)
FROM deliveries WHERE next_attempt_at IS NOT NULL;
\echo '### queue_depth'
\if :warm
\o /dev/null
BEGIN;
EXECUTE queue_depth((extract(epoch FROM now()) * 1000)::bigint);
EXECUTE queue_depth((extract(epoch FROM now()) * 1000)::bigint);
EXECUTE queue_depth((extract(epoch FROM now()) * 1000)::bigint);
EXECUTE queue_depth((extract(epoch FROM now()) * 1000)::bigint);
EXECUTE queue_depth((extract(epoch FROM now()) * 1000)::bigint);
EXECUTE queue_depth((extract(epoch FROM now()) * 1000)::bigint);
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE queue_depth((extract(epoch FROM now()) * 1000)::bigint);
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE queue_depth((extract(epoch FROM now()) * 1000)::bigint);
\endif

-- record_delivery: deliveries.rs record_attempts: a delivery's new state
PREPARE record_delivery AS
UPDATE deliveries SET status = $2, attempt_count = $3, next_attempt_at = $4,
updated_at = $5 WHERE id = $1;
\echo '### record_delivery'
\if :warm
\o /dev/null
BEGIN;
EXECUTE record_delivery('dlv_' || lpad('500042', 23, '0'), 0, 2, NULL::bigint, (extract(epoch FROM now()) * 1000)::bigint);
EXECUTE record_delivery('dlv_' || lpad('500042', 23, '0'), 0, 2, NULL::bigint, (extract(epoch FROM now()) * 1000)::bigint);
EXECUTE record_delivery('dlv_' || lpad('500042', 23, '0'), 0, 2, NULL::bigint, (extract(epoch FROM now()) * 1000)::bigint);
EXECUTE record_delivery('dlv_' || lpad('500042', 23, '0'), 0, 2, NULL::bigint, (extract(epoch FROM now()) * 1000)::bigint);
EXECUTE record_delivery('dlv_' || lpad('500042', 23, '0'), 0, 2, NULL::bigint, (extract(epoch FROM now()) * 1000)::bigint);
EXECUTE record_delivery('dlv_' || lpad('500042', 23, '0'), 0, 2, NULL::bigint, (extract(epoch FROM now()) * 1000)::bigint);
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE record_delivery('dlv_' || lpad('500042', 23, '0'), 0, 2, NULL::bigint, (extract(epoch FROM now()) * 1000)::bigint);
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE record_delivery('dlv_' || lpad('500042', 23, '0'), 0, 2, NULL::bigint, (extract(epoch FROM now()) * 1000)::bigint);
\endif

-- hold_against_delete: engine.rs hold_against_delete: endpoints held before a record or hand-back
PREPARE hold_against_delete AS
SELECT 1 FROM endpoints WHERE id IN (SELECT unnest($1::text[])
             UNION SELECT endpoint_id FROM deliveries WHERE id = ANY($2::text[]))
             ORDER BY id FOR KEY SHARE;
\echo '### hold_against_delete'
\if :warm
\o /dev/null
BEGIN;
EXECUTE hold_against_delete(ARRAY['ep_' || lpad('425', 23, '0')], ARRAY['dlv_' || lpad('500042', 23, '0'), 'dlv_' || lpad('500043', 23, '0')]);
EXECUTE hold_against_delete(ARRAY['ep_' || lpad('425', 23, '0')], ARRAY['dlv_' || lpad('500042', 23, '0'), 'dlv_' || lpad('500043', 23, '0')]);
EXECUTE hold_against_delete(ARRAY['ep_' || lpad('425', 23, '0')], ARRAY['dlv_' || lpad('500042', 23, '0'), 'dlv_' || lpad('500043', 23, '0')]);
EXECUTE hold_against_delete(ARRAY['ep_' || lpad('425', 23, '0')], ARRAY['dlv_' || lpad('500042', 23, '0'), 'dlv_' || lpad('500043', 23, '0')]);
EXECUTE hold_against_delete(ARRAY['ep_' || lpad('425', 23, '0')], ARRAY['dlv_' || lpad('500042', 23, '0'), 'dlv_' || lpad('500043', 23, '0')]);
EXECUTE hold_against_delete(ARRAY['ep_' || lpad('425', 23, '0')], ARRAY['dlv_' || lpad('500042', 23, '0'), 'dlv_' || lpad('500043', 23, '0')]);
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE hold_against_delete(ARRAY['ep_' || lpad('425', 23, '0')], ARRAY['dlv_' || lpad('500042', 23, '0'), 'dlv_' || lpad('500043', 23, '0')]);
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE hold_against_delete(ARRAY['ep_' || lpad('425', 23, '0')], ARRAY['dlv_' || lpad('500042', 23, '0'), 'dlv_' || lpad('500043', 23, '0')]);
\endif

-- hold_endpoint: engine.rs HOLD_ENDPOINT: a paused endpoint's pending deliveries wait
PREPARE hold_endpoint AS
UPDATE deliveries SET next_attempt_at = $1
    WHERE endpoint_id = $2 AND status = 1 AND next_attempt_at < $1
    AND ($3::text IS NULL OR seq > (SELECT p.seq FROM deliveries p WHERE p.id = $3));
\echo '### hold_endpoint'
\if :warm
\o /dev/null
BEGIN;
EXECUTE hold_endpoint((extract(epoch FROM now()) * 1000)::bigint + 60000, 'ep_' || lpad('425', 23, '0'), NULL::text);
EXECUTE hold_endpoint((extract(epoch FROM now()) * 1000)::bigint + 60000, 'ep_' || lpad('425', 23, '0'), NULL::text);
EXECUTE hold_endpoint((extract(epoch FROM now()) * 1000)::bigint + 60000, 'ep_' || lpad('425', 23, '0'), NULL::text);
EXECUTE hold_endpoint((extract(epoch FROM now()) * 1000)::bigint + 60000, 'ep_' || lpad('425', 23, '0'), NULL::text);
EXECUTE hold_endpoint((extract(epoch FROM now()) * 1000)::bigint + 60000, 'ep_' || lpad('425', 23, '0'), NULL::text);
EXECUTE hold_endpoint((extract(epoch FROM now()) * 1000)::bigint + 60000, 'ep_' || lpad('425', 23, '0'), NULL::text);
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE hold_endpoint((extract(epoch FROM now()) * 1000)::bigint + 60000, 'ep_' || lpad('425', 23, '0'), NULL::text);
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE hold_endpoint((extract(epoch FROM now()) * 1000)::bigint + 60000, 'ep_' || lpad('425', 23, '0'), NULL::text);
\endif

-- messages_by_app: messages.rs list (GET /app/{app}/msg): the first page
PREPARE messages_by_app AS
SELECT m.id, m.app_id, m.event_type, m.event_id, m.channels, m.payload, m.created_at, m.tags, m.payload_expires_at FROM messages m WHERE m.app_id = $1 ORDER BY m.id DESC LIMIT 51;
\echo '### messages_by_app'
\if :warm
\o /dev/null
BEGIN;
EXECUTE messages_by_app('app_' || lpad('42', 22, '0'));
EXECUTE messages_by_app('app_' || lpad('42', 22, '0'));
EXECUTE messages_by_app('app_' || lpad('42', 22, '0'));
EXECUTE messages_by_app('app_' || lpad('42', 22, '0'));
EXECUTE messages_by_app('app_' || lpad('42', 22, '0'));
EXECUTE messages_by_app('app_' || lpad('42', 22, '0'));
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE messages_by_app('app_' || lpad('42', 22, '0'));
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE messages_by_app('app_' || lpad('42', 22, '0'));
\endif

-- messages_by_app_after_cursor: messages.rs list: a later page (iterator)
PREPARE messages_by_app_after_cursor AS
SELECT m.id, m.app_id, m.event_type, m.event_id, m.channels, m.payload, m.created_at, m.tags, m.payload_expires_at FROM messages m WHERE m.app_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT 51;
\echo '### messages_by_app_after_cursor'
\if :warm
\o /dev/null
BEGIN;
EXECUTE messages_by_app_after_cursor('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
EXECUTE messages_by_app_after_cursor('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
EXECUTE messages_by_app_after_cursor('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
EXECUTE messages_by_app_after_cursor('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
EXECUTE messages_by_app_after_cursor('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
EXECUTE messages_by_app_after_cursor('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE messages_by_app_after_cursor('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE messages_by_app_after_cursor('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
\endif

-- message_by_id_or_event_id: messages.rs get (GET /app/{app}/msg/{id})
PREPARE message_by_id_or_event_id AS
SELECT m.id, m.app_id, m.event_type, m.event_id, m.channels, m.payload, m.created_at, m.tags, m.payload_expires_at FROM messages m
WHERE m.app_id = $1 AND (m.id = $2 OR m.event_id = $2) LIMIT 1;
\echo '### message_by_id_or_event_id'
\if :warm
\o /dev/null
BEGIN;
EXECUTE message_by_id_or_event_id('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
EXECUTE message_by_id_or_event_id('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
EXECUTE message_by_id_or_event_id('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
EXECUTE message_by_id_or_event_id('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
EXECUTE message_by_id_or_event_id('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
EXECUTE message_by_id_or_event_id('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE message_by_id_or_event_id('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE message_by_id_or_event_id('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
\endif

-- attempts_by_endpoint: attempts.rs list (GET /app/{app}/attempt/endpoint/{ep})
PREPARE attempts_by_endpoint AS
SELECT x.id, x.delivery_id, x.msg_id, x.endpoint_id, x.app_id, x.url, x.status, x.response_status_code, x.response, x.response_duration_ms, x.trigger_type, x.attempt_number, x.next_attempt_at, x.error_code, x.created_at FROM attempts x JOIN messages m ON m.id = x.msg_id WHERE x.app_id = $1 AND x.endpoint_id = $2 ORDER BY x.id DESC LIMIT 51;
\echo '### attempts_by_endpoint'
\if :warm
\o /dev/null
BEGIN;
EXECUTE attempts_by_endpoint('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'));
EXECUTE attempts_by_endpoint('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'));
EXECUTE attempts_by_endpoint('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'));
EXECUTE attempts_by_endpoint('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'));
EXECUTE attempts_by_endpoint('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'));
EXECUTE attempts_by_endpoint('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'));
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE attempts_by_endpoint('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'));
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE attempts_by_endpoint('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'));
\endif

-- attempts_by_endpoint_after_cursor: attempts.rs list: a later page
PREPARE attempts_by_endpoint_after_cursor AS
SELECT x.id, x.delivery_id, x.msg_id, x.endpoint_id, x.app_id, x.url, x.status, x.response_status_code, x.response, x.response_duration_ms, x.trigger_type, x.attempt_number, x.next_attempt_at, x.error_code, x.created_at FROM attempts x JOIN messages m ON m.id = x.msg_id WHERE x.app_id = $1 AND x.endpoint_id = $2 AND x.id < $3 ORDER BY x.id DESC LIMIT 51;
\echo '### attempts_by_endpoint_after_cursor'
\if :warm
\o /dev/null
BEGIN;
EXECUTE attempts_by_endpoint_after_cursor('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'), 'atmpt_' || lpad('700042', 21, '0'));
EXECUTE attempts_by_endpoint_after_cursor('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'), 'atmpt_' || lpad('700042', 21, '0'));
EXECUTE attempts_by_endpoint_after_cursor('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'), 'atmpt_' || lpad('700042', 21, '0'));
EXECUTE attempts_by_endpoint_after_cursor('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'), 'atmpt_' || lpad('700042', 21, '0'));
EXECUTE attempts_by_endpoint_after_cursor('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'), 'atmpt_' || lpad('700042', 21, '0'));
EXECUTE attempts_by_endpoint_after_cursor('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'), 'atmpt_' || lpad('700042', 21, '0'));
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE attempts_by_endpoint_after_cursor('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'), 'atmpt_' || lpad('700042', 21, '0'));
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE attempts_by_endpoint_after_cursor('app_' || lpad('42', 22, '0'), 'ep_' || lpad('425', 23, '0'), 'atmpt_' || lpad('700042', 21, '0'));
\endif

-- attempts_by_message: attempts.rs list (GET /app/{app}/attempt/msg/{msg})
PREPARE attempts_by_message AS
SELECT x.id, x.delivery_id, x.msg_id, x.endpoint_id, x.app_id, x.url, x.status, x.response_status_code, x.response, x.response_duration_ms, x.trigger_type, x.attempt_number, x.next_attempt_at, x.error_code, x.created_at FROM attempts x JOIN messages m ON m.id = x.msg_id WHERE x.app_id = $1 AND x.msg_id = $2 ORDER BY x.id DESC LIMIT 51;
\echo '### attempts_by_message'
\if :warm
\o /dev/null
BEGIN;
EXECUTE attempts_by_message('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
EXECUTE attempts_by_message('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
EXECUTE attempts_by_message('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
EXECUTE attempts_by_message('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
EXECUTE attempts_by_message('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
EXECUTE attempts_by_message('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE attempts_by_message('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE attempts_by_message('app_' || lpad('42', 22, '0'), 'msg_' || lpad('500042', 23, '0'));
\endif

-- deliveries_by_endpoint: deliveries listing (GET /app/{app}/endpoint/{ep}/msg), a later page
PREPARE deliveries_by_endpoint AS
SELECT m.id, m.app_id, m.event_type, m.event_id, m.channels, m.payload, m.created_at, m.tags, m.payload_expires_at, d.id, d.msg_id, d.endpoint_id, d.app_id, d.status, d.attempt_count, d.next_attempt_at, d.created_at, d.updated_at FROM deliveries d
JOIN messages m ON m.id = d.msg_id WHERE d.endpoint_id = $1 AND d.app_id = $2 AND d.msg_id < $3 ORDER BY d.msg_id DESC LIMIT 51;
\echo '### deliveries_by_endpoint'
\if :warm
\o /dev/null
BEGIN;
EXECUTE deliveries_by_endpoint('ep_' || lpad('425', 23, '0'), 'app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
EXECUTE deliveries_by_endpoint('ep_' || lpad('425', 23, '0'), 'app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
EXECUTE deliveries_by_endpoint('ep_' || lpad('425', 23, '0'), 'app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
EXECUTE deliveries_by_endpoint('ep_' || lpad('425', 23, '0'), 'app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
EXECUTE deliveries_by_endpoint('ep_' || lpad('425', 23, '0'), 'app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
EXECUTE deliveries_by_endpoint('ep_' || lpad('425', 23, '0'), 'app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE deliveries_by_endpoint('ep_' || lpad('425', 23, '0'), 'app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE deliveries_by_endpoint('ep_' || lpad('425', 23, '0'), 'app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'));
\endif

-- deliveries_by_message: deliveries listing (GET /app/{app}/msg/{msg}/endpoint)
PREPARE deliveries_by_message AS
SELECT e.id, e.app_id, e.uid, e.url, e.description, e.event_types, e.channels, e.disabled, e.throttle_rate, e.metadata, e.headers, e.secret, e.created_at, e.updated_at, d.id, d.msg_id, d.endpoint_id, d.app_id, d.status, d.attempt_count, d.next_attempt_at, d.created_at, d.updated_at FROM deliveries d
JOIN endpoints e ON e.id = d.endpoint_id WHERE d.msg_id = $1 ORDER BY d.endpoint_id ASC LIMIT 51;
\echo '### deliveries_by_message'
\if :warm
\o /dev/null
BEGIN;
EXECUTE deliveries_by_message('msg_' || lpad('500042', 23, '0'));
EXECUTE deliveries_by_message('msg_' || lpad('500042', 23, '0'));
EXECUTE deliveries_by_message('msg_' || lpad('500042', 23, '0'));
EXECUTE deliveries_by_message('msg_' || lpad('500042', 23, '0'));
EXECUTE deliveries_by_message('msg_' || lpad('500042', 23, '0'));
EXECUTE deliveries_by_message('msg_' || lpad('500042', 23, '0'));
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE deliveries_by_message('msg_' || lpad('500042', 23, '0'));
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE deliveries_by_message('msg_' || lpad('500042', 23, '0'));
\endif

-- endpoints_by_app: endpoints.rs list (GET /app/{app}/endpoint)
PREPARE endpoints_by_app AS
SELECT e.id, e.app_id, e.uid, e.url, e.description, e.event_types, e.channels, e.disabled, e.throttle_rate, e.metadata, e.headers, e.secret, e.created_at, e.updated_at FROM endpoints e WHERE e.app_id = $1 ORDER BY e.id ASC LIMIT 51;
\echo '### endpoints_by_app'
\if :warm
\o /dev/null
BEGIN;
EXECUTE endpoints_by_app('app_' || lpad('42', 22, '0'));
EXECUTE endpoints_by_app('app_' || lpad('42', 22, '0'));
EXECUTE endpoints_by_app('app_' || lpad('42', 22, '0'));
EXECUTE endpoints_by_app('app_' || lpad('42', 22, '0'));
EXECUTE endpoints_by_app('app_' || lpad('42', 22, '0'));
EXECUTE endpoints_by_app('app_' || lpad('42', 22, '0'));
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE endpoints_by_app('app_' || lpad('42', 22, '0'));
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE endpoints_by_app('app_' || lpad('42', 22, '0'));
\endif

-- feed_app: feed.rs read_query (GET /app/{app}/events, pollers, streams): an application's feed after a position
PREPARE feed_app AS
SELECT f.seq, m.id, m.app_id, m.event_type, m.event_id, m.channels, m.payload, m.created_at, m.tags, m.payload_expires_at, i.body FROM message_feed f
         JOIN messages m ON m.id = f.msg_id
         LEFT JOIN inbound_events i ON i.msg_id = f.msg_id
             AND (m.payload IS NULL OR m.payload = '')
         WHERE f.seq > $1 AND f.seq <= $2 AND f.app_id = $3 ORDER BY f.seq LIMIT $4;
\echo '### feed_app'
\if :warm
\o /dev/null
BEGIN;
EXECUTE feed_app(900000, 1000000, 'app_' || lpad('42', 22, '0'), 51);
EXECUTE feed_app(900000, 1000000, 'app_' || lpad('42', 22, '0'), 51);
EXECUTE feed_app(900000, 1000000, 'app_' || lpad('42', 22, '0'), 51);
EXECUTE feed_app(900000, 1000000, 'app_' || lpad('42', 22, '0'), 51);
EXECUTE feed_app(900000, 1000000, 'app_' || lpad('42', 22, '0'), 51);
EXECUTE feed_app(900000, 1000000, 'app_' || lpad('42', 22, '0'), 51);
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE feed_app(900000, 1000000, 'app_' || lpad('42', 22, '0'), 51);
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE feed_app(900000, 1000000, 'app_' || lpad('42', 22, '0'), 51);
\endif

-- feed_environment: feed.rs read_query (GET /events): every customer application's feed after a position
PREPARE feed_environment AS
SELECT f.seq, m.id, m.app_id, m.event_type, m.event_id, m.channels, m.payload, m.created_at, m.tags, m.payload_expires_at, i.body FROM message_feed f
         JOIN messages m ON m.id = f.msg_id
         LEFT JOIN inbound_events i ON i.msg_id = f.msg_id
             AND (m.payload IS NULL OR m.payload = '')
         WHERE f.seq > $1 AND f.seq <= $2 AND f.app_id IN (SELECT id FROM applications WHERE kind = 'customer') ORDER BY f.seq LIMIT $3;
\echo '### feed_environment'
\if :warm
\o /dev/null
BEGIN;
EXECUTE feed_environment(900000, 1000000, 51);
EXECUTE feed_environment(900000, 1000000, 51);
EXECUTE feed_environment(900000, 1000000, 51);
EXECUTE feed_environment(900000, 1000000, 51);
EXECUTE feed_environment(900000, 1000000, 51);
EXECUTE feed_environment(900000, 1000000, 51);
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE feed_environment(900000, 1000000, 51);
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE feed_environment(900000, 1000000, 51);
\endif

-- feed_position_at: feed.rs position_at (a feed iterator from a time)
PREPARE feed_position_at AS
SELECT min(f.seq) FROM (SELECT id FROM messages WHERE app_id = $1
                     AND id >= $2 ORDER BY id LIMIT $3) x JOIN message_feed f ON f.msg_id = x.id;
\echo '### feed_position_at'
\if :warm
\o /dev/null
BEGIN;
EXECUTE feed_position_at('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'), 1000);
EXECUTE feed_position_at('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'), 1000);
EXECUTE feed_position_at('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'), 1000);
EXECUTE feed_position_at('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'), 1000);
EXECUTE feed_position_at('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'), 1000);
EXECUTE feed_position_at('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'), 1000);
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE feed_position_at('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'), 1000);
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE feed_position_at('app_' || lpad('42', 22, '0'), 'msg_' || lpad('700042', 23, '0'), 1000);
\endif

-- feed_unnumbered: feed/sequencer.rs: is anything waiting for a position
PREPARE feed_unnumbered AS
SELECT EXISTS (SELECT 1 FROM message_feed WHERE seq IS NULL);
\echo '### feed_unnumbered'
\if :warm
\o /dev/null
BEGIN;
EXECUTE feed_unnumbered;
EXECUTE feed_unnumbered;
EXECUTE feed_unnumbered;
EXECUTE feed_unnumbered;
EXECUTE feed_unnumbered;
EXECUTE feed_unnumbered;
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE feed_unnumbered;
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE feed_unnumbered;
\endif

-- retention_expire_payloads: maintenance.rs EXPIRE_PAYLOADS (housekeeping, every minute)
PREPARE retention_expire_payloads AS
UPDATE messages SET payload = NULL WHERE id IN (
    SELECT id FROM (SELECT id FROM messages
        WHERE payload IS NOT NULL AND payload_expires_at IS NOT NULL AND payload_expires_at <= $1
        ORDER BY payload_expires_at LIMIT $3 FOR NO KEY UPDATE SKIP LOCKED) by_own_expiry
    UNION ALL
    SELECT id FROM (SELECT id FROM messages
        WHERE payload IS NOT NULL AND payload_expires_at IS NULL AND created_at < $2
        ORDER BY created_at LIMIT $3 FOR NO KEY UPDATE SKIP LOCKED) by_age
    LIMIT $3);
\echo '### retention_expire_payloads'
\if :warm
\o /dev/null
BEGIN;
EXECUTE retention_expire_payloads((extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_expire_payloads((extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_expire_payloads((extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_expire_payloads((extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_expire_payloads((extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_expire_payloads((extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE retention_expire_payloads((extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE retention_expire_payloads((extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
\endif

-- retention_prune_attempts: maintenance.rs PRUNE_ATTEMPTS
PREPARE retention_prune_attempts AS
DELETE FROM attempts WHERE id IN (
    SELECT id FROM attempts WHERE created_at < $1
    ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED);
\echo '### retention_prune_attempts'
\if :warm
\o /dev/null
BEGIN;
EXECUTE retention_prune_attempts((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_prune_attempts((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_prune_attempts((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_prune_attempts((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_prune_attempts((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_prune_attempts((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE retention_prune_attempts((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE retention_prune_attempts((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
\endif

-- retention_prune_messages: maintenance.rs PRUNE_MESSAGES
PREPARE retention_prune_messages AS
DELETE FROM messages WHERE id IN (
    SELECT m.id FROM messages m WHERE m.created_at < $1 AND m.payload IS NULL
      AND NOT EXISTS (SELECT 1 FROM deliveries d
                      WHERE d.msg_id = m.id AND d.next_attempt_at IS NOT NULL)
    ORDER BY m.created_at LIMIT $2 FOR UPDATE OF m SKIP LOCKED);
\echo '### retention_prune_messages'
\if :warm
\o /dev/null
BEGIN;
EXECUTE retention_prune_messages((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_prune_messages((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_prune_messages((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_prune_messages((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_prune_messages((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
EXECUTE retention_prune_messages((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
ROLLBACK;
\o
BEGIN;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE retention_prune_messages((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
ROLLBACK;
\else
EXPLAIN (COSTS OFF) EXECUTE retention_prune_messages((extract(epoch FROM now()) * 1000)::bigint - 999000 * 1000, 1000);
\endif
