// The event feed: what happened, newest first, live. Filters are kept in the URL (?run=&status=&type=&step=)
// so a view can be shared; history before the page opened is read from the log's export.
import { useEffect, useMemo, useState } from 'react';
import { token, wsPath } from '../lib/api';
import { clock } from '../lib/format';
import { useLive } from '../lib/live';
import { Link, setQuery, useLocation } from '../lib/router';
import type { LoggedEvent } from '../lib/types';
import { Empty, ErrorText } from '../components/ui';

/** How far back the feed reads when it is not about one run. */
const BACKFILL = 1000;
const SHOWN = 500;

export function EventsPage({ workspace }: { workspace: string }) {
  const state = useLive();
  const { query } = useLocation();
  const run = query.get('run') ?? '';
  const status = query.get('status') ?? '';
  const type = query.get('type') ?? '';
  const step = query.get('step') ?? '';
  const logs = query.get('logs') === '1';
  const [history, setHistory] = useState<LoggedEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const ready = state.connection === 'live' || state.position > 0;

  useEffect(() => {
    if (!ready) return;
    const controller = new AbortController();
    const q = new URLSearchParams();
    if (/^\d+$/.test(run)) q.set('run', run);
    else q.set('since', String(Math.max(0, state.position - BACKFILL)));
    if (!logs) q.set('type', 'run.*,step.ready,step.started,step.retrying,step.succeeded,step.failed,step.skipped,step.canceled,step.continued,step.progress,decision.*,attention.*,liveness.*,spend.*,budget.*');
    const headers: Record<string, string> = { Accept: 'application/x-ndjson' };
    const t = token();
    if (t) headers.Authorization = `Bearer ${t}`;
    fetch(`${wsPath(workspace, '/events/export')}?${q}`, { headers, signal: controller.signal })
      .then(async (r) => {
        if (!r.ok) throw new Error(`the history could not be read (HTTP ${r.status}); showing events from now on`);
        setHistory((await r.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as LoggedEvent));
        setError(null);
      })
      .catch((e) => (e as Error).name !== 'AbortError' && setError((e as Error).message));
    return () => controller.abort();
    // Read once per server-side filter (run, output); the other filters work on what the page has. Not on
    // every new position: the live feed brings those.
  }, [workspace, run, logs, ready]);

  const shown = useMemo(() => {
    const byId = new Map<number, LoggedEvent>();
    for (const e of history) byId.set(e.id, e);
    for (const e of state.feed) byId.set(e.id, e);
    const types = type.split(',').map((t) => t.trim()).filter(Boolean);
    const matches = (e: LoggedEvent) =>
      (!run || String(e.run) === run)
      && (!step || e.step === step)
      && (logs || e.type !== 'step.log')
      && (!status || e.type.slice(e.type.indexOf('.') + 1) === status)
      && (!types.length || types.some((t) => (t.endsWith('*') ? e.type.startsWith(t.slice(0, -1)) : e.type === t)));
    return [...byId.values()].filter(matches).sort((a, b) => b.id - a.id).slice(0, SHOWN);
  }, [history, state.feed, run, step, status, type, logs]);

  const base = `/w/${encodeURIComponent(workspace)}`;
  return (
    <div className="stack">
      <div className="row">
        <h1 className="grow">Events</h1>
        <label className="row">Run <input aria-label="Run" value={run} size={6} inputMode="numeric" onChange={(e) => setQuery({ run: e.target.value.replace(/\D/g, '') })} /></label>
        <label className="row">Step <input aria-label="Step" value={step} size={10} onChange={(e) => setQuery({ step: e.target.value })} /></label>
        <label className="row">Status
          <select aria-label="Status" value={status} onChange={(e) => setQuery({ status: e.target.value })}>
            <option value="">any</option>
            {['queued', 'started', 'ready', 'succeeded', 'failed', 'retrying', 'canceled', 'skipped', 'needs-you', 'requested', 'answered', 'raised', 'resolved'].map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label className="row">Type <input aria-label="Type" value={type} size={12} placeholder="run.*, step.failed" onChange={(e) => setQuery({ type: e.target.value })} /></label>
        <label className="row"><input type="checkbox" checked={logs} onChange={(e) => setQuery({ logs: e.target.checked ? '1' : null })} /> output</label>
      </div>
      <ErrorText error={error} />
      {shown.length === 0 ? (
        <Empty title={run || status || type || step ? 'No event matches these filters yet.' : 'Nothing has happened yet.'}>
          <p>Events appear here as runs start and steps change. <Link to={`${base}/runs`}>Start a run</Link>.</p>
        </Empty>
      ) : (
        <table aria-label="Events, newest first">
          <thead><tr><th>#</th><th>Time</th><th>Type</th><th>Run</th><th>Step</th><th>Details</th></tr></thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.id} data-event-id={e.id} data-type={e.type}>
                <td className="muted mono">{e.id}</td>
                <td className="muted">{clock(e.ts)}</td>
                <td><span className={`badge ${e.type.slice(e.type.indexOf('.') + 1)}`}>{e.type}</span></td>
                <td>{e.run !== undefined && <Link to={`${base}/runs/${e.run}`}>#{e.run}</Link>}</td>
                <td>{e.step && e.run !== undefined && <Link to={`${base}/runs/${e.run}?step=${encodeURIComponent(e.step)}`}>{e.step}{e.attempt && e.attempt > 1 ? ` ×${e.attempt}` : ''}</Link>}</td>
                <td className="mono" style={{ maxWidth: 420, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{summary(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function summary(e: LoggedEvent): string {
  const d = e.data;
  for (const key of ['error', 'prompt', 'summary', 'text', 'reason', 'outcome']) {
    if (typeof d[key] === 'string' && d[key]) return String(d[key]).slice(0, 300);
  }
  const keys = Object.keys(d);
  return keys.length ? JSON.stringify(d).slice(0, 300) : '';
}
