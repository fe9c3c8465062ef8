// A step's output. A finished step's log is read once; a running step's output is read from its step.log
// events and then followed on the page's live stream, event ids telling what was already shown.
import { useEffect, useRef, useState } from 'react';
import { api, describe, token, wsPath } from '../lib/api';
import { live } from '../lib/live';
import type { LoggedEvent, Step } from '../lib/types';

/** Enough to read the end of a chatty step without the page holding megabytes of text. */
const KEEP_CHARS = 200_000;

type Attempt = { attempt: number; status: string; log: string };

export function StepLog({ workspace, run, step }: { workspace: string; run: number; step: Step }) {
  const [attempts, setAttempts] = useState<Attempt[]>([]);
  const [error, setError] = useState<string | null>(null);
  const pre = useRef<HTMLPreElement>(null);
  const follow = useRef(true);
  const running = step.status === 'running' || step.status === 'retrying';

  useEffect(() => {
    let stale = false;
    let shownUpTo = Number.MAX_SAFE_INTEGER; // no live event is shown until the history is in
    const pending: LoggedEvent[] = [];
    const append = (e: LoggedEvent) => {
      const text = String(e.data.text ?? '');
      const attempt = e.attempt ?? 1;
      setAttempts((list) => {
        const at = list.findIndex((a) => a.attempt === attempt);
        const next = list.slice();
        if (at < 0) next.push({ attempt, status: 'running', log: text });
        else next[at] = { ...next[at], log: (next[at].log + text).slice(-KEEP_CHARS) };
        return next;
      });
    };
    const off = live.onEvent((e) => {
      if (e.type !== 'step.log' || e.run !== run || e.step !== step.id) return;
      if (shownUpTo === Number.MAX_SAFE_INTEGER) pending.push(e);
      else if (e.id > shownUpTo) append(e);
    });
    setError(null);
    const load = running ? history(workspace, run, step.id) : finished(workspace, run, step.id);
    load.then(({ attempts: loaded, upTo }) => {
      if (stale) return;
      setAttempts(loaded);
      shownUpTo = upTo;
      for (const e of pending) if (e.id > upTo) append(e);
    }, (e) => !stale && setError(describe(e)));
    return () => {
      stale = true;
      off();
    };
    // Reloads when an attempt starts, and once more when the step stops running: the stored log is the
    // whole story (the live one may have started mid-way). The panel is keyed by step, so another step remounts.
  }, [workspace, run, step.id, running && step.attempts]);

  useEffect(() => {
    const el = pre.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [attempts]);

  if (error) return <p className="error">{error}</p>;
  if (!attempts.length) return <p className="muted" data-log="">{running ? 'Waiting for output…' : 'No output.'}</p>;
  const text = attempts.length === 1 ? attempts[0].log
    : attempts.map((a) => `── attempt ${a.attempt} (${a.status}) ──\n${a.log}`).join('\n');
  return (
    <pre ref={pre} className="log" data-log="" tabIndex={0} aria-label={`Output of ${step.id}`}
      onScroll={(e) => {
        const el = e.currentTarget;
        follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
      }}>{text}</pre>
  );
}

async function finished(workspace: string, run: number, step: string) {
  const page = await api<{ items: Attempt[] }>(wsPath(workspace, `/runs/${run}/logs?step=${encodeURIComponent(step)}`));
  return { attempts: page.items.map((a) => ({ ...a, log: a.log.slice(-KEEP_CHARS) })), upTo: live.get().position };
}

/** The run's step.log events so far, from the event log's export (NDJSON), with the id of the last one. */
async function history(workspace: string, run: number, step: string) {
  const headers: Record<string, string> = { Accept: 'application/x-ndjson' };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  const response = await fetch(`${wsPath(workspace, '/events/export')}?run=${run}&type=step.log`, { headers });
  if (!response.ok) throw new Error(`the step's output could not be read (HTTP ${response.status})`);
  const byAttempt = new Map<number, string>();
  let upTo = 0;
  for (const line of (await response.text()).split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as LoggedEvent;
    upTo = Math.max(upTo, e.id);
    if (e.step !== step) continue;
    const a = e.attempt ?? 1;
    byAttempt.set(a, (byAttempt.get(a) ?? '') + String(e.data.text ?? ''));
  }
  const attempts = [...byAttempt.entries()].sort((a, b) => a[0] - b[0])
    .map(([attempt, log]) => ({ attempt, status: 'running', log: log.slice(-KEEP_CHARS) }));
  return { attempts, upTo };
}
