// The page's one live connection: a Server-Sent Events stream of the workspace's event log. It starts with a
// snapshot (runs in flight, decisions waiting, open attention items), then every event in order. After a
// network drop the browser reconnects with Last-Event-ID, or we do with ?since=, so no event is missed.
// Changes are published at most once per animation frame, so a burst of events costs one render.
import { useSyncExternalStore } from 'react';
import { token, wsPath } from './api';
import { applyToRun } from './runs';
import type { Attention, Decision, LoggedEvent, Run } from './types';

export type Connection = 'connecting' | 'live' | 'reconnecting';

export type LiveState = {
  readonly workspace: string | null;
  readonly connection: Connection;
  /** The id of the last event applied: where a reconnect resumes. */
  readonly position: number;
  /** Every run the page knows: in flight from the snapshot, and any run it fetched or saw events of. */
  readonly runs: ReadonlyMap<number, Run>;
  /** When the page last heard of each run (ms since the epoch), for liveness marks. */
  readonly heardAt: ReadonlyMap<number, number>;
  /** Runs whose running step went silent (liveness.changed alive=false), by run, then step. */
  readonly silent: ReadonlyMap<number, ReadonlySet<string>>;
  readonly decisions: ReadonlyMap<number, Decision>;
  readonly attention: ReadonlyMap<number, Attention>;
  /** The most recent events, oldest first. */
  readonly feed: readonly LoggedEvent[];
  /** How many times the stream reconnected since the page opened. */
  readonly reconnects: number;
};

const FEED_MAX = 5000;
const empty: LiveState = {
  workspace: null, connection: 'connecting', position: 0, runs: new Map(), heardAt: new Map(), silent: new Map(),
  decisions: new Map(), attention: new Map(), feed: [], reconnects: 0,
};

type Listener = () => void;
type EventListener = (e: LoggedEvent) => void;

class Live {
  private state: LiveState = empty;
  private next: { -readonly [K in keyof LiveState]: LiveState[K] } | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly eventListeners = new Set<EventListener>();
  private source: EventSource | null = null;
  private retryTimer = 0;
  private frame = 0;
  private everLive = false;

  get = () => this.state;

