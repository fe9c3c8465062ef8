-- secret (id, workspace, integration, name, version, ciphertext, wrapped_key, master_key_id, created_at, updated_at)
-- DDL: db/migration/V7__secrets_vault.sql

-- name: SecretNextId
SELECT nextval(pg_get_serial_sequence('secret', 'id')) AS id

-- name: SecretGetForUpdate
SELECT id, version
FROM secret
WHERE workspace = :workspace AND name = :name
FOR UPDATE

-- name: SecretInsert
INSERT INTO secret (id, workspace, integration, name, version, ciphertext, wrapped_key, master_key_id, created_at, updated_at)
VALUES (:id, :workspace, :integration, :name, 1, :ciphertext, :wrapped_key, :master_key_id, :now, :now)
ON CONFLICT (workspace, name) DO NOTHING
RETURNING workspace, name, integration, version, created_at, updated_at

-- name: SecretReplace
UPDATE secret
SET integration = :integration, version = version + 1, ciphertext = :ciphertext, wrapped_key = :wrapped_key,
    master_key_id = :master_key_id, updated_at = :now
WHERE id = :id
RETURNING workspace, name, integration, version, created_at, updated_at

-- name: SecretGet
SELECT id, workspace, name, integration, version, created_at, updated_at
FROM secret
WHERE workspace = :workspace AND name = :name

-- name: SecretList
SELECT workspace, name, integration, version, created_at, updated_at
FROM secret
WHERE workspace = :workspace
ORDER BY name

-- name: SecretGetSealed
SELECT id, workspace, name, ciphertext, wrapped_key, master_key_id
FROM secret
WHERE workspace = :workspace AND name = :name

-- name: SecretListSealed
SELECT id, workspace, name, ciphertext, wrapped_key, master_key_id
FROM secret
WHERE workspace = :workspace

-- name: SecretDelete
DELETE FROM secret WHERE workspace = :workspace AND name = :name

-- name: SecretListToRewrap
-- A batch of a rotation; rows a writer holds are left for the next batch.
SELECT id, wrapped_key, master_key_id
FROM secret
WHERE master_key_id <> :master_key_id
ORDER BY id
LIMIT :limit
FOR UPDATE SKIP LOCKED

-- name: SecretRewrap
UPDATE secret SET wrapped_key = :wrapped_key, master_key_id = :master_key_id WHERE id = :id

-- name: SecretCountByMasterKey
SELECT master_key_id, count(*) AS secrets
FROM secret
GROUP BY master_key_id
ORDER BY master_key_id
