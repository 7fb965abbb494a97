\echo '### due_count'
PREPARE due_count(bigint) AS SELECT count(*) FROM deliveries WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $1;
EXPLAIN (COSTS OFF) EXECUTE due_count(extract(epoch FROM now())::bigint * 1000);
