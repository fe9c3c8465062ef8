-- block_run (block, run, created_at): the runs started for a task
-- DDL: db/migration/V12__blocks_and_waves.sql

-- name: BlockRunInsert
INSERT INTO block_run (block, run, created_at) VALUES (:block, :run, :now)
ON CONFLICT DO NOTHING

-- name: BlockRunLatestByWorkspace
SELECT r.block, max(r.run) AS run
FROM block_run r JOIN block b ON b.id = r.block
WHERE b.workspace = :workspace
GROUP BY r.block
