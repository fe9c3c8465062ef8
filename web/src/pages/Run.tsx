// One run, live: its pipeline as a graph of steps, a timeline of what ran when, the selected step's
// attempts and output, decisions waiting on it, its spend, and what can be done (cancel, retry, re-run).
import { useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlow, Background, Controls, MarkerType, type Edge } from '@xyflow/react';
import { api, describe, wsPath } from '../lib/api';
import { layoutDag } from '../lib/dag';
import { ago, clock, duration, usd } from '../lib/format';
import { live, useLive } from '../lib/live';
import { Link, navigate, setQuery, useLocation } from '../lib/router';
import { elapsed, FINISHED_RUN } from '../lib/runs';
import type { Pipeline, Run, Step } from '../lib/types';
import { Badge, Empty, ErrorText, useNow } from '../components/ui';
import { DecisionForm } from '../components/DecisionForm';
import { StepNode, type StepFlowNode } from '../run/StepNode';
import { StepLog } from '../run/StepLog';
import { Waterfall } from '../run/Waterfall';

const nodeTypes = { step: StepNode };

export function RunPage({ workspace, id }: { workspace: string; id: number }) {
  const state = useLive();
  const run = state.runs.get(id);
  const [pipeline, setPipeline] = useState<Pipeline | null>(null);
  const [error, setError] = useState<string | null>(null);
  const selected = useLocation().query.get('step');

  useEffect(() => {
    setError(null);
    api<Run>(wsPath(workspace, `/runs/${id}`)).then((r) => live.mergeRun(r), (e) => setError(describe(e)));
  }, [workspace, id]);
  useEffect(() => {
    if (!run?.pipeline || !run.version) return;
    api<Pipeline>(wsPath(workspace, `/pipelines/${encodeURIComponent(run.pipeline)}/versions/${run.version}`))
      .then(setPipeline, () => setPipeline(null));
  }, [workspace, run?.pipeline, run?.version]);

  if (error && !run) return <div className="screen"><Empty title={`Run ${id} cannot be shown`}><p className="error">{error}</p>
    <Link to={`/w/${encodeURIComponent(workspace)}/runs`}>All runs</Link></Empty></div>;
  if (!run) return <div className="empty">Loading run {id}…</div>;
  const step = selected ? run.steps.find((s) => s.id === selected) : undefined;
  const select = (s: string | null) => setQuery({ step: s });
  return (
    <div className="run-layout">
      <section className="run-graph" aria-label="Steps of the run">
        <RunGraph run={run} pipeline={pipeline} selected={selected} silent={state.silent.get(id)} onSelect={select} />
      </section>
      <section className="run-timeline" aria-label="Timeline">
        <h2>Timeline</h2>
        <Waterfall run={run} onSelect={select} />
      </section>
      <aside className="run-side">
        <RunHeader workspace={workspace} run={run} heardAt={state.heardAt.get(id)} />
        {[...state.decisions.values()].filter((d) => d.run === id).map((d) => (
          <DecisionForm key={d.id} workspace={workspace} decision={d}
            question={run.steps.find((s) => s.id === d.step)?.kind === 'agent'} />
        ))}
        {[...state.attention.values()].filter((a) => a.run === id).map((a) => (
          <div key={a.id} className="panel"><Badge status="needs-attention" /> {a.summary}{' '}
            <Link to={`/w/${encodeURIComponent(workspace)}/inbox`}>Resolve in the inbox</Link></div>
        ))}
        {step ? <StepPanel key={step.id} workspace={workspace} run={run} step={step} onClose={() => select(null)} />
          : <p className="muted">Select a step to see its attempts and output.</p>}
      </aside>
    </div>
  );
}

