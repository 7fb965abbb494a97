-- The registry of environments (kept in the default environment's database; each environment's
-- data is a database file of its own, so this table stays empty in theirs).
CREATE TABLE environments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
