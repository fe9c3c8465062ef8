-- Accounts own workspaces and the model budget. Until accounts can be created (the control issue), every
-- workspace belongs to "default".
CREATE TABLE account (
    name       text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO account (name) VALUES ('default');
ALTER TABLE workspace ADD COLUMN account text NOT NULL DEFAULT 'default' REFERENCES account (name);

-- A run-scoped token: what an agent shows the gateway instead of a provider key. Only its SHA-256 is kept.
CREATE TABLE gateway_token (
    token_hash      bytea PRIMARY KEY,
    run_id          bigint NOT NULL,
    step_id         text   NOT NULL,
    idempotency_key text   NOT NULL,
    workspace       text   NOT NULL,
    account         text   NOT NULL,
    provider        text   NOT NULL,
    expires_at      timestamptz NOT NULL,
    revoked         boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL
);
CREATE INDEX gateway_token_attempt ON gateway_token (idempotency_key);
CREATE INDEX gateway_token_expiry ON gateway_token (expires_at);

-- One model call the provider answered. Its prompt is stored as a delta: prompt_parent is the earlier call of the
-- run whose whole prompt is this prompt's first parent_items items; only the items after those are in
-- model_call_item. prompt_hash chains the items (h_i = sha256(h_{i-1} || item_i)) so a later call finds its parent
-- by the hash of a prefix.
CREATE TABLE model_call (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id             bigint NOT NULL,
    step_id            text   NOT NULL,
    idempotency_key    text   NOT NULL,
    workspace          text   NOT NULL,
    account            text   NOT NULL,
    provider           text   NOT NULL,
    api                text   NOT NULL,
    model              text   NOT NULL,
    input_tokens       bigint NOT NULL,
    output_tokens      bigint NOT NULL,
    cache_read_tokens  bigint NOT NULL,
    cache_write_tokens bigint NOT NULL,
    cost_usd           numeric(20, 9) NOT NULL,
    priced             boolean NOT NULL,
    latency_ms         bigint NOT NULL,
    status             int    NOT NULL,
    prompt_parent      bigint REFERENCES model_call (id),
    parent_items       int    NOT NULL,
    prompt_items       int    NOT NULL,
    prompt_hash        text   NOT NULL,   -- hex
    reply              text,
    month              text   NOT NULL,
    created_at         timestamptz NOT NULL
);
CREATE INDEX model_call_run ON model_call (run_id, id);
CREATE INDEX model_call_prompt ON model_call (run_id, prompt_hash);
CREATE INDEX model_call_step ON model_call (workspace, step_id, model);

CREATE TABLE model_call_item (
    call_id  bigint NOT NULL REFERENCES model_call (id) ON DELETE CASCADE,
    position int    NOT NULL,
    body     text   NOT NULL,
    PRIMARY KEY (call_id, position)
);

-- What was spent under a budget scope in a period ('2026-11' for accounts and workspaces, 'all' for runs),
-- kept with each call so admission reads three rows, not a month of calls.
CREATE TABLE spend_total (
    scope_kind text NOT NULL,
    scope_id   text NOT NULL,
    period     text NOT NULL,
    cost_usd   numeric(20, 9) NOT NULL,
    calls      bigint NOT NULL,
    PRIMARY KEY (scope_kind, scope_id, period)
);

CREATE TABLE budget (
    scope_kind     text NOT NULL,
    scope_id       text NOT NULL,
    limit_usd      numeric(20, 9),
    override_until timestamptz,
    warned_period  text,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (scope_kind, scope_id)
);

-- The built-in agent's conversation, checkpointed after every turn: each row holds only the messages its turn
-- appended, and the working tree's changes since the branch head as a git patch.
CREATE TABLE agent_checkpoint (
    idempotency_key text   NOT NULL,
    turn            int    NOT NULL,
    run_id          bigint NOT NULL,
    step_id         text   NOT NULL,
    messages        text[] NOT NULL,
    patch           text,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (idempotency_key, turn)
);
CREATE INDEX run_paused ON run (id) WHERE status = 'paused';
