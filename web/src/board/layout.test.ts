import { describe, expect, it } from 'vitest';
import type { Block } from '../lib/types';
import { CARD, HEADER, PAD, dropTarget, initialViewport, layoutBoard, START_MIN_ZOOM } from './layout';

let next = 1;
function block(kind: Block['kind'], parent?: number, dependsOn: number[] = [], id = next++): Block {
  return { id, kind, parent, name: `${kind} ${id}`, description: '', dependsOn, createdAt: '2025-01-01T00:00:00Z' };
}

const overlaps = (a: { absX: number; absY: number; width: number; height: number }, b: typeof a) =>
  a.absX < b.absX + b.width && b.absX < a.absX + a.width && a.absY < b.absY + b.height && b.absY < a.absY + a.height;

describe('layoutBoard', () => {
  const shop = block('service', undefined, [], 1);
  const cart = block('module', 1, [], 2);
  const pay = block('module', 1, [], 3);
  const last = block('task', 2, [6], 4);
  const first = block('task', 2, [], 5);
  const middle = block('task', 2, [5], 6);
  const loose = block('task', 1, [], 7);
  const blocks = [last, shop, pay, middle, cart, first, loose];

  it('puts every frame before what it holds, with the parent React Flow needs', () => {
    const { placed } = layoutBoard(blocks);
    expect(placed).toHaveLength(blocks.length);
    const at = new Map(placed.map((p, i) => [p.block.id, i]));
    for (const p of placed) {
      if (p.parent !== undefined) expect(at.get(p.parent)!).toBeLessThan(at.get(p.block.id)!);
    }
    expect(placed.find((p) => p.block.id === 4)!.parent).toBe(2);
    expect(placed.find((p) => p.block.id === 7)!.parent).toBe(1);
    expect(placed.find((p) => p.block.id === 1)!.parent).toBeUndefined();
  });

  it('orders a module\'s tasks by how deep they sit in their dependencies, whatever their ids', () => {
    const { byId } = layoutBoard(blocks);
    const order = [5, 6, 4].map((id) => byId.get(id)!).map((p) => p.y * 10_000 + p.x);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('puts each depth in its own column when there are a few, so arrows point right', () => {
    const { byId } = layoutBoard(blocks);
    const [f, m, l] = [5, 6, 4].map((id) => byId.get(id)!);
    expect(f.x).toBeLessThan(m.x);
    expect(m.x).toBeLessThan(l.x);
    expect(new Set([f.y, m.y, l.y]).size).toBe(1);
  });

  it('falls back to a near-square grid for tasks that depend on nothing', () => {
    const service = block('service', undefined, [], 100);
    const tasks = Array.from({ length: 9 }, (_, i) => block('task', 100, [], 101 + i));
    const { byId } = layoutBoard([service, ...tasks]);
    expect(new Set(tasks.map((t) => byId.get(t.id)!.x)).size).toBe(3);
    expect(new Set(tasks.map((t) => byId.get(t.id)!.y)).size).toBe(3);
  });

  it('is the same for the same blocks in any order', () => {
    const a = layoutBoard(blocks).placed.map((p) => [p.block.id, p.x, p.y, p.width, p.height]);
    const b = layoutBoard([...blocks].reverse()).placed.map((p) => [p.block.id, p.x, p.y, p.width, p.height]);
    expect(b).toEqual(a);
  });

  it('keeps children inside their frame, under its title, and siblings apart', () => {
    const { placed, byId } = layoutBoard(blocks);
    for (const p of placed) {
      expect(p.width).toBeGreaterThan(0);
      if (p.parent === undefined) continue;
      const parent = byId.get(p.parent)!;
      expect(p.x).toBeGreaterThanOrEqual(PAD);
      expect(p.y).toBeGreaterThanOrEqual(HEADER);
      expect(p.x + p.width).toBeLessThanOrEqual(parent.width - PAD);
      expect(p.y + p.height).toBeLessThanOrEqual(parent.height - PAD);
      expect(p.absX).toBe(parent.absX + p.x);
      for (const q of placed) {
        if (q !== p && q.parent === p.parent) expect(overlaps(p, q)).toBe(false);
      }
    }
    const card = byId.get(4)!;
    expect([card.width, card.height]).toEqual([CARD.width, CARD.height]);
  });

  it('gives an empty frame room to drop a card into', () => {
    const { byId } = layoutBoard(blocks);
    expect(byId.get(3)!.width).toBeGreaterThanOrEqual(CARD.width);
    expect(byId.get(3)!.height).toBeGreaterThan(HEADER);
  });

  it('lays out a board of 2,000 blocks quickly, without overlapping services', () => {
    const many: Block[] = [];
    let id = 1;
    for (let s = 0; s < 20; s++) {
      const service = block('service', undefined, [], id++);
      many.push(service);
      for (let m = 0; m < 9; m++) {
        const module = block('module', service.id, [], id++);
        many.push(module);
        for (let t = 0; t < 10; t++) many.push(block('task', module.id, t > 0 ? [id - 1] : [], id++));
      }
    }
    const started = performance.now();
    const { placed, bounds } = layoutBoard(many);
    expect(performance.now() - started).toBeLessThan(200);
    expect(placed).toHaveLength(many.length);
    const services = placed.filter((p) => p.level === 0);
    for (const a of services) for (const b of services) if (a !== b) expect(overlaps(a, b)).toBe(false);
    for (const p of placed) {
      expect(p.absX + p.width).toBeLessThanOrEqual(bounds.width);
      expect(p.absY + p.height).toBeLessThanOrEqual(bounds.height);
    }
  });

  it('draws a block whose parent is missing at the top of the board rather than losing it', () => {
    const lost = block('task', 999, [], 50);
    expect(layoutBoard([lost]).byId.get(50)!.parent).toBeUndefined();
  });
});

describe('dropTarget', () => {
  const blocks = [block('service', undefined, [], 1), block('module', 1, [], 2), block('task', 2, [], 3),
    block('service', undefined, [], 4), block('module', 4, [], 5)];
  const layout = layoutBoard(blocks);
  const centre = (id: number) => {
    const p = layout.byId.get(id)!;
    return { x: p.absX + p.width / 2, y: p.absY + p.height / 2 };
  };
  const inHeader = (id: number) => ({ x: layout.byId.get(id)!.absX + 4, y: layout.byId.get(id)!.absY + 4 });

  it('finds the innermost frame under the pointer that may hold the block', () => {
    expect(dropTarget(layout, blocks[2], centre(5))?.id).toBe(5);
    expect(dropTarget(layout, blocks[2], inHeader(4))?.id).toBe(4);
  });

  it('skips frames that may not hold it: a module dropped on a module lands in that module\'s service', () => {
    expect(dropTarget(layout, blocks[1], centre(5))?.id).toBe(4);
  });

  it('finds nothing on the empty board, and never the block itself', () => {
    expect(dropTarget(layout, blocks[2], { x: -100, y: -100 })).toBeUndefined();
    expect(dropTarget(layout, blocks[1], centre(2))?.id).toBe(1);
  });
});

describe('initialViewport', () => {
  it('centres a board that fits at a readable zoom, never zooming in past 1', () => {
    const v = initialViewport({ x: 0, y: 0, width: 400, height: 200 }, 1000, 600);
    expect(v).toEqual({ x: 300, y: 200, zoom: 1 });
  });

  it('shows the top-left corner of a board too big to read whole', () => {
    const v = initialViewport({ x: 0, y: 0, width: 20_000, height: 9_000 }, 1000, 600);
    expect(v).toEqual({ x: 24, y: 24, zoom: START_MIN_ZOOM });
  });
});
