// One wave: its status and limit, and each task with its status, its run and why it failed. It refreshes when
// one of its runs moves or a run is queued (the wave starting its next task), and every 2 s while it runs.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, describe, wsPath } from '../lib/api';
import { ago, clock } from '../lib/format';
import { live } from '../lib/live';
import { Link } from '../lib/router';
import type { Block, Page, Wave } from '../lib/types';
import { Badge, Empty, ErrorText } from '../components/ui';
import '../board/board.css';

const POLL_MS = 2000;
const SETTLE_MS = 300;

export function WavePage({ workspace, id }: { workspace: string; id: number }) {
  const [wave, setWave] = useState<Wave | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tasks, setTasks] = useState<ReadonlyMap<number, Block>>(new Map());
  const runs = useRef<ReadonlySet<number>>(new Set());
  const ws = encodeURIComponent(workspace);

  const load = useCallback(async () => {
    try {
      const w = await api<Wave>(wsPath(workspace, `/waves/${id}`));
      runs.current = new Set(w.tasks.flatMap((t) => (t.run === undefined || t.run === null ? [] : [t.run])));
      setWave(w);
      setError(null);
    } catch (e) {
      setError(describe(e));
    }
  }, [workspace, id]);

  useEffect(() => {
    setWave(null);
    void load();
    api<Page<Block>>(wsPath(workspace, '/blocks')).then((p) => setTasks(new Map(p.items.map((b) => [b.id, b]))), () => undefined);
  }, [workspace, load]);

  const running = wave?.status === 'running';
  useEffect(() => {
    if (!running) return;
    let settle = 0;
    const off = live.onEvent((e) => {
      const ours = e.type === 'run.queued' || (e.type.startsWith('run.') && e.run !== undefined && runs.current.has(e.run));
      if (!ours || settle) return;
      settle = window.setTimeout(() => {
        settle = 0;
        void load();
      }, SETTLE_MS);
    });
    const poll = window.setInterval(() => void load(), POLL_MS);
    return () => {
      off();
      clearTimeout(settle);
      clearInterval(poll);
    };
  }, [running, load]);

  if (!wave) {
    return error
      ? <Empty title={`Wave #${id} cannot be shown`}><p className="error">{error}</p><Link to={`/w/${ws}/board`}>Back to the board</Link></Empty>
      : <div className="empty" role="status">Loading the wave…</div>;
  }

  const counts = new Map<string, number>();
  for (const t of wave.tasks) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);

  return (
    <div className="stack wave-page">
      <div className="wave-head">
        <h1>Wave #{wave.id}</h1>
        <Badge status={wave.status} />
        <span>at most {wave.maxParallel} {wave.maxParallel === 1 ? 'task' : 'tasks'} at once</span>
        <span className="muted" title={clock(wave.createdAt)}>started {ago(wave.createdAt)}</span>
        {wave.finishedAt && <span className="muted">finished at {clock(wave.finishedAt)}</span>}
        <span className="grow" />
        <Link to={`/w/${ws}/board`}>Back to the board</Link>
      </div>
      <ErrorText error={error} />
      <p className="muted" aria-live="polite">
        {[...counts].map(([status, n]) => `${n} ${status}`).join(' · ')}
      </p>
      <table className="wave-tasks-table">
        <thead>
          <tr><th>#</th><th>Task</th><th>Status</th><th>Run</th><th>Error</th></tr>
        </thead>
        <tbody>
          {wave.tasks.map((t, i) => {
            const block = tasks.get(t.task);
            return (
              <tr key={t.task} data-task={t.task}>
                <td className="muted">{i + 1}</td>
                <td><Link to={`/w/${ws}/board?block=${t.task}`}>{block?.name ?? `task #${t.task}`}</Link></td>
                <td><Badge status={t.status} /></td>
                <td>{t.run ? <Link to={`/w/${ws}/runs/${t.run}`}>run #{t.run}</Link> : <span className="muted">not started</span>}</td>
                <td>{t.error ? <span className="error">{t.error}</span> : null}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
