// The fleet: every run in flight with its steps and a liveness mark, then the latest finished ones;
// filters live in the URL (?status=&pipeline=), and a run can be started from here.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, describe, wsPath } from '../lib/api';
import { ago, duration } from '../lib/format';
import { live, useLive, type LiveState } from '../lib/live';
import { Link, navigate, setQuery, useLocation } from '../lib/router';
import { elapsed, FINISHED_RUN } from '../lib/runs';
import type { Page, Pipeline, Run } from '../lib/types';
import { Badge, Dialog, Empty, ErrorText, useNow } from '../components/ui';

const STATUSES = ['queued', 'running', 'needs-you', 'paused', 'succeeded', 'failed', 'canceled'];

export function RunsPage({ workspace }: { workspace: string }) {
  const state = useLive();
  const { query } = useLocation();
  const status = query.get('status') ?? '';
  const pipeline = query.get('pipeline') ?? '';
  const [recent, setRecent] = useState<Run[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const now = useNow(1000);

  useEffect(() => {
    let timer = 0;
    const q = new URLSearchParams({ limit: '50' });
    if (status) q.set('status', status);
    if (pipeline) q.set('pipeline', pipeline);
    const load = () => api<Page<Run>>(wsPath(workspace, `/runs?${q}`)).then((p) => { setRecent(p.items); setError(null); }, (e) => setError(describe(e)));
    load();
    // A run that starts or ends changes the list; the live store keeps the rows themselves current.
    const off = live.onEvent((e) => {
      if (e.type === 'run.queued' || e.type === 'run.succeeded' || e.type === 'run.failed' || e.type === 'run.canceled') {
        clearTimeout(timer);
        timer = window.setTimeout(load, 300);
      }
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [workspace, status, pipeline]);

  const rows = useMemo(() => {
    const byId = new Map<number, Run>();
    for (const r of recent) byId.set(r.id, state.runs.get(r.id) ?? r);
    for (const r of state.runs.values()) if (!FINISHED_RUN.has(r.status)) byId.set(r.id, r);
    return [...byId.values()]
      .filter((r) => (!status || r.status === status) && (!pipeline || r.pipeline === pipeline))
      .sort((a, b) => Number(FINISHED_RUN.has(a.status)) - Number(FINISHED_RUN.has(b.status)) || b.id - a.id);
  }, [recent, state.runs, status, pipeline]);
  const inFlight = rows.filter((r) => !FINISHED_RUN.has(r.status)).length;

  return (
    <div className="stack">
      <div className="row">
        <h1 className="grow">Runs <span className="muted">· {inFlight} in flight</span></h1>
        <label className="row">Status
          <select value={status} onChange={(e) => setQuery({ status: e.target.value })} aria-label="Status">
            <option value="">any</option>
            {STATUSES.map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label className="row">Pipeline <input value={pipeline} onChange={(e) => setQuery({ pipeline: e.target.value })} size={12} aria-label="Pipeline filter" /></label>
        <button className="primary" onClick={() => setStarting(true)}>Start run</button>
      </div>
      <ErrorText error={error} />
      {rows.length === 0 ? (
        <Empty title={status || pipeline ? 'No run matches these filters.' : 'No runs yet.'}>
          {!status && !pipeline && <>
            <p>Apply a pipeline, then start it here or from a task on the board:</p>
            <pre>./agentry pipelines apply -f examples/hello.yaml{'\n'}./agentry run hello --wait</pre>
          </>}
        </Empty>
      ) : (
        <table>
          <thead><tr><th>Run</th><th>Pipeline</th><th>Status</th><th>Steps</th><th>Started</th><th>Took</th><th><span className="skip">Liveness</span></th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-run-id={r.id} className="clickable" onClick={() => navigate(`/w/${encodeURIComponent(workspace)}/runs/${r.id}`)}>
                <td><Link to={`/w/${encodeURIComponent(workspace)}/runs/${r.id}`} onClick={(e) => e.stopPropagation()}>#{r.id}</Link></td>
                <td>{r.pipeline}</td>
                <td><Badge status={r.status} /></td>
                <td><StepMarks run={r} /></td>
                <td className="muted">{ago(r.startedAt ?? r.createdAt, now)}</td>
                <td className="muted">{duration(elapsed(r.startedAt ?? r.createdAt, r.finishedAt, now))}</td>
                <td><Liveness run={r} state={state} now={now} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <StartRun workspace={workspace} open={starting} onClose={() => setStarting(false)} />
    </div>
  );
}

/** One small square per step, coloured by state, with the state in its tooltip. */
function StepMarks({ run }: { run: Run }) {
  if (!run.steps.length) return null;
  return (
    <span className="marks" aria-label={run.steps.map((s) => `${s.id} ${s.status}`).join(', ')}>
      {run.steps.slice(0, 40).map((s) => (
        <span key={s.id} className={`mark ${s.status}`} title={`${s.id}: ${s.status}${s.attempts > 1 ? ` ×${s.attempts}` : ''}`} />
      ))}
      {run.steps.length > 40 && <span className="muted">+{run.steps.length - 40}</span>}
    </span>
  );
}

/** Alive (heard from lately), quiet, or silent (a step stopped showing signs of life). */
function Liveness({ run, state, now }: { run: Run; state: LiveState; now: number }) {
  if (FINISHED_RUN.has(run.status)) return null;
  const silent = state.silent.get(run.id);
  if (silent && silent.size) return <span title={`silent: ${[...silent].join(', ')}`} className="error">⚠ silent</span>;
  if (run.status === 'needs-you') return <span className="muted">waiting for you</span>;
  const heard = state.heardAt.get(run.id);
  const fresh = heard !== undefined && now - heard < 15_000;
  return (
    <span className="conn" title={heard ? `last event ${ago(new Date(heard).toISOString(), now)}` : 'no event since the page opened'}>
      <span className={`dot ${fresh ? 'live pulse' : ''}`} /> {fresh ? 'active' : 'quiet'}
    </span>
  );
}

function StartRun({ workspace, open, onClose }: { workspace: string; open: boolean; onClose: () => void }) {
  const [pipelines, setPipelines] = useState<Pipeline[]>([]);
  const [name, setName] = useState('');
  const [inputs, setInputs] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [estimate, setEstimate] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    api<Page<Pipeline>>(wsPath(workspace, '/pipelines')).then((p) => {
      setPipelines(p.items);
      setName((n) => n || p.items[0]?.name || '');
    }, (e) => setError(describe(e)));
  }, [open, workspace]);
  const chosen = pipelines.find((p) => p.name === name);
  useEffect(() => {
    setEstimate(null);
    if (!chosen) return;
    api<{ estimateUsd: number; complete: boolean }>(wsPath(workspace, `/pipelines/${encodeURIComponent(chosen.name)}/estimate`))
      .then((e) => setEstimate(e.estimateUsd > 0 ? `about $${e.estimateUsd.toFixed(2)} in model calls${e.complete ? '' : ' (partly guessed)'}` : 'no model calls expected'), () => {});
  }, [workspace, chosen]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const given = Object.fromEntries(Object.entries(inputs).filter(([k, v]) => v !== '' && chosen?.inputs[k]));
      const run = await api<Run>(wsPath(workspace, '/runs'), { method: 'POST', body: { pipeline: name, inputs: given } });
      live.mergeRun(run);
      onClose();
      navigate(`/w/${encodeURIComponent(workspace)}/runs/${run.id}`);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onClose={onClose} title="Start a run">
      {pipelines.length === 0 && !error ? <p>No pipeline yet: <code>./agentry pipelines apply -f examples/hello.yaml</code></p> : (
        <form onSubmit={submit}>
          <div className="field">
            <label htmlFor="start-pipeline">Pipeline</label>
            <select id="start-pipeline" value={name} onChange={(e) => { setName(e.target.value); setInputs({}); }}>
              {pipelines.map((p) => <option key={p.name}>{p.name}</option>)}
            </select>
          </div>
          {chosen && Object.values(chosen.inputs).map((i) => (
            <div className="field" key={i.name}>
              <label htmlFor={`input-${i.name}`}>{i.name}{i.required ? ' (required)' : ''}</label>
              <input id={`input-${i.name}`} value={inputs[i.name] ?? ''} placeholder={i.defaultValue ?? ''} required={i.required}
                onChange={(e) => setInputs({ ...inputs, [i.name]: e.target.value })} />
              {i.description && <span className="muted">{i.description}</span>}
            </div>
          ))}
          {estimate && <p className="muted">Estimate: {estimate}</p>}
          <ErrorText error={error} />
          <div className="row" style={{ justifyContent: 'flex-end' }}>
            <button type="button" onClick={onClose}>Cancel</button>
            <button className="primary" disabled={busy || !name}>Start</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
