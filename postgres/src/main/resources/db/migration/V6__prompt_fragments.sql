-- Prompt fragments of accounts and workspaces (built-in ones live in the code), one row per version.
CREATE TABLE prompt_fragment (
    scope      text NOT NULL,          -- account or workspace
    owner      text NOT NULL,          -- the account's or workspace's name
    name       text NOT NULL,
    version    int  NOT NULL,
    text       text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (scope, owner, name, version)
);

-- The version of each fragment a run uses, pinned the first time the run uses it.
CREATE TABLE run_fragment (
    run_id  bigint NOT NULL,
    name    text   NOT NULL,
    scope   text   NOT NULL,
    owner   text   NOT NULL,
    version int    NOT NULL,
    PRIMARY KEY (run_id, name)
);
