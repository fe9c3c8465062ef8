// Waves from the board: the plan of a wave, shown for confirmation before it starts, and the recent waves.
import { useState } from 'react';
import { api, describe, wsPath } from '../lib/api';
import { ago } from '../lib/format';
import { Link, navigate } from '../lib/router';
import type { Page, Wave, WavePlan } from '../lib/types';
import { Badge, Dialog, ErrorText } from '../components/ui';
import { planLines } from './model';

export type PlannedWave = { tasks: number[]; plan: WavePlan };

export function WavePlanDialog({ workspace, planned, name, onClose }: {
  workspace: string; planned: PlannedWave | null; name: (id: number) => string; onClose: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const lines = planned && planLines(planned.plan, name);

  const start = async () => {
    if (!planned) return;
    setBusy(true);
    setError(null);
    try {
      const wave = await api<Wave>(wsPath(workspace, '/waves'), { body: { tasks: planned.tasks, maxParallel: planned.plan.maxParallel } });
      navigate(`/w/${encodeURIComponent(workspace)}/waves/${wave.id}`);
    } catch (e) {
      setError(describe(e));
      setBusy(false);
    }
  };
  const close = () => {
    setError(null);
    onClose();
  };

  return (
    <Dialog open={planned !== null} onClose={close} title="Plan of the wave">
      {lines && (
        <div className="wave-plan">
          <p className="muted">
            {planned!.tasks.length} tasks, at most {planned!.plan.maxParallel} at once, in dependency order:
          </p>
          <ul className="plan-waves">
            {lines.waves.map((w) => <li key={w}>{w}</li>)}
          </ul>
          {lines.blocked.length > 0 && (
            <div className="plan-blocked" role="note">
              <strong>Held back</strong>
              <ul>{lines.blocked.map((b) => <li key={b}>{b}</li>)}</ul>
            </div>
          )}
          <ErrorText error={error} />
          <div className="row" style={{ justifyContent: 'flex-end' }}>
            <button type="button" onClick={close}>Cancel</button>
            <button type="button" className="primary" onClick={start} disabled={busy} autoFocus>Start wave</button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

/** A menu of the workspace's recent waves, fetched when opened. */
export function RecentWaves({ workspace }: { workspace: string }) {
  const [waves, setWaves] = useState<Wave[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => {
    api<Page<Wave>>(wsPath(workspace, '/waves')).then((p) => {
      setWaves(p.items);
      setError(null);
    }, (e) => setError(describe(e)));
  };
  const ws = encodeURIComponent(workspace);
  return (
    <details className="menu recent-waves" onToggle={(e) => (e.currentTarget.open ? load() : undefined)}>
      <summary>Recent waves</summary>
      <div className="menu-body">
        <ErrorText error={error} />
        {waves === null && !error && <p className="muted">Loading…</p>}
        {waves?.length === 0 && <p className="muted">No wave yet. Select tasks and plan one.</p>}
        {waves && waves.length > 0 && (
          <ul>
            {waves.map((w) => (
              <li key={w.id}>
                <Link to={`/w/${ws}/waves/${w.id}`}>Wave #{w.id}</Link> <Badge status={w.status} />
                <span className="muted"> {w.tasks.length} {w.tasks.length === 1 ? 'task' : 'tasks'}, {ago(w.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </details>
  );
}
