// What the board's screens derive from the blocks the server sends: who holds whom, what may move where, how
// deep a task sits in its dependencies, and the words for estimates and wave plans. Pure, so tested without a
// browser.
import { usd } from '../lib/format';
import type { Block, BlockKind, LoggedEvent, TaskStatus, WavePlan } from '../lib/types';

export type BoardIndex = {
  readonly byId: ReadonlyMap<number, Block>;
  /** The blocks under each block, in id order; the key 0 holds the blocks under nothing. */
  readonly children: ReadonlyMap<number, readonly Block[]>;
};

export const ROOT = 0;

export function indexBoard(blocks: readonly Block[]): BoardIndex {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const children = new Map<number, Block[]>();
  for (const b of [...blocks].sort((x, y) => x.id - y.id)) {
    const key = containerOf(b, byId);
    let list = children.get(key);
    if (!list) children.set(key, (list = []));
    list.push(b);
  }
  return { byId, children };
}

/** The block it is drawn inside: its parent, or the board itself when the parent is missing or cannot hold it. */
export function containerOf(b: Block, byId: ReadonlyMap<number, Block>): number {
  const parent = b.parent === undefined ? undefined : byId.get(b.parent);
  return parent && canHold(parent.kind, b.kind) ? parent.id : ROOT;
}

/** The board's rule (docs/board.md): a module sits under a service, a task under a module or a service. */
export function canHold(parent: BlockKind, child: BlockKind): boolean {
  return parent === 'service' ? child !== 'service' : parent === 'module' && child === 'task';
}

/** Every block under `id`, at any depth (not `id` itself). */
export function descendants(id: number, index: BoardIndex): Block[] {
  const out: Block[] = [];
  const seen = new Set([id]);
  const stack = [...(index.children.get(id) ?? [])];
  while (stack.length) {
    const b = stack.pop()!;
    if (seen.has(b.id)) continue;
    seen.add(b.id);
    out.push(b);
    stack.push(...(index.children.get(b.id) ?? []));
  }
  return out;
}

/** The blocks `b` may be moved under, by name. */
export function validParents(b: Block, blocks: readonly Block[]): Block[] {
  return blocks.filter((p) => p.id !== b.id && canHold(p.kind, b.kind)).sort(byName);
}

export const byName = (a: Block, b: Block) => a.name.localeCompare(b.name) || a.id - b.id;

/**
 * How many tasks each task waits for in a chain: 0 for a task that depends on no task, else one more than its
 * deepest task dependency. Edges form a DAG on the server; a cycle here (a stale read) counts as depth 0.
 */
export function taskDepths(blocks: readonly Block[]): Map<number, number> {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const depth = new Map<number, number>();
  const visiting = new Set<number>();
  const of = (b: Block): number => {
    const known = depth.get(b.id);
    if (known !== undefined) return known;
    if (visiting.has(b.id)) return 0;
    visiting.add(b.id);
    let d = 0;
    for (const dep of b.dependsOn) {
      const t = byId.get(dep);
      if (t?.kind === 'task') d = Math.max(d, of(t) + 1);
    }
    visiting.delete(b.id);
    depth.set(b.id, d);
    return d;
  };
  for (const b of blocks) if (b.kind === 'task') of(b);
  return depth;
}

export type BoardEdge = {
  id: string;
  /** The dependency: the arrow starts here. */
  source: number;
  /** The block that depends on it. */
  target: number;
  /** The dependency's status when both ends are tasks (only those edges count for status and waves). */
  status?: TaskStatus;
};

export const edgeId = (dependsOn: number, block: number) => `${dependsOn}->${block}`;

export function boardEdges(blocks: readonly Block[], byId: ReadonlyMap<number, Block>): BoardEdge[] {
  const edges: BoardEdge[] = [];
  for (const b of blocks) {
    for (const d of b.dependsOn) {
      const dep = byId.get(d);
      if (!dep) continue;
      edges.push({ id: edgeId(d, b.id), source: d, target: b.id,
        status: dep.kind === 'task' && b.kind === 'task' ? dep.status : undefined });
    }
  }
  return edges;
}

/**
 * Whether an event may change a task's status: a run that is some task's latest run moved, or a new run was
 * queued (it may be a task's, started here or by a wave).
 */
export function touchesBoard(e: LoggedEvent, latestRuns: ReadonlySet<number>): boolean {
  if (e.type === 'run.queued') return true;
  return e.type.startsWith('run.') && e.run !== undefined && latestRuns.has(e.run);
}

export type Estimate = {
  estimateUsd: number;
  complete: boolean;
  steps: { step: string; basis?: string; estimateUsd?: number }[];
};

/** One line for a pipeline's spend estimate (GET /pipelines/{name}/estimate), saying what it rests on. */
export function estimateText(e: Estimate): string {
  if (e.steps.length === 0) return 'no agent steps: no model spend expected';
  const money = usd(e.estimateUsd);
  const unpriced = e.steps.filter((s) => s.estimateUsd === undefined);
  if (!e.complete) {
    return `at least ${money}; ${unpriced.length} of ${e.steps.length} agent steps cannot be priced (${unpriced[0].basis})`;
  }
  const history = e.steps.map((s) => /^median of the last (\d+) attempts/.exec(s.basis ?? ''));
  if (history.every(Boolean)) {
    const runs = Math.min(...history.map((m) => Number(m![1])));
    return `about ${money} (median of ${runs} ${runs === 1 ? 'run' : 'runs'})`;
  }
  const known = history.filter(Boolean).length;
  return known === 0
    ? `about ${money} (typical tokens: no run of this pipeline yet)`
    : `about ${money} (history for ${known} of ${e.steps.length} agent steps, typical tokens for the rest)`;
}

/** The plan of a wave in words: one line per wave, and one per task held back by a task outside the set. */
export function planLines(plan: WavePlan, name: (id: number) => string): { waves: string[]; blocked: string[] } {
  return {
    waves: plan.waves.map((w, i) => `Wave ${i + 1}: ${w.map(name).join(', ')}`),
    blocked: Object.entries(plan.blockedBy).map(([task, by]) =>
      `${name(Number(task))} waits for ${by.map(name).join(', ')}, which ${by.length === 1 ? 'is' : 'are'} not in this wave and not finished`),
  };
}
