// The side panel: what the selection is and what can be done with it. One block: its form, its dependencies,
// and for a task its status, latest run, estimate and "Start run". Several: the tasks among them, for a wave.
import { memo, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, describe, wsPath } from '../lib/api';
import { Link, navigate } from '../lib/router';
import type { Block, BlockKind } from '../lib/types';
import { Badge, ErrorText } from '../components/ui';
import { byName, descendants, estimateText, validParents, type BoardIndex, type Estimate } from './model';

export type Labels = (b: Block) => string;

/** A block's name, with its id when another block has the same name, so every choice in a list is distinct. */
export function makeLabels(blocks: readonly Block[]): Labels {
  const seen = new Map<string, number>();
  for (const b of blocks) seen.set(b.name, (seen.get(b.name) ?? 0) + 1);
  return (b) => (seen.get(b.name)! > 1 ? `${b.name} (#${b.id})` : b.name);
}

const GROUPS: [BlockKind, string][] = [['service', 'Services'], ['module', 'Modules'], ['task', 'Tasks']];

/** Options for a select of blocks, grouped by kind; each option's text is the block's label. */
function BlockOptions({ blocks, label }: { blocks: readonly Block[]; label: Labels }) {
  return (
    <>
      {GROUPS.map(([kind, title]) => {
        const of = blocks.filter((b) => b.kind === kind);
        return of.length ? <optgroup key={kind} label={title}>{of.map((b) => <option key={b.id} value={b.id}>{label(b)}</option>)}</optgroup> : null;
      })}
    </>
  );
}

type Edits = { name?: string; description?: string; repository?: string | null; pipeline?: string | null; parent?: number | null };

export type PanelContext = {
  workspace: string;
  blocks: readonly Block[];
  index: BoardIndex;
  label: Labels;
  pipelines: readonly string[];
  repositories: readonly string[];
  reload: () => Promise<void>;
};

/**
 * The panel of one block. Keyed by the block's id: another block starts with a clean form. Memoised, as it
 * lists every block of the board in its selects.
 */
