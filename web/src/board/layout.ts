// Where every block is drawn. Blocks have no stored positions, so the layout is a pure function of the blocks:
// the same board always looks the same, on every screen and after every reload. Tasks are fixed-size cards in a
// grid, ordered by how deep they sit in their dependencies (then by id), so what must finish first comes first;
// frames (services, modules) are packed in rows under their tasks. Every size is known here, so React Flow
// never has to measure a node before drawing it or its edges.
import type { Block } from '../lib/types';
import { ROOT, canHold, descendants, indexBoard, taskDepths, type BoardIndex } from './model';

export const CARD = { width: 220, height: 76 } as const;
/** The space a frame keeps above its content for its title. */
export const HEADER = 36;
export const PAD = 12;
const GAP = 14;
/** Space between the services themselves. */
const ROOT_GAP = 48;
const MAX_COLUMNS = 4;
/** An empty frame is still big enough to drop a card into. */
const EMPTY = { width: CARD.width + 2 * PAD, height: HEADER + CARD.height / 2 + PAD };

export type Placed = {
  block: Block;
  /** The frame it sits in, or undefined at the top of the board. */
  parent?: number;
  /** Relative to the parent frame (what React Flow wants for a child), or to the board. */
  x: number;
  y: number;
  /** On the board, for hit tests. */
  absX: number;
  absY: number;
  width: number;
  height: number;
  /** How many frames it sits in: 0 for a service. */
  level: number;
};

export type Rect = { x: number; y: number; width: number; height: number };

export type BoardLayout = {
  /** Every block, each frame before what it holds (React Flow needs parents first). */
  placed: Placed[];
  byId: Map<number, Placed>;
  bounds: Rect;
  index: BoardIndex;
};

type Box = { width: number; height: number; items: { block: Block; x: number; y: number; box?: Box }[] };

export function layoutBoard(blocks: readonly Block[]): BoardLayout {
  const index = indexBoard(blocks);
  const depth = taskDepths(blocks);
  const seen = new Set<number>();

  /** Lays out what sits directly in `id`: a grid of task cards, then rows of frames. */
  const arrange = (id: number, gap: number): Box => {
    const children = (index.children.get(id) ?? []).filter((b) => !seen.has(b.id));
    children.forEach((b) => seen.add(b.id)); // a parent cycle in a stale read must not loop forever
    const tasks = children.filter((b) => b.kind === 'task')
      .sort((a, b) => (depth.get(a.id) ?? 0) - (depth.get(b.id) ?? 0) || a.id - b.id);
    const frames = children.filter((b) => b.kind !== 'task');
    const items: Box['items'] = [];

    const cells = cardCells(tasks, depth);
    let columns = 0;
    let rows = 0;
    tasks.forEach((t, i) => {
      const [column, row] = cells[i];
      items.push({ block: t, x: column * (CARD.width + GAP), y: row * (CARD.height + GAP) });
      columns = Math.max(columns, column + 1);
      rows = Math.max(rows, row + 1);
    });
    let width = columns ? columns * CARD.width + (columns - 1) * GAP : 0;
    let y = rows ? rows * CARD.height + (rows - 1) * GAP + gap : 0;

    const boxes = frames.map((f) => ({ block: f, box: frame(f) }));
    const perRow = Math.ceil(Math.sqrt(boxes.length));
    for (let start = 0; start < boxes.length; start += perRow) {
      let x = 0;
      let rowHeight = 0;
      for (const { block, box } of boxes.slice(start, start + perRow)) {
        items.push({ block, x, y, box });
        x += box.width + gap;
        rowHeight = Math.max(rowHeight, box.height);
      }
      width = Math.max(width, x - gap);
      y += rowHeight + gap;
    }
    return { width, height: Math.max(0, y - gap), items };
  };

  const frame = (f: Block): Box => {
    const inner = arrange(f.id, GAP);
    return {
      width: Math.max(EMPTY.width, inner.width + 2 * PAD),
      height: Math.max(EMPTY.height, HEADER + inner.height + PAD),
      items: inner.items.map((i) => ({ ...i, x: i.x + PAD, y: i.y + HEADER })),
    };
  };

  const placed: Placed[] = [];
  const emit = (box: Box, parent: number | undefined, absX: number, absY: number, level: number) => {
    for (const item of box.items) {
      const p: Placed = {
        block: item.block, parent, x: item.x, y: item.y, absX: absX + item.x, absY: absY + item.y,
        width: item.box?.width ?? CARD.width, height: item.box?.height ?? CARD.height, level,
      };
      placed.push(p);
      if (item.box) emit(item.box, item.block.id, p.absX, p.absY, level + 1);
    }
  };
  const board = arrange(ROOT, ROOT_GAP);
  emit(board, undefined, 0, 0, 0);

  return { placed, byId: new Map(placed.map((p) => [p.block.id, p])), bounds: { x: 0, y: 0, width: board.width, height: board.height }, index };
}

