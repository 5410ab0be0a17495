-- Webhook deliveries waiting to be sent: written in the transaction that stores the response,
-- so that a committed response always has its deliveries (a transactional outbox), and deleted
-- once the receiver has answered 2xx.
CREATE TABLE webhook_deliveries (
    seq             INTEGER NOT NULL PRIMARY KEY,  -- order of creation
    url             TEXT    NOT NULL,
    event_id        TEXT    NOT NULL,  -- the response id: receivers deduplicate by it
    body            TEXT    NOT NULL,  -- the event, JSON, exactly as sent each time
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,  -- Unix time in ms: due, or leased until, then
    last_error      TEXT
) STRICT;

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms);
