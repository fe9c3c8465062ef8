-- block_edge (from_block, to_block): from_block depends on to_block
-- DDL: db/migration/V12__blocks_and_waves.sql

-- name: BlockEdgeListByWorkspace
SELECT e.from_block, e.to_block
FROM block_edge e JOIN block b ON b.id = e.from_block
WHERE b.workspace = :workspace

-- name: BlockEdgeInsert
INSERT INTO block_edge (from_block, to_block) VALUES (:from_block, :to_block)
ON CONFLICT DO NOTHING

-- name: BlockEdgeDelete
DELETE FROM block_edge WHERE from_block = :from_block AND to_block = :to_block
