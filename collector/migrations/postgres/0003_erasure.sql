-- Responses erased on request, and the index retention erases by (see ../sqlite/0004_erasure.sql).
CREATE TABLE erased_responses (
    id        TEXT NOT NULL PRIMARY KEY,
    erased_at TEXT NOT NULL
);

CREATE INDEX responses_by_received_at ON responses (received_at);
