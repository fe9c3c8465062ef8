import { describe, expect, it } from 'vitest';
import type { Block } from '../lib/types';
import {
  boardEdges, canHold, descendants, estimateText, indexBoard, planLines, taskDepths, touchesBoard, validParents,
} from './model';

function block(id: number, kind: Block['kind'], parent?: number, dependsOn: number[] = [], extra: Partial<Block> = {}): Block {
  return { id, kind, parent, name: `b${id}`, description: '', dependsOn, createdAt: '', ...extra };
}

const board = [
  block(1, 'service'), block(2, 'module', 1), block(3, 'task', 2, [], { status: 'done', latestRun: 30 }),
  block(4, 'task', 2, [3], { status: 'ready' }), block(5, 'task', 1, [4, 2]), block(6, 'service'),
];

describe('the board\'s rules', () => {
  it('lets a service hold modules and tasks, and a module hold tasks', () => {
    expect(canHold('service', 'module')).toBe(true);
    expect(canHold('service', 'task')).toBe(true);
    expect(canHold('module', 'task')).toBe(true);
    expect(canHold('module', 'module')).toBe(false);
    expect(canHold('service', 'service')).toBe(false);
    expect(canHold('task', 'task')).toBe(false);
  });

  it('offers as parents only the blocks that may hold the block', () => {
    expect(validParents(board[1], board).map((b) => b.id)).toEqual([1, 6]);
    expect(validParents(board[3], board).map((b) => b.id)).toEqual([1, 2, 6]);
    expect(validParents(board[0], board)).toEqual([]);
  });

  it('counts everything under a block, at any depth, for the delete confirmation', () => {
    const index = indexBoard(board);
    expect(descendants(1, index).map((b) => b.id).sort()).toEqual([2, 3, 4, 5]);
    expect(descendants(3, index)).toEqual([]);
  });

  it('measures dependency depth over task edges only', () => {
    const depth = taskDepths(board);
    expect([depth.get(3), depth.get(4), depth.get(5)]).toEqual([0, 1, 2]);
  });

  it('survives a cycle in a stale read', () => {
    const depth = taskDepths([block(1, 'task', undefined, [2]), block(2, 'task', undefined, [1])]);
    expect(depth.size).toBe(2);
  });
});

describe('boardEdges', () => {
  it('draws each edge from the dependency to the block that depends on it, coloured by the dependency\'s status between tasks', () => {
    const edges = boardEdges(board, indexBoard(board).byId);
    expect(edges).toContainEqual({ id: '3->4', source: 3, target: 4, status: 'done' });
    expect(edges).toContainEqual({ id: '4->5', source: 4, target: 5, status: 'ready' });
    expect(edges).toContainEqual({ id: '2->5', source: 2, target: 5, status: undefined });
    expect(edges).toHaveLength(3);
  });
});

describe('touchesBoard', () => {
  const e = (type: string, run?: number) => ({ id: 1, ts: '', type, run, data: {} });
  it('refetches for a new run and for events of a task\'s latest run only', () => {
    const latest = new Set([30]);
    expect(touchesBoard(e('run.queued', 99), latest)).toBe(true);
    expect(touchesBoard(e('run.succeeded', 30), latest)).toBe(true);
    expect(touchesBoard(e('run.succeeded', 31), latest)).toBe(false);
    expect(touchesBoard(e('step.started', 30), latest)).toBe(false);
  });
});

describe('estimateText', () => {
  it('names the history it rests on', () => {
    expect(estimateText({ estimateUsd: 0.1234, complete: true, steps: [
      { step: 'a', basis: 'median of the last 8 attempts of this step', estimateUsd: 0.1 },
      { step: 'b', basis: 'median of the last 12 attempts of this step', estimateUsd: 0.0234 },
    ] })).toBe('about $0.12 (median of 8 runs)');
  });

  it('says when there is no history, or only some, or a step has no price', () => {
    expect(estimateText({ estimateUsd: 2, complete: true, steps: [{ step: 'a', basis: 'typical tokens for a repository agent (no history yet)', estimateUsd: 2 }] }))
      .toBe('about $2.00 (typical tokens: no run of this pipeline yet)');
    expect(estimateText({ estimateUsd: 2, complete: true, steps: [
      { step: 'a', basis: 'median of the last 3 attempts of this step', estimateUsd: 1 },
      { step: 'b', basis: 'typical tokens for an inline agent (no history yet)', estimateUsd: 1 },
    ] })).toBe('about $2.00 (history for 1 of 2 agent steps, typical tokens for the rest)');
    expect(estimateText({ estimateUsd: 1, complete: false, steps: [
      { step: 'a', basis: 'median of the last 3 attempts of this step', estimateUsd: 1 },
      { step: 'b', basis: "model 'x' has no price in the price table" },
    ] })).toBe("at least $1.00; 1 of 2 agent steps cannot be priced (model 'x' has no price in the price table)");
    expect(estimateText({ estimateUsd: 0, complete: true, steps: [] })).toBe('no agent steps: no model spend expected');
  });
});

describe('planLines', () => {
  it('lists each wave\'s tasks and what holds a task back', () => {
    const lines = planLines({ maxParallel: 2, layers: [[3, 4], [5]], waves: [[3, 4], [5]], blockedBy: { 5: [9] } }, (id) => `t${id}`);
    expect(lines.waves).toEqual(['Wave 1: t3, t4', 'Wave 2: t5']);
    expect(lines.blocked).toEqual(['t5 waits for t9, which is not in this wave and not finished']);
  });
});
