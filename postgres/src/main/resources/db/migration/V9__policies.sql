-- A workspace's policy: immutable versions numbered from 1 in each workspace; the latest one decides.
CREATE TABLE policy_version (
    workspace  text NOT NULL REFERENCES workspace (name),
    version    int  NOT NULL CHECK (version > 0),
    source     text NOT NULL,          -- as applied (YAML or JSON), parsed and compiled when loaded
    digest     text NOT NULL,          -- SHA-256 of source: applying the latest version's text again makes no new version
    created_at timestamptz NOT NULL,
    PRIMARY KEY (workspace, version)
);
