import { describe, expect, it } from 'vitest';
import { layoutDag } from './dag';

describe('layoutDag', () => {
  it('puts each step one column after the last of its needs', () => {
    const placed = layoutDag([
      { id: 'build', needs: [] },
      { id: 'lint', needs: [] },
      { id: 'test', needs: ['build'] },
      { id: 'ship', needs: ['test', 'lint'] },
    ]);
    expect(['build', 'lint', 'test', 'ship'].map((id) => placed.get(id)!.column)).toEqual([0, 0, 1, 2]);
  });

  it('never puts two steps on the same spot, and keeps a chain on one row', () => {
    const nodes = Array.from({ length: 200 }, (_, i) => ({ id: `s${i}`, needs: i % 10 === 0 ? [] : [`s${i - 1}`] }));
    const placed = layoutDag(nodes);
    const spots = new Set([...placed.values()].map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(200);
    expect(new Set(Array.from({ length: 10 }, (_, i) => placed.get(`s${30 + i}`)!.row)).size).toBe(1);
  });

  it('ignores needs it does not know instead of failing', () => {
    expect(layoutDag([{ id: 'a', needs: ['gone'] }]).get('a')!.column).toBe(0);
  });
});
