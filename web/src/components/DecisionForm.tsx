// Answering a decision, the same form on the run screen and in the inbox: an approval is approved or
// rejected with a comment; an agent's question gets a free-text answer (or is rejected, which fails its step).
import { useState, type FormEvent } from 'react';
import { api, describe, wsPath } from '../lib/api';
import { ago } from '../lib/format';
import { Link } from '../lib/router';
import type { Decision } from '../lib/types';
import { ErrorText } from './ui';

export function DecisionForm({ workspace, decision, question }: { workspace: string; decision: Decision; question: boolean }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const send = async (action: 'approve' | 'reject' | 'answer') => {
    setBusy(true);
    setError(null);
    try {
      const body = action === 'answer' ? { answer: text } : text.trim() ? { comment: text } : {};
      await api(wsPath(workspace, `/decisions/${decision.id}/${action}`), { method: 'POST', body });
      setDone(action === 'answer' ? 'Answered' : action === 'approve' ? 'Approved' : 'Rejected');
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send(question ? 'answer' : 'approve');
  };
  const id = `decision-${decision.id}`;
  return (
    <form className="panel stack" onSubmit={submit} aria-labelledby={`${id}-title`} data-decision-id={decision.id}>
      <div className="row">
        <strong id={`${id}-title`} className="grow">{question ? 'Question' : 'Approval'} #{decision.id}</strong>
        <span className="muted">
          <Link to={`/w/${encodeURIComponent(workspace)}/runs/${decision.run}?step=${encodeURIComponent(decision.step)}`}>
            run {decision.run} · {decision.step}
          </Link>{' '}· {ago(decision.createdAt)}
        </span>
      </div>
      <div style={{ whiteSpace: 'pre-wrap' }}>{decision.prompt}</div>
      {decision.deadline && <div className="muted">Decided for you at {new Date(decision.deadline).toLocaleString()} if nobody answers.</div>}
      {done ? <div role="status">{done}. The run goes on.</div> : (
        <>
          <div className="field">
            <label htmlFor={`${id}-text`}>{question ? 'Answer' : 'Comment'}</label>
            <textarea id={`${id}-text`} value={text} onChange={(e) => setText(e.target.value)}
              placeholder={question ? 'What the agent should know…' : 'Optional: why'} required={question} />
          </div>
          <ErrorText error={error} />
          <div className="row">
            {question
              ? <button className="primary" type="submit" disabled={busy || !text.trim()}>Send answer</button>
              : <button className="primary" type="submit" disabled={busy}>Approve</button>}
            <button type="button" className="danger" disabled={busy} onClick={() => void send('reject')}>Reject</button>
          </div>
        </>
      )}
    </form>
  );
}
