CREATE TABLE run (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace       text   NOT NULL REFERENCES workspace (name),
    pipeline        text   NOT NULL,
    version_id      bigint NOT NULL REFERENCES pipeline_version (id),
    status          text   NOT NULL,
    inputs          jsonb  NOT NULL,
    idempotency_key text,
    rerun_of        bigint REFERENCES run (id),
    error           text,
    created_at      timestamptz NOT NULL,
    started_at      timestamptz,
    finished_at     timestamptz
);
CREATE UNIQUE INDEX run_idempotency_key ON run (workspace, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX run_by_workspace ON run (workspace, id DESC);
CREATE INDEX run_queued ON run (workspace, pipeline, id) WHERE status = 'queued';
CREATE INDEX run_active ON run (workspace, pipeline) WHERE status IN ('running', 'needs-you');

-- The step rows are the work queue: 'ready' rows are claimed with SKIP LOCKED under a lease.
CREATE TABLE step (
    run_id           bigint NOT NULL REFERENCES run (id),
    step_id          text   NOT NULL,
    position         int    NOT NULL,  -- the step's place in the definition (topological order)
    kind             text   NOT NULL,
    status           text   NOT NULL,
    attempts         int    NOT NULL DEFAULT 0,
    failures         int    NOT NULL DEFAULT 0,
    lost             int    NOT NULL DEFAULT 0,
    key_generation   int    NOT NULL DEFAULT 0,
    ready_at         timestamptz,
    due_at           timestamptz,  -- ready: not before; waiting: when the timer fires
    started_at       timestamptz,
    finished_at      timestamptz,
    lease_owner      text,
    lease_expires_at timestamptz,
    outputs          jsonb  NOT NULL DEFAULT '{}',
    error            text,
    decision_id      bigint,
    PRIMARY KEY (run_id, step_id)
);
CREATE INDEX step_ready ON step (due_at) WHERE status = 'ready';
CREATE INDEX step_timer ON step (due_at) WHERE status = 'waiting' AND due_at IS NOT NULL;
-- Running rows are few (bounded by the nodes' slots), so one small index serves both lease renewal (by
-- owner) and the expiry scan; every index on step costs an entry per claim.
CREATE INDEX step_running ON step (lease_owner) WHERE status = 'running';

-- One row per finished execution of a step, written when it ends: what every extra execution after a
-- crash is accounted against. The execution in progress is the step row (status running).
CREATE TABLE step_attempt (
    run_id         bigint NOT NULL,
    step_id        text   NOT NULL,
    attempt        int    NOT NULL,
    status         text   NOT NULL,
    node           text   NOT NULL,
    key_generation int    NOT NULL,
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz,
    error          text,
    exit_code      int,
    log            text,
    PRIMARY KEY (run_id, step_id, attempt),
    FOREIGN KEY (run_id, step_id) REFERENCES step (run_id, step_id)
);

CREATE SEQUENCE decision_id_seq;
CREATE TABLE decision (
    id          bigint PRIMARY KEY,
    workspace   text   NOT NULL,
    run_id      bigint NOT NULL REFERENCES run (id),
    step_id     text   NOT NULL,
    status      text   NOT NULL,
    prompt      text   NOT NULL,
    deadline_at timestamptz,
    comment     text,
    answered_by text,
    created_at  timestamptz NOT NULL,
    answered_at timestamptz
);
CREATE INDEX decision_pending ON decision (workspace, id) WHERE status = 'pending';
CREATE INDEX decision_by_run ON decision (run_id);

-- The outbox: every change above writes its event here in the same transaction.
CREATE TABLE event (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace text   NOT NULL,
    ts        timestamptz NOT NULL,
    type      text   NOT NULL,
    run_id    bigint,
    step_id   text,
    attempt   int,
    data      jsonb  NOT NULL DEFAULT '{}'
);
CREATE INDEX event_by_run ON event (run_id, id);
