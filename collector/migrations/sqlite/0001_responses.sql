-- Every definition the collector has served, by version, so that stored answers can always be
-- read against the questions their visitor saw, and so that a definition changed without a
-- version bump is caught at startup.
CREATE TABLE survey_versions (
    survey_id  TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    definition TEXT    NOT NULL,  -- canonical JSON
    first_seen TEXT    NOT NULL,  -- RFC 3339, UTC
    PRIMARY KEY (survey_id, version)
) STRICT;

-- One row per response id: a later complete response replaces its partial one in place.
CREATE TABLE responses (
    id             TEXT    NOT NULL PRIMARY KEY,  -- made in the browser; the idempotency key
    survey_id      TEXT    NOT NULL,
    survey_version INTEGER NOT NULL,
    partial        INTEGER NOT NULL CHECK (partial IN (0, 1)),
    answers        TEXT    NOT NULL,  -- JSON object, by question id
    context        TEXT    NOT NULL,  -- JSON object
    submitted_at   TEXT    NOT NULL,  -- RFC 3339, from the browser
    received_at    TEXT    NOT NULL,  -- RFC 3339, UTC, from the collector
    body           TEXT    NOT NULL   -- the whole response, canonical JSON
) STRICT;

-- Dashboard and export read one survey's responses oldest first.
CREATE INDEX responses_by_survey ON responses (survey_id, received_at);
