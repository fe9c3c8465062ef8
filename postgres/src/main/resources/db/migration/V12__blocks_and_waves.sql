-- The board: services, modules and tasks, each under its parent; deleting a block deletes what sits under it.
CREATE TABLE block (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace   text   NOT NULL REFERENCES workspace (name),
    kind        text   NOT NULL CHECK (kind IN ('service', 'module', 'task')),
    parent      bigint REFERENCES block (id) ON DELETE CASCADE,
    name        text   NOT NULL,
    description text   NOT NULL DEFAULT '',
    repository  text,
    pipeline    text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX block_by_workspace ON block (workspace, id);
CREATE INDEX block_by_parent ON block (parent);

-- from_block depends on to_block. The application keeps the edges of a workspace free of cycles.
CREATE TABLE block_edge (
    from_block bigint NOT NULL REFERENCES block (id) ON DELETE CASCADE,
    to_block   bigint NOT NULL REFERENCES block (id) ON DELETE CASCADE,
    PRIMARY KEY (from_block, to_block),
    CHECK (from_block <> to_block)
);
CREATE INDEX block_edge_by_to ON block_edge (to_block);

-- The runs started for a task; its latest one decides its status.
CREATE TABLE block_run (
    block      bigint NOT NULL REFERENCES block (id) ON DELETE CASCADE,
    run        bigint NOT NULL REFERENCES run (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (block, run)
);

-- A wave runs tasks in dependency order, at most max_parallel at once; one node at a time advances it (lease).
CREATE TABLE wave (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace    text NOT NULL REFERENCES workspace (name),
    max_parallel int  NOT NULL CHECK (max_parallel > 0),
    status       text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    lease_owner  text,
    lease_until  timestamptz,
    created_at   timestamptz NOT NULL,
    finished_at  timestamptz
);
CREATE INDEX wave_running ON wave (id) WHERE status = 'running';

CREATE TABLE wave_task (
    wave     bigint NOT NULL REFERENCES wave (id) ON DELETE CASCADE,
    task     bigint NOT NULL REFERENCES block (id) ON DELETE CASCADE,
    position int    NOT NULL,
    status   text   NOT NULL CHECK (status IN ('waiting', 'in-progress', 'done', 'failed', 'blocked')),
    run      bigint REFERENCES run (id),
    error    text,
    PRIMARY KEY (wave, task)
);
