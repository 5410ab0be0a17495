-- The tables of the SQLite schema (see ../sqlite/), in PostgreSQL's types. JSON is kept as the
-- collector wrote it (TEXT, not jsonb, which would reorder keys): exports give back exactly what
-- was stored, and a retried response is compared byte for byte. Times are RFC 3339 text in one
-- UTC form, YYYY-MM-DDTHH:MM:SS.sssZ, so that text order is time order; "C" collation keeps
-- that order independent of the server's locale.

-- Every definition the collector has served, by version.
CREATE TABLE survey_versions (
    survey_id  TEXT   NOT NULL,
    version    BIGINT NOT NULL,
    definition TEXT   NOT NULL,  -- canonical JSON
    first_seen TEXT   NOT NULL,  -- RFC 3339, UTC
    PRIMARY KEY (survey_id, version)
);

-- One row per response id: a later complete response replaces its partial one in place.
CREATE TABLE responses (
    id             TEXT    NOT NULL PRIMARY KEY,  -- made in the browser; the idempotency key
    -- Insertion order, the tie-breaker of received_at (SQLite's implicit rowid).
    rowid          BIGINT  GENERATED ALWAYS AS IDENTITY UNIQUE,
    survey_id      TEXT    COLLATE "C" NOT NULL,
    survey_version BIGINT  NOT NULL,
    partial        BOOLEAN NOT NULL,
    answers        TEXT    NOT NULL,  -- JSON object, by question id
    context        TEXT    NOT NULL,  -- JSON object
    submitted_at   TEXT    COLLATE "C" NOT NULL,  -- RFC 3339, UTC
    received_at    TEXT    COLLATE "C" NOT NULL,  -- RFC 3339, UTC, from the collector
    body           TEXT    NOT NULL   -- the whole response, canonical JSON
);

-- Dashboard and export read one survey's responses oldest first.
CREATE INDEX responses_by_survey ON responses (survey_id, received_at, rowid);
