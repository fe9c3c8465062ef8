// The layout as React Flow's nodes and edges. Every node arrives with its size and its handles' places, so
// React Flow draws nodes and edges without measuring anything; a refetch reuses the objects that did not change.
import { MarkerType, Position, type Edge, type Node } from '@xyflow/react';
import type { Block, TaskStatus } from '../lib/types';
import { HEADER, type BoardLayout, type Placed } from './layout';
import type { BoardEdge } from './model';

export type BlockData = { block: Block; workspace: string };
export type BlockNode = Node<BlockData, 'frame' | 'task'>;

const HANDLE = 10;

/** Where a node's handles sit: the dependencies come in on the left, dependents go out on the right. */
function handles(p: Placed): NonNullable<BlockNode['handles']> {
  const y = (p.block.kind === 'task' ? p.height / 2 : HEADER / 2) - HANDLE / 2;
  return [
    { type: 'target', position: Position.Left, x: -HANDLE / 2, y, width: HANDLE, height: HANDLE },
    { type: 'source', position: Position.Right, x: p.width - HANDLE / 2, y, width: HANDLE, height: HANDLE },
  ];
}

export function toNode(p: Placed, workspace: string): BlockNode {
  const b = p.block;
  return {
    id: String(b.id),
    type: b.kind === 'task' ? 'task' : 'frame',
    position: { x: p.x, y: p.y },
    parentId: p.parent === undefined ? undefined : String(p.parent),
    data: { block: b, workspace },
    width: p.width,
    height: p.height,
    // Declared as measured: the sizes are exact (inline width and height), so React Flow need not observe each
    // node as it scrolls into view and send a change for it.
    measured: { width: p.width, height: p.height },
    handles: handles(p),
    // A service has nowhere to move to; dragging on it pans the board instead.
    draggable: b.kind !== 'service',
    ariaLabel: b.kind === 'task' ? `task ${b.name}, ${b.status ?? 'planned'}` : `${b.kind} ${b.name}`,
  };
}

export function toNodes(layout: BoardLayout, workspace: string): BlockNode[] {
  return layout.placed.map((p) => toNode(p, workspace));
}

function sameBlock(a: Block, b: Block): boolean {
  return a.name === b.name && a.parent === b.parent && a.description === b.description && a.repository === b.repository
    && a.pipeline === b.pipeline && a.status === b.status && a.latestRun === b.latestRun && a.kind === b.kind
    && a.dependsOn.length === b.dependsOn.length && a.dependsOn.every((d, i) => d === b.dependsOn[i]);
}

/**
 * The fresh nodes, reusing each previous node that did not change (React Flow then skips it) and keeping what
 * the user selected. A refetch after one task's run moved re-renders that task's card, not the whole board.
 */
export function reconcile(previous: readonly BlockNode[], fresh: readonly BlockNode[]): BlockNode[] {
  const before = new Map(previous.map((n) => [n.id, n]));
  return fresh.map((n) => {
    const old = before.get(n.id);
    if (!old) return n;
    if (old.position.x === n.position.x && old.position.y === n.position.y && old.width === n.width
      && old.height === n.height && old.parentId === n.parentId && old.data.workspace === n.data.workspace
      && sameBlock(old.data.block, n.data.block)) return old;
    return old.selected ? { ...n, selected: true } : n;
  });
}

const COLOUR: Record<TaskStatus | 'frame', string> = {
  planned: 'var(--idle)', ready: 'var(--idle)', 'in-progress': 'var(--run)', 'needs-attention': 'var(--bad)',
  'pr-ready': 'var(--ok)', done: 'var(--ok)', frame: 'var(--muted)',
};
// One marker object per colour: React Flow defines one SVG marker per distinct marker, not one per edge.
const MARKERS = Object.fromEntries(Object.entries(COLOUR).map(([k, color]) =>
  [k, { type: MarkerType.ArrowClosed, color, width: 18, height: 18 }]));

export function toEdges(edges: readonly BoardEdge[], byId: ReadonlyMap<number, Block>): Edge[] {
  return edges.map((e) => {
    const look = e.status ?? 'frame';
    return {
      id: e.id,
      source: String(e.source),
      target: String(e.target),
      className: `dep ${look}`,
      markerEnd: MARKERS[look],
      ariaLabel: `${byId.get(e.target)?.name} depends on ${byId.get(e.source)?.name}`,
    };
  });
}

/** Keeps the previous edge objects that did not change, and the user's selection. */
export function reconcileEdges(previous: readonly Edge[], fresh: readonly Edge[]): Edge[] {
  const before = new Map(previous.map((e) => [e.id, e]));
  return fresh.map((e) => {
    const old = before.get(e.id);
    if (!old) return e;
    if (old.className === e.className && old.ariaLabel === e.ariaLabel) return old;
    return old.selected ? { ...e, selected: true } : e;
  });
}
