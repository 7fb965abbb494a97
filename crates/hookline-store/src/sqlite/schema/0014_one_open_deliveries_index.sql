-- Every open delivery was kept in two per-endpoint indexes: `deliveries_endpoint_due`
-- (endpoint, due time) for holding an endpoint back, and `deliveries_endpoint_open`
-- (endpoint, status) for ordered delivery. Both hold the same rows (a delivery has a due time
-- exactly while it is pending or in flight), so every insert, lease and outcome paid for both.
-- Holding an endpoint back now walks its pending deliveries on `deliveries_endpoint_open`.
DROP INDEX deliveries_endpoint_due;
