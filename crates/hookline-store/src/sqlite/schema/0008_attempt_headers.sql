-- The headers of each attempt, as sent (credential values withheld) and as answered, for
-- `GET .../attempt/{id}/headers`. Removed with their attempt.
CREATE TABLE attempt_headers (
    attempt_id TEXT PRIMARY KEY REFERENCES attempts(id) ON DELETE CASCADE,
    sent TEXT NOT NULL,
    response TEXT,
    sensitive TEXT NOT NULL
);
