-- wave_task (wave, task, position, status, run, error)
-- DDL: db/migration/V12__blocks_and_waves.sql

-- name: WaveTaskInsertMany
INSERT INTO wave_task (wave, task, position, status)
SELECT :wave, t.task, t.position, 'waiting'
FROM unnest(:tasks, :positions) AS t (task, position)

-- name: WaveTaskListByWave
SELECT task, position, status, run, error
FROM wave_task
WHERE wave = :wave
ORDER BY position

-- name: WaveTaskListByWaves
SELECT wave, task, position, status, run, error
FROM wave_task
WHERE wave = ANY(:waves)
ORDER BY wave, position

-- name: WaveTaskMove
UPDATE wave_task SET status = :to_status, run = coalesce(:run, run), error = :error
WHERE wave = :wave AND task = :task AND status = :from_status
