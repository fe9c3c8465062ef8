-- workspace (name, created_at). DDL: db/migration/V1__workspaces_and_pipelines.sql

-- name: WorkspaceExists
SELECT EXISTS (SELECT 1 FROM workspace WHERE name = :name)

-- name: WorkspaceAccount
SELECT account FROM workspace WHERE name = :workspace

-- name: AccountExists
SELECT 1 FROM account WHERE name = :name