  subscribe = (l: Listener) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };

  /** Every event as it arrives, before rendering: logs, and views that refetch on change. */
  onEvent(l: EventListener): () => void {
    this.eventListeners.add(l);
    return () => void this.eventListeners.delete(l);
  }

  /** Opens the stream of a workspace (closing any other one); the same workspace again is a no-op. */
  connect(workspace: string) {
    if (this.state.workspace === workspace && this.source) return;
    this.close();
    this.state = { ...empty, workspace };
    this.everLive = false;
    this.open(null);
    this.publish();
  }

  close() {
    this.source?.close();
    this.source = null;
    clearTimeout(this.retryTimer);
  }

  /** A run fetched over HTTP, made current: events the stream already delivered are applied on top. */
  mergeRun(run: Run) {
    const draft = this.draft();
    let merged = run;
    for (const e of draft.feed) if (e.run === run.id && e.type !== 'step.log') merged = applyToRun(merged, e);
    const runs = new Map(draft.runs);
    runs.set(run.id, merged);
    draft.runs = runs;
    this.schedule();
  }

  private open(since: number | null) {
    const t = token();
    const q = new URLSearchParams();
    if (t) q.set('access_token', t);
    if (since !== null) q.set('since', String(since));
    const source = new EventSource(`${wsPath(this.state.workspace!, '/events')}?${q}`);
    this.source = source;
    source.onopen = () => {
      if (this.everLive) this.draft().reconnects = this.state.reconnects + 1;
      this.everLive = true;
      this.draft().connection = 'live';
      this.schedule();
    };
    source.onmessage = (m) => this.receive(m);
    for (const type of ['snapshot', 'gap', 'cut-off']) source.addEventListener(type, (m) => this.receive(m as MessageEvent));
    source.onerror = () => {
      this.draft().connection = 'reconnecting';
      this.schedule();
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (the server answered an error, or was down): try again ourselves, from where we were.
        source.close();
        clearTimeout(this.retryTimer);
        this.retryTimer = window.setTimeout(() => this.open(this.state.position || this.next?.position || null), 2000);
      }
    };
  }

  private receive(m: MessageEvent) {
    let e: LoggedEvent;
    try {
      e = JSON.parse(m.data);
    } catch {
      return;
    }
    if (m.type === 'gap' || m.type === 'cut-off') return; // a snapshot follows a gap; a cut-off is resumed by reconnecting
    const draft = this.draft();
    if (e.type === 'snapshot') {
      this.applySnapshot(draft, e);
    } else {
      this.apply(draft, e);
    }
    draft.position = Math.max(draft.position, e.id ?? 0);
    for (const l of this.eventListeners) l(e);
    this.schedule();
  }

  private applySnapshot(draft: NonNullable<Live['next']>, e: LoggedEvent) {
    const data = e.data as { runs?: Run[]; decisions?: Decision[]; attention?: Attention[] };
    const runs = new Map(draft.runs);
    const now = Date.now();
    const heard = new Map(draft.heardAt);
    for (const r of data.runs ?? []) {
      runs.set(r.id, r);
      heard.set(r.id, now);
    }
    draft.runs = runs;
    draft.heardAt = heard;
    draft.decisions = new Map((data.decisions ?? []).map((d) => [d.id, d]));
    draft.attention = new Map((data.attention ?? []).map((a) => [a.id, a]));
  }

  private apply(draft: NonNullable<Live['next']>, e: LoggedEvent) {
    draft.feed = draft.feed.length >= FEED_MAX ? [...draft.feed.slice(-FEED_MAX / 2), e] : [...draft.feed, e];
    if (e.run !== undefined) {
      if (draft.heardAt === this.state.heardAt) draft.heardAt = new Map(draft.heardAt);
      (draft.heardAt as Map<number, number>).set(e.run, Date.now());
      let run = draft.runs.get(e.run);
      if (!run && e.type === 'run.queued') {
        run = { id: e.run, workspace: e.workspace ?? '', pipeline: String(e.data.pipeline ?? ''), version: 0, status: 'queued', createdAt: e.ts, steps: [] };
      }
      if (run) {
        let changed = applyToRun(run, e);
        if (e.type === 'decision.requested' && e.step) {
          changed = { ...changed, steps: changed.steps.map((s) => (s.id === e.step ? { ...s, decision: Number(e.data.decision) } : s)) };
        }
        if (changed !== draft.runs.get(e.run)) {
          if (draft.runs === this.state.runs) draft.runs = new Map(draft.runs);
          (draft.runs as Map<number, Run>).set(e.run, changed);
        }
      }
    }
    switch (e.type) {
      case 'decision.requested': {
        const d: Decision = { id: Number(e.data.decision), run: e.run!, step: e.step!, status: 'pending', prompt: String(e.data.prompt ?? ''),
          kind: typeof e.data.kind === 'string' ? e.data.kind : undefined, createdAt: e.ts, deadline: e.data.deadline as string | undefined,
          pipeline: draft.runs.get(e.run!)?.pipeline };
        draft.decisions = new Map(draft.decisions).set(d.id, d);
        break;
      }
      case 'decision.answered':
      case 'decision.expired': {
        const decisions = new Map(draft.decisions);
        decisions.delete(Number(e.data.decision));
        draft.decisions = decisions;
        break;
      }
      case 'attention.raised': {
        const a: Attention = { id: Number(e.data.id), type: String(e.data.kind ?? ''), run: e.run, step: e.step, summary: String(e.data.summary ?? ''), raisedAt: e.ts };
        draft.attention = new Map(draft.attention).set(a.id, a);
        break;
      }
      case 'attention.resolved': {
        const attention = new Map(draft.attention);
        attention.delete(Number(e.data.id));
        draft.attention = attention;
        break;
      }
      case 'liveness.changed': {
        if (e.run === undefined || !e.step) break;
        const silent = new Map(draft.silent);
        const steps = new Set(silent.get(e.run) ?? []);
        if (e.data.alive === false) steps.add(e.step);
        else steps.delete(e.step);
        silent.set(e.run, steps);
        draft.silent = silent;
        break;
      }
    }
  }

  private draft() {
    this.next ??= { ...this.state };
    return this.next;
  }

  private schedule() {
    if (this.frame) return;
    // requestAnimationFrame does not run in a hidden tab; the timeout keeps the state current there too.
    const flush = () => {
      cancelAnimationFrame(this.frame);
      clearTimeout(timer);
      this.frame = 0;
      this.publish();
    };
    const timer = window.setTimeout(flush, 250);
    this.frame = requestAnimationFrame(flush);
  }

  private publish() {
    if (this.next) {
      this.state = this.next;
      this.next = null;
    }
    for (const l of this.listeners) l();
  }
}

export const live = new Live();

export function useLive(): LiveState {
  return useSyncExternalStore(live.subscribe, live.get);
}
