// What waits for people: decisions (approvals and agents' questions) and attention items, live.
import { useEffect, useState } from 'react';
import { api, describe, wsPath } from '../lib/api';
import { ago } from '../lib/format';
import { live, useLive } from '../lib/live';
import { Link } from '../lib/router';
import type { Attention, Run } from '../lib/types';
import { DecisionForm } from '../components/DecisionForm';
import { Badge, Empty, ErrorText } from '../components/ui';

export function InboxPage({ workspace }: { workspace: string }) {
  const state = useLive();
  const decisions = [...state.decisions.values()].sort((a, b) => a.id - b.id);
  const attention = [...state.attention.values()].sort((a, b) => a.id - b.id);

  // An agent's question is answered in words, an approval with a yes or no: the step's kind tells which.
  const unknownRuns = [...new Set(decisions.map((d) => d.run).filter((r) => !state.runs.has(r)))].join(',');
  useEffect(() => {
    for (const id of unknownRuns.split(',').filter(Boolean)) {
      api<Run>(wsPath(workspace, `/runs/${id}`)).then((r) => live.mergeRun(r), () => {});
    }
  }, [workspace, unknownRuns]);

  if (!decisions.length && !attention.length) {
    return (
      <Empty title="Nothing waits for you.">
        <p>Approval steps, agents' questions and stalled steps show up here the moment they happen.</p>
        <Link to={`/w/${encodeURIComponent(workspace)}/runs`}>See the runs</Link>
      </Empty>
    );
  }
  return (
    <div className="stack" style={{ maxWidth: 860 }}>
      <h1>Inbox</h1>
      {decisions.length > 0 && <h2>Decisions ({decisions.length})</h2>}
      {decisions.map((d) => (
        <DecisionForm key={d.id} workspace={workspace} decision={d}
          question={state.runs.get(d.run)?.steps.find((s) => s.id === d.step)?.kind === 'agent'} />
      ))}
      {attention.length > 0 && <h2>Attention ({attention.length})</h2>}
      {attention.map((a) => <AttentionItem key={a.id} workspace={workspace} item={a} />)}
    </div>
  );
}

function AttentionItem({ workspace, item }: { workspace: string; item: Attention }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const resolve = async () => {
    setBusy(true);
    setError(null);
    try {
      await api(wsPath(workspace, `/attention/${item.id}/resolve`), { method: 'POST', body: note.trim() ? { note } : {} });
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="panel stack" data-attention-id={item.id}>
      <div className="row">
        <Badge status="needs-attention" />
        <strong className="grow">{item.type}</strong>
        {item.run !== undefined && (
          <Link to={`/w/${encodeURIComponent(workspace)}/runs/${item.run}${item.step ? `?step=${encodeURIComponent(item.step)}` : ''}`}>
            run {item.run}{item.step ? ` · ${item.step}` : ''}
          </Link>
        )}
        <span className="muted">{ago(item.raisedAt)}</span>
      </div>
      <div>{item.summary}</div>
      <div className="row">
        <input className="grow" aria-label={`Note for attention item ${item.id}`} placeholder="Optional note" value={note} onChange={(e) => setNote(e.target.value)} />
        <button disabled={busy} onClick={() => void resolve()}>Resolve</button>
      </div>
      <ErrorText error={error} />
    </div>
  );
}
