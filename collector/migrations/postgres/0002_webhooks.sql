-- Webhook deliveries waiting to be sent (see ../sqlite/0003_webhooks.sql).
CREATE TABLE webhook_deliveries (
    seq             BIGINT NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url             TEXT   NOT NULL,
    event_id        TEXT   NOT NULL,
    body            TEXT   NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    last_error      TEXT
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms);
