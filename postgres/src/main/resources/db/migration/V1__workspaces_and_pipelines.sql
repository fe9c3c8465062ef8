-- Workspaces isolate teams; until accounts exist there is one, "default".
CREATE TABLE workspace (
    name       text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO workspace (name) VALUES ('default');

-- A pipeline is a name; what it does lives in its immutable versions.
CREATE TABLE pipeline (
    workspace      text NOT NULL REFERENCES workspace (name),
    name           text NOT NULL,
    latest_version int  NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (workspace, name)
);

CREATE TABLE pipeline_version (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace  text NOT NULL,
    name       text NOT NULL,
    version    int  NOT NULL,
    source     text NOT NULL,          -- as applied (YAML or JSON), re-parsed when loaded
    digest     text NOT NULL,          -- SHA-256 of source: applying the same text twice makes no new version
    created_at timestamptz NOT NULL,
    UNIQUE (workspace, name, version),
    FOREIGN KEY (workspace, name) REFERENCES pipeline (workspace, name)
);
