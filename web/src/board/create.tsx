// Creating a block: a short form asking for its name and, for a module or a task, where it goes (the selected
// frame by default).
import { useMemo, useState, type FormEvent } from 'react';
import { api, describe, wsPath } from '../lib/api';
import type { Block, BlockKind } from '../lib/types';
import { Dialog, ErrorText } from '../components/ui';
import { byName, canHold } from './model';
import type { PanelContext } from './panel';

export function NewBlockDialog({ ctx, kind, parent, onClose, onCreated }: {
  ctx: PanelContext; kind: BlockKind | null; parent: number | undefined; onClose: () => void; onCreated: (b: Block) => void;
}) {
  return (
    <Dialog open={kind !== null} onClose={onClose} title={kind ? `New ${kind}` : ''}>
      {kind && <NewBlockForm key={`${kind}-${parent}`} ctx={ctx} kind={kind} parent={parent} onClose={onClose} onCreated={onCreated} />}
    </Dialog>
  );
}

function NewBlockForm({ ctx, kind, parent: initialParent, onClose, onCreated }: {
  ctx: PanelContext; kind: BlockKind; parent: number | undefined; onClose: () => void; onCreated: (b: Block) => void;
}) {
  const parents = useMemo(() => ctx.blocks.filter((b) => canHold(b.kind, kind)).sort(byName), [ctx.blocks, kind]);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [parent, setParent] = useState(initialParent !== undefined ? String(initialParent) : parents[0] ? String(parents[0].id) : '');
  const [pipeline, setPipeline] = useState('');
  const [repository, setRepository] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api<Block>(wsPath(ctx.workspace, '/blocks'), {
        body: {
          kind, name, description,
          parent: kind === 'service' ? undefined : Number(parent) || undefined,
          pipeline: kind === 'task' && pipeline ? pipeline : undefined,
          repository: kind === 'service' && repository ? repository : undefined,
        },
      });
      onCreated(created);
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={create} className="board-form new-block">
      <div className="field">
        <label htmlFor="new-block-name">Name</label>
        <input id="new-block-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} autoFocus />
      </div>
      {kind !== 'service' && (
        <div className="field">
          <label htmlFor="new-block-parent">Parent</label>
          <select id="new-block-parent" value={parent} onChange={(e) => setParent(e.target.value)} required>
            {parents.length === 0 && <option value="">create a service first</option>}
            {(['service', 'module'] as const).map((k) => {
              const of = parents.filter((p) => p.kind === k);
              return of.length ? (
                <optgroup key={k} label={k === 'service' ? 'Services' : 'Modules'}>
                  {of.map((p) => <option key={p.id} value={p.id}>{ctx.label(p)}</option>)}
                </optgroup>
              ) : null;
            })}
          </select>
        </div>
      )}
      {kind === 'task' && (
        <div className="field">
          <label htmlFor="new-block-pipeline">Pipeline</label>
          <select id="new-block-pipeline" value={pipeline} onChange={(e) => setPipeline(e.target.value)}>
            <option value="">none yet</option>
            {ctx.pipelines.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </div>
      )}
      {kind === 'service' && (
        <div className="field">
          <label htmlFor="new-block-repository">Repository</label>
          <select id="new-block-repository" value={repository} onChange={(e) => setRepository(e.target.value)}>
            <option value="">none (each pipeline's own)</option>
            {ctx.repositories.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor="new-block-description">Description</label>
        <textarea id="new-block-description" value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <ErrorText error={error} />
      <div className="row" style={{ justifyContent: 'flex-end' }}>
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" className="primary" disabled={busy}>Create</button>
      </div>
    </form>
  );
}
