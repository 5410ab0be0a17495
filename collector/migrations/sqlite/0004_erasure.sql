-- Responses erased on the site owner's request (DELETE /admin/responses/{id}): only their ids,
-- so that a copy still waiting in a visitor's browser is acknowledged, not stored again.
CREATE TABLE erased_responses (
    id        TEXT NOT NULL PRIMARY KEY,
    erased_at TEXT NOT NULL  -- RFC 3339, UTC
) STRICT;

-- Retention (--retention-days) erases by the time a response was stored.
CREATE INDEX responses_by_received_at ON responses (received_at);
