-- Webhooks that start runs: a trigger maps a signed delivery's payload onto a pipeline's inputs.
-- The secret is held by the vault; a trigger names it and never stores it.
CREATE TABLE webhook_trigger (
    workspace   text    NOT NULL REFERENCES workspace (name),
    name        text    NOT NULL,
    pipeline    text    NOT NULL,
    format      text    NOT NULL CHECK (format IN ('github', 'generic')),
    secret_name text    NOT NULL,
    inputs      json    NOT NULL DEFAULT '{}',   -- input name -> expression; json keeps the order they were given in
    events      text[]  NOT NULL DEFAULT '{}',   -- empty: every event
    repository  text,
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (workspace, name)
);

-- The deliveries that started (or found) a run: a redelivery answers with the same run. Kept for a while
-- (seven days by default); past that the run's idempotency key still makes a redelivery the same run.
CREATE TABLE webhook_delivery (
    workspace   text   NOT NULL,
    trigger     text   NOT NULL,
    delivery_id text   NOT NULL,
    run_id      bigint NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (workspace, trigger, delivery_id),
    FOREIGN KEY (workspace, trigger) REFERENCES webhook_trigger (workspace, name) ON DELETE CASCADE
);
CREATE INDEX webhook_delivery_received_at ON webhook_delivery (received_at);
