import { describe, expect, it } from 'vitest';
import type { Block } from '../lib/types';
import { reconcile, reconcileEdges, toEdges, toNodes } from './flow';
import { layoutBoard } from './layout';
import { boardEdges } from './model';

const block = (id: number, kind: Block['kind'], parent?: number, extra: Partial<Block> = {}): Block =>
  ({ id, kind, parent, name: `b${id}`, description: '', dependsOn: [], createdAt: '', ...extra });

const board = [block(1, 'service'), block(2, 'module', 1), block(3, 'task', 2, { status: 'done' }),
  block(4, 'task', 2, { dependsOn: [3], status: 'ready' })];

describe('toNodes', () => {
  it('gives every node its size, parent and handles, so nothing needs measuring', () => {
    const nodes = toNodes(layoutBoard(board), 'ws');
    expect(nodes.map((n) => n.id)).toEqual(['1', '2', '3', '4']);
    for (const n of nodes) {
      expect(n.width).toBeGreaterThan(0);
      expect(n.measured).toEqual({ width: n.width, height: n.height });
      expect(n.handles!.map((h) => h.type)).toEqual(['target', 'source']);
    }
    expect(nodes[2].parentId).toBe('2');
    expect(nodes[2].type).toBe('task');
    expect(nodes[0].draggable).toBe(false);
  });
});

describe('reconcile', () => {
  it('keeps the nodes that did not change and the selection of those that did', () => {
    const before = toNodes(layoutBoard(board), 'ws').map((n) => (n.id === '4' ? { ...n, selected: true } : n));
    const after = toNodes(layoutBoard(board.map((b) => (b.id === 4 ? { ...b, status: 'in-progress' as const } : { ...b }))), 'ws');
    const next = reconcile(before, after);
    expect(next[0]).toBe(before[0]);
    expect(next[2]).toBe(before[2]);
    expect(next[3]).not.toBe(before[3]);
    expect(next[3].data.block.status).toBe('in-progress');
    expect(next[3].selected).toBe(true);
  });

  it('puts a dragged node back in its place', () => {
    const fresh = toNodes(layoutBoard(board), 'ws');
    const dragged = fresh.map((n) => (n.id === '3' ? { ...n, position: { x: 999, y: 999 } } : n));
    expect(reconcile(dragged, fresh)[2].position).toEqual(fresh[2].position);
  });
});

describe('toEdges', () => {
  it('draws an arrow from the dependency to the block that depends on it, styled by the dependency', () => {
    const layout = layoutBoard(board);
    const [edge] = toEdges(boardEdges(board, layout.index.byId), layout.index.byId);
    expect(edge).toMatchObject({ id: '3->4', source: '3', target: '4', className: 'dep done', ariaLabel: 'b4 depends on b3' });
    expect(reconcileEdges([{ ...edge, selected: true }], [edge])[0].selected).toBe(true);
  });
});