export const BlockPanel = memo(function BlockPanel({ ctx, block, onDelete, onSelectTasks }: {
  ctx: PanelContext; block: Block; onDelete: (b: Block) => void; onSelectTasks: (ids: number[]) => void;
}) {
  // Only what the user changed: fields they left alone keep following the server (a drag, another tab).
  const [edits, setEdits] = useState<Edits>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const parents = useMemo(() => validParents(block, ctx.blocks), [block, ctx.blocks]);
  const tasksUnder = useMemo(() => (block.kind === 'task' ? [] : descendants(block.id, ctx.index).filter((b) => b.kind === 'task')),
    [block, ctx.index]);
  const edit = (e: Edits) => setEdits((prev) => ({ ...prev, ...e }));
  const name = edits.name ?? block.name;
  const description = edits.description ?? block.description;
  const repository = edits.repository !== undefined ? edits.repository : block.repository ?? null;
  const pipeline = edits.pipeline !== undefined ? edits.pipeline : block.pipeline ?? null;
  const parent = edits.parent !== undefined ? edits.parent : block.parent ?? null;
  const id = `block-${block.id}`;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api(wsPath(ctx.workspace, `/blocks/${block.id}`), { method: 'PATCH', body: edits });
      setEdits({});
      await ctx.reload();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="board-panel-body" aria-label={`${block.kind} ${block.name}`}>
      <h2><span className="kind">{block.kind}</span> {block.name} <span className="muted mono">#{block.id}</span></h2>
      {block.kind === 'task' && <TaskRun ctx={ctx} block={block} />}
      <form onSubmit={save} className="board-form">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} value={name} required maxLength={200} onChange={(e) => edit({ name: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-description`}>Description</label>
          <textarea id={`${id}-description`} value={description} onChange={(e) => edit({ description: e.target.value })} />
        </div>
        {block.kind === 'service' && (
          <div className="field">
            <label htmlFor={`${id}-repository`}>Repository</label>
            <select id={`${id}-repository`} value={repository ?? ''} onChange={(e) => edit({ repository: e.target.value || null })}>
              <option value="">none (each pipeline's own)</option>
              {withCurrent(ctx.repositories, block.repository).map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </div>
        )}
        {block.kind === 'task' && (
          <div className="field">
            <label htmlFor={`${id}-pipeline`}>Pipeline</label>
            <select id={`${id}-pipeline`} value={pipeline ?? ''} onChange={(e) => edit({ pipeline: e.target.value || null })}>
              <option value="">none</option>
              {withCurrent(ctx.pipelines, block.pipeline).map((p) => <option key={p} value={p}>{p}</option>)}
            </select>
          </div>
        )}
        {block.kind !== 'service' && (
          <div className="field">
            <label htmlFor={`${id}-parent`}>Parent</label>
            <select id={`${id}-parent`} value={parent ?? ''} onChange={(e) => edit({ parent: Number(e.target.value) })}>
              {parent === null && <option value="">none</option>}
              <BlockOptions blocks={parents} label={ctx.label} />
            </select>
          </div>
        )}
        <ErrorText error={error} />
        <div className="row">
          <button type="submit" className="primary" disabled={busy || Object.keys(edits).length === 0}>Save</button>
          {Object.keys(edits).length > 0 && <button type="button" onClick={() => { setEdits({}); setError(null); }}>Undo changes</button>}
          <span className="grow" />
          <button type="button" className="danger" onClick={() => onDelete(block)}>Delete</button>
        </div>
      </form>
      {tasksUnder.length > 0 && (
        <p className="row">
          <button type="button" onClick={() => onSelectTasks(tasksUnder.map((t) => t.id))}>Select its tasks ({tasksUnder.length})</button>
          <span className="muted">to plan a wave of them</span>
        </p>
      )}
      <Dependencies ctx={ctx} block={block} />
    </section>
  );
});

function withCurrent(names: readonly string[], current: string | undefined): readonly string[] {
  return current && !names.includes(current) ? [...names, current] : names;
}

/** A task's status, its latest run, what a run is likely to cost, and the button that starts one. */
function TaskRun({ ctx, block }: { ctx: PanelContext; block: Block }) {
  const [estimate, setEstimate] = useState<{ pipeline: string; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per panel: a double click starts one run, not two.
  const [key] = useState(() => `board-${block.id}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
  const ws = encodeURIComponent(ctx.workspace);

  useEffect(() => {
    const pipeline = block.pipeline;
    if (!pipeline) return;
    let current = true;
    api<Estimate>(wsPath(ctx.workspace, `/pipelines/${encodeURIComponent(pipeline)}/estimate`)).then(
      (e) => current && setEstimate({ pipeline, text: estimateText(e) }),
      (e) => current && setEstimate({ pipeline, text: `no estimate: ${describe(e)}` }));
    return () => {
      current = false;
    };
  }, [ctx.workspace, block.pipeline]);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const started = await api<{ run: number }>(wsPath(ctx.workspace, `/blocks/${block.id}/runs`), {
        method: 'POST', body: {}, headers: { 'Idempotency-Key': key },
      });
      navigate(`/w/${ws}/runs/${started.run}`);
    } catch (e) {
      setError(describe(e));
      setBusy(false);
    }
  };

  return (
    <div className="task-run stack">
      <div className="row">
        <span className="muted">Status</span> <Badge status={block.status ?? 'planned'} />
        {block.latestRun !== undefined && <Link to={`/w/${ws}/runs/${block.latestRun}`}>Latest run #{block.latestRun}</Link>}
      </div>
      {block.pipeline ? (
        <div className="row">
          <button type="button" className="primary" onClick={start} disabled={busy}>Start run</button>
          <span className="muted estimate" aria-live="polite">
            {estimate?.pipeline === block.pipeline ? estimate.text : 'estimating…'}
          </span>
        </div>
      ) : (
        <p className="muted">Choose a pipeline below and save to run this task.</p>
      )}
      <ErrorText error={error} />
    </div>
  );
}

/** What the block depends on, with a way to remove each edge and to add one. */
function Dependencies({ ctx, block }: { ctx: PanelContext; block: Block }) {
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const deps = block.dependsOn.flatMap((d) => ctx.index.byId.get(d) ?? []);
  const dependents = useMemo(() => ctx.blocks.filter((b) => b.dependsOn.includes(block.id)).sort(byName), [ctx.blocks, block.id]);
  const candidates = useMemo(() => ctx.blocks.filter((b) => b.id !== block.id && !block.dependsOn.includes(b.id)).sort(byName),
    [ctx.blocks, block]);
  const id = `block-${block.id}-depends`;

  const act = async (request: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await request();
      await ctx.reload();
      return true;
    } catch (e) {
      setError(describe(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const add = async () => {
    if (await act(() => api(wsPath(ctx.workspace, `/blocks/${block.id}/edges`), { body: { dependsOn: Number(choice) } }))) setChoice('');
  };
  const remove = (dep: Block) => act(() => api(wsPath(ctx.workspace, `/blocks/${block.id}/edges/${dep.id}`), { method: 'DELETE' }));

  return (
    <div className="field dependencies">
      <label htmlFor={id}>Depends on</label>
      {deps.length === 0 ? <p className="muted">nothing: it can start any time</p> : (
        <ul className="dep-list">
          {deps.map((d) => (
            <li key={d.id} className="row">
              <BlockName b={d} label={ctx.label} />
              <button type="button" onClick={() => remove(d)} disabled={busy} aria-label={`Remove dependency on ${ctx.label(d)}`}>Remove</button>
            </li>
          ))}
        </ul>
      )}
      <div className="add">
        <select id={id} value={choice} onChange={(e) => setChoice(e.target.value)}>
          <option value="">choose a block…</option>
          <BlockOptions blocks={candidates} label={ctx.label} />
        </select>
        <button type="button" onClick={add} disabled={busy || !choice}>Add dependency</button>
      </div>
      <ErrorText error={error} />
      {dependents.length > 0 && (
        <p className="muted">Needed by: {dependents.map((d) => ctx.label(d)).join(', ')}</p>
      )}
    </div>
  );
}

function BlockName({ b, label }: { b: Block; label: Labels }) {
  return (
    <span className="grow block-name">
      <span className="kind">{b.kind}</span> {label(b)} {b.kind === 'task' && <Badge status={b.status ?? 'planned'} />}
    </span>
  );
}

/** Several blocks selected: the tasks among them make a wave. */
export const SelectionPanel = memo(function SelectionPanel({ ctx, selected, onDeselect, onPlan }: {
  ctx: PanelContext; selected: readonly Block[]; onDeselect: (id: number) => void;
  onPlan: (tasks: number[], maxParallel: number) => Promise<string | null>;
}) {
  const [maxParallel, setMaxParallel] = useState(2);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tasks = selected.filter((b) => b.kind === 'task');
  const others = selected.length - tasks.length;

  const plan = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(await onPlan(tasks.map((t) => t.id), maxParallel));
    setBusy(false);
  };

  return (
    <section className="board-panel-body" aria-label="Selection">
      <h2>{tasks.length} {tasks.length === 1 ? 'task' : 'tasks'} selected{others > 0 && <span className="muted"> and {others} other {others === 1 ? 'block' : 'blocks'}</span>}</h2>
      <form onSubmit={plan} className="board-form">
        {tasks.length > 0 && (
          <fieldset className="wave-tasks">
            <legend>Tasks in the wave</legend>
            {tasks.map((t) => (
              <label key={t.id} className="row">
                <input type="checkbox" checked onChange={() => onDeselect(t.id)} />
                <span className="grow">{ctx.label(t)}</span>
                <Badge status={t.status ?? 'planned'} />
              </label>
            ))}
          </fieldset>
        )}
        <div className="field">
          <label htmlFor="wave-max-parallel">Max parallel</label>
          <input id="wave-max-parallel" type="number" min={1} max={100} value={maxParallel}
            onChange={(e) => setMaxParallel(Math.max(1, Math.floor(Number(e.target.value) || 1)))} />
        </div>
        <ErrorText error={error} />
        <button type="submit" className="primary" disabled={busy || tasks.length === 0}>Plan wave</button>
      </form>
      <p className="muted">Agentry orders the tasks by their dependencies and runs each wave's tasks in parallel, up to the limit.</p>
    </section>
  );
});

/** A selected edge: who depends on whom, and a way to remove it. */
export function EdgePanel({ ctx, from, to }: { ctx: PanelContext; from: Block; to: Block }) {
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    try {
      await api(wsPath(ctx.workspace, `/blocks/${to.id}/edges/${from.id}`), { method: 'DELETE' });
      await ctx.reload();
    } catch (e) {
      setError(describe(e));
    }
  };
  return (
    <section className="board-panel-body" aria-label="Dependency">
      <h2>Dependency</h2>
      <p><strong>{ctx.label(to)}</strong> depends on <strong>{ctx.label(from)}</strong>: {to.kind === 'task' && from.kind === 'task'
        ? `it waits until ${ctx.label(from)} is finished.` : 'an edge between frames, shown for planning.'}</p>
      <ErrorText error={error} />
      <button type="button" className="danger" onClick={remove}>Remove dependency</button>
    </section>
  );
}

/** Nothing selected: how the board is used. */
export function HelpPanel() {
  return (
    <section className="board-panel-body help" aria-label="How to use the board">
      <h2>The board</h2>
      <ul>
        <li>Select a block to edit it; <kbd>Tab</kbd> to a block and press <kbd>Enter</kbd> to select it from the keyboard.</li>
        <li>Shift- or Ctrl-click tasks to select several, then plan a wave of them.</li>
        <li>Drag a module or task onto another frame to move it there.</li>
        <li>Draw from a block's right handle to the left handle of a block that depends on it. Arrows run from a dependency to what waits for it.</li>
        <li>Select an arrow and press <kbd>Delete</kbd> to remove it.</li>
      </ul>
    </section>
  );
}