function RunGraph({ run, pipeline, selected, silent, onSelect }: {
  run: Run; pipeline: Pipeline | null; selected: string | null; silent?: ReadonlySet<string>; onSelect: (s: string) => void;
}) {
  const defs = useMemo(() => pipeline?.steps ?? run.steps.map((s) => ({ id: s.id, kind: s.kind, needs: [] as string[] })),
    // before the pipeline is read, the run's steps (without edges) are drawn; their ids do not change
    [pipeline, run.steps.length]);
  const placed = useMemo(() => layoutDag(defs), [defs]);
  const edges = useMemo<Edge[]>(() => defs.flatMap((d) => d.needs.map((n) => ({
    id: `${n}->${d.id}`, source: n, target: d.id, markerEnd: { type: MarkerType.ArrowClosed },
  }))), [defs]);
  // A node object per step object: a step event replaces one step, so only that node re-renders.
  const cache = useRef(new Map<string, StepFlowNode>());
  const nodes = useMemo(() => {
    const steps = new Map(run.steps.map((s) => [s.id, s]));
    return defs.map((d) => {
      const s: Step = steps.get(d.id) ?? { id: d.id, kind: d.kind, status: 'pending', attempts: 0 };
      const at = placed.get(d.id)!;
      const isSelected = d.id === selected;
      const isSilent = silent?.has(d.id) ?? false;
      const old = cache.current.get(d.id);
      if (old && old.data.step === s && old.data.selected === isSelected && old.data.silent === isSilent
        && old.position.x === at.x && old.position.y === at.y) return old;
      const node: StepFlowNode = { id: d.id, type: 'step', position: { x: at.x, y: at.y }, data: { step: s, selected: isSelected, silent: isSilent },
        draggable: false, connectable: false };
      cache.current.set(d.id, node);
      return node;
    });
  }, [defs, placed, run.steps, selected, silent]);
  const marked = useRef(false);
  useEffect(() => {
    if (marked.current || !nodes.length) return;
    marked.current = true;
    requestAnimationFrame(() => performance.mark('agentry:run-ready'));
  }, [nodes.length]);
  return (
    // Keyed by whether the pipeline's edges are known: the layout changes then, and a new instance fits it to view.
    <ReactFlow key={pipeline ? 'pipeline' : 'steps'} nodes={nodes} edges={edges} nodeTypes={nodeTypes} fitView fitViewOptions={{ maxZoom: 1.2 }} minZoom={0.05}
      nodesDraggable={false} nodesConnectable={false} onlyRenderVisibleElements
      onNodeClick={(_, n) => onSelect(n.id)} aria-label="Pipeline graph">
      <Background />
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}

function RunHeader({ workspace, run, heardAt }: { workspace: string; run: Run; heardAt?: number }) {
  const now = useNow(1000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [spend, setSpend] = useState<{ costUsd?: number; calls?: number } | null>(null);
  const finished = FINISHED_RUN.has(run.status);
  useEffect(() => {
    let timer = 0;
    const load = () => api<{ costUsd: number; calls: number }>(wsPath(workspace, `/runs/${run.id}/spend`))
      .then(setSpend, () => {});
    load();
    const off = live.onEvent((e) => {
      if (e.type === 'spend.recorded' && e.run === run.id) {
        clearTimeout(timer);
        timer = window.setTimeout(load, 500);
      }
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [workspace, run.id]);
  const act = async (action: 'cancel' | 'retry') => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<Run>(wsPath(workspace, `/runs/${run.id}/${action}`), { method: 'POST' });
      live.mergeRun(r);
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  const failed = run.steps.find((s) => s.status === 'failed');
  return (
    <div className="panel stack">
      <div className="row">
        <h1 className="grow">Run {run.id} <span className="muted">· {run.pipeline}{run.version ? ` v${run.version}` : ''}</span></h1>
        <span className={`badge ${run.status}`} data-run-status={run.status} data-status={run.status}>{run.status}</span>
      </div>
      <div className="muted">
        Started {clock(run.startedAt ?? run.createdAt)} · {duration(elapsed(run.startedAt ?? run.createdAt, run.finishedAt, now))}
        {!finished && heardAt ? ` · last event ${ago(new Date(heardAt).toISOString(), now)}` : ''}
        {spend?.calls ? ` · ${usd(spend.costUsd)} over ${spend.calls} model calls` : ''}
      </div>
      {run.error && <div className="error">{run.error}</div>}
      {run.inputs && Object.keys(run.inputs).length > 0 && (
        <div className="mono" style={{ fontSize: 12 }}>{Object.entries(run.inputs).map(([k, v]) => `${k}=${String(v)}`).join('  ')}</div>
      )}
      <ErrorText error={error} />
      <div className="row">
        {!finished && <button className="danger" disabled={busy} onClick={() => void act('cancel')}>Cancel run</button>}
        {(run.status === 'failed' || run.status === 'canceled') && (
          <button className="primary" disabled={busy} onClick={() => void act('retry')}
            title={failed ? `Runs ${failed.id} again, then what follows it` : undefined}>Retry from failed step</button>
        )}
        <Link to={`/w/${encodeURIComponent(workspace)}/events?run=${run.id}`}>Events of this run</Link>
      </div>
    </div>
  );
}

type AttemptView = { attempt: number; status: string; node?: string; startedAt?: string; finishedAt?: string; error?: string; exitCode?: number };

function StepPanel({ workspace, run, step, onClose }: { workspace: string; run: Run; step: Step; onClose: () => void }) {
  const now = useNow(1000);
  const [attempts, setAttempts] = useState<AttemptView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<{ attempts: AttemptView[] }>(wsPath(workspace, `/runs/${run.id}/steps/${encodeURIComponent(step.id)}`))
      .then((r) => setAttempts(r.attempts), () => setAttempts([]));
  }, [workspace, run.id, step.id, step.status, step.attempts]);
  const rerun = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<Run>(wsPath(workspace, `/runs/${run.id}/rerun`), { method: 'POST', body: { from: step.id } });
      live.mergeRun(r);
      navigate(`/w/${encodeURIComponent(workspace)}/runs/${r.id}?step=${encodeURIComponent(step.id)}`);
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  const outputs = Object.entries(step.outputs ?? {});
  return (
    <section className="panel stack" aria-label={`Step ${step.id}`}>
      <div className="row">
        <h2 className="grow" style={{ margin: 0 }}>{step.id} <span className="muted">({step.kind})</span></h2>
        <Badge status={step.status} />
        <button onClick={onClose} aria-label="Close the step">✕</button>
      </div>
      <div className="muted">
        {step.attempts} attempt{step.attempts === 1 ? '' : 's'}
        {step.startedAt ? ` · ${duration(elapsed(step.startedAt, step.finishedAt, now))}` : ''}
      </div>
      {step.error && <div className="error">{step.error}</div>}
      {attempts.length > 1 && (
        <table>
          <thead><tr><th>#</th><th>status</th><th>node</th><th>took</th></tr></thead>
          <tbody>{attempts.map((a) => (
            <tr key={a.attempt} title={a.error}><td>{a.attempt}</td><td><Badge status={a.status} /></td><td className="mono">{a.node}</td>
              <td>{duration(elapsed(a.startedAt, a.finishedAt, now))}</td></tr>
          ))}</tbody>
        </table>
      )}
      {outputs.length > 0 && (
        <details open>
          <summary>Outputs</summary>
          <table><tbody>{outputs.map(([k, v]) => (
            <tr key={k}><th>{k}</th><td className="mono" style={{ whiteSpace: 'pre-wrap' }}>{typeof v === 'string' ? v : JSON.stringify(v)}</td></tr>
          ))}</tbody></table>
        </details>
      )}
      <StepLog workspace={workspace} run={run.id} step={step} />
      <ErrorText error={error} />
      {FINISHED_RUN.has(run.status) && (
        <div><button disabled={busy} onClick={() => void rerun()}
          title="A new run of the same pipeline version: steps before this one reuse their results">Re-run from this step</button></div>
      )}
    </section>
  );
}