/**
 * The grid cell [column, row] of each task card, the tasks sorted by depth then id. When the tasks fall into a
 * few depths, each depth is a column, so dependencies point left to right; otherwise (one depth, long chains,
 * or one crowded depth) a near-square grid filled row by row, which still reads in dependency order.
 */
function cardCells(tasks: readonly Block[], depth: ReadonlyMap<number, number>): [number, number][] {
  const perLevel = new Map<number, number>(); // depth → tasks at it, in depth order
  for (const t of tasks) perLevel.set(depth.get(t.id) ?? 0, (perLevel.get(depth.get(t.id) ?? 0) ?? 0) + 1);
  const square = Math.ceil(Math.sqrt(tasks.length));
  if (perLevel.size >= 2 && perLevel.size <= MAX_COLUMNS && Math.max(...perLevel.values()) <= 2 * square) {
    const column = new Map([...perLevel.keys()].map((d, i) => [d, i]));
    const rows = new Map<number, number>();
    return tasks.map((t) => {
      const c = column.get(depth.get(t.id) ?? 0)!;
      const r = rows.get(c) ?? 0;
      rows.set(c, r + 1);
      return [c, r];
    });
  }
  const columns = Math.min(MAX_COLUMNS, square);
  return tasks.map((_, i) => [i % columns, Math.floor(i / columns)]);
}

/**
 * The frame a dragged block would land in when dropped at `point` (board coordinates): the innermost frame
 * under the point that may hold it, never itself or a frame inside it. Undefined when there is none.
 */
export function dropTarget(layout: BoardLayout, dragged: Block, point: { x: number; y: number }): Block | undefined {
  const inside = new Set(descendants(dragged.id, layout.index).map((b) => b.id)).add(dragged.id);
  let best: Placed | undefined;
  for (const p of layout.placed) {
    if (p.block.kind === 'task' || inside.has(p.block.id) || !canHold(p.block.kind, dragged.kind)) continue;
    const hit = point.x >= p.absX && point.x <= p.absX + p.width && point.y >= p.absY && point.y <= p.absY + p.height;
    if (hit && (!best || p.level > best.level)) best = p;
  }
  return best?.block;
}

export type Viewport = { x: number; y: number; zoom: number };

/** Below this zoom cards are unreadable, and a big board would draw thousands of nodes at once. */
export const START_MIN_ZOOM = 0.6;

/**
 * The first view of a board in a `width`×`height` pane: the whole board, centred, when it fits at a readable
 * zoom; otherwise its top-left corner at that zoom, where the first services are.
 */
export function initialViewport(bounds: Rect, width: number, height: number, padding = 24): Viewport {
  const fit = Math.min((width - 2 * padding) / Math.max(1, bounds.width), (height - 2 * padding) / Math.max(1, bounds.height));
  if (fit >= START_MIN_ZOOM) {
    const zoom = Math.min(1, fit);
    return {
      x: (width - bounds.width * zoom) / 2 - bounds.x * zoom,
      y: (height - bounds.height * zoom) / 2 - bounds.y * zoom,
      zoom,
    };
  }
  return { x: padding - bounds.x * START_MIN_ZOOM, y: padding - bounds.y * START_MIN_ZOOM, zoom: START_MIN_ZOOM };
}
