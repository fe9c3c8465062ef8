// The page's one live connection: a Server-Sent Events stream of the workspace's event log. It starts with a
// snapshot (runs in flight, decisions waiting, open attention items), then every event in order. After a
// network drop it reconnects with Last-Event-ID, so the server resumes right after the last event applied
// and no update is missed. Changes are published at most once per animation frame, so a burst of events
// costs one render.
import { useSyncExternalStore } from 'react';
import { api, saveToken, token, wsPath } from './api';
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
/** Three heartbeats (15 s each by default) without a byte: the connection is gone even if no error said so. */
const SILENCE_MS = 50_000;
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
  private generation = 0;
  private abort: AbortController | null = null;
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
    if (this.state.workspace === workspace && this.abort) return;
    this.close();
    this.state = { ...empty, workspace };
    this.next = null;
    this.everLive = false;
    void this.follow(this.generation);
    this.publish();
  }

  close() {
    this.generation++;
    this.abort?.abort();
    this.abort = null;
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

  private fetchRun(id: number) {
    const workspace = this.state.workspace!;
    api<Run>(wsPath(workspace, `/runs/${id}`)).then((r) => {
      if (this.state.workspace === workspace) this.mergeRun(r);
    }, () => {});
  }

  /**
   * Reads the stream with fetch rather than EventSource: the token goes in a header (not the URL, so not in
   * access logs), every event type arrives without naming it in advance, and the resume point is ours.
   */
  private async follow(generation: number) {
    let failures = 0;
    while (generation === this.generation) {
      const controller = new AbortController();
      this.abort = controller;
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream' };
        const t = token();
        if (t) headers.Authorization = `Bearer ${t}`;
        const at = this.next?.position ?? this.state.position;
        if (at > 0) headers['Last-Event-ID'] = String(at); // resume right after the last event applied
        const response = await fetch(wsPath(this.state.workspace!, '/events'), { headers, signal: controller.signal, cache: 'no-store' });
        if (response.status === 401) {
          saveToken(null); // signed out elsewhere, or the token was revoked
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        if (this.everLive) this.draft().reconnects = (this.next?.reconnects ?? this.state.reconnects) + 1;
        this.everLive = true;
        failures = 0;
        this.draft().connection = 'live';
        this.schedule();
        await this.read(response.body, controller);
      } catch {
        // a dropped connection, a server that is down or restarting: try again below
      }
      if (generation !== this.generation) return;
      this.draft().connection = 'reconnecting';
      this.schedule();
      await new Promise((r) => setTimeout(r, Math.min(10_000, 1000 * ++failures)));
    }
  }

  /** Splits the stream into Server-Sent Events frames; a stream silent for longer than a heartbeat is dead. */
  private async read(body: ReadableStream<Uint8Array>, controller: AbortController) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let watchdog = window.setTimeout(() => controller.abort(), SILENCE_MS);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        clearTimeout(watchdog);
        watchdog = window.setTimeout(() => controller.abort(), SILENCE_MS);
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = 'message';
          const data: string[] = [];
          for (const line of frame.split('\n')) {
            if (line.startsWith('event:')) type = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length) this.receive(type, data.join('\n'));
        }
      }
    } finally {
      clearTimeout(watchdog);
    }
  }

  private receive(type: string, text: string) {
    if (type === 'gap' || type === 'cut-off') return; // a snapshot follows a gap; a cut-off ends the stream, which resumes
    let e: LoggedEvent;
    try {
      e = JSON.parse(text);
    } catch {
      return;
    }
    const draft = this.draft();
    if (e.type === 'snapshot') {
      this.applySnapshot(draft, e);
    } else if (e.id > draft.position) {
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
    // Copied once per published frame, not once per event: a burst of a thousand events stays cheap.
    if (draft.feed === this.state.feed) draft.feed = draft.feed.slice(draft.feed.length >= FEED_MAX ? FEED_MAX / 2 : 0);
    (draft.feed as LoggedEvent[]).push(e);
    if (e.run !== undefined) {
      if (draft.heardAt === this.state.heardAt) draft.heardAt = new Map(draft.heardAt);
      (draft.heardAt as Map<number, number>).set(e.run, Date.now());
      let run = draft.runs.get(e.run);
      if (!run && e.type === 'run.queued') {
        run = { id: e.run, workspace: e.workspace ?? '', pipeline: String(e.data.pipeline ?? ''), version: 0, status: 'queued', createdAt: e.ts, steps: [] };
        this.fetchRun(e.run); // the event does not list the steps; the run does, so all of them show from the start
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
      case 'run.succeeded':
      case 'run.failed':
      case 'run.canceled': {
        // A run that ends takes its pending decisions with it (cancelling writes no decision event).
        const decisions = new Map([...draft.decisions].filter(([, d]) => d.run !== e.run));
        if (decisions.size !== draft.decisions.size) draft.decisions = decisions;
        break;
      }
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
