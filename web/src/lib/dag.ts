// A layered drawing of a pipeline's steps, left to right: a step's column is the length of the longest
// chain of needs before it, and within a column steps follow the average row of what they need (one
// barycentre pass), which keeps most edges short and straight. Linear in steps plus edges, so a 200-step
// pipeline lays out in well under a millisecond, with no layout library in the bundle.

export type DagNode = { id: string; needs: readonly string[] };
export type Placed = { id: string; column: number; row: number; x: number; y: number };

export const STEP_WIDTH = 170;
export const STEP_HEIGHT = 58;
const GAP_X = 60;
const GAP_Y = 18;

export function layoutDag(nodes: readonly DagNode[]): Map<string, Placed> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const columnOf = (id: string): number => {
    const known = column.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle cannot come from the server; do not loop if it ever did
    visiting.add(id);
    let c = 0;
    for (const need of byId.get(id)?.needs ?? []) if (byId.has(need)) c = Math.max(c, columnOf(need) + 1);
    visiting.delete(id);
    column.set(id, c);
    return c;
  };
  const columns: string[][] = [];
  for (const n of nodes) (columns[columnOf(n.id)] ??= []).push(n.id); // definition order within a column first

  const row = new Map<string, number>();
  const placed = new Map<string, Placed>();
  columns.forEach((ids, c) => {
    const weight = (id: string) => {
      const rows = (byId.get(id)?.needs ?? []).map((n) => row.get(n)).filter((r): r is number => r !== undefined);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Number.MAX_SAFE_INTEGER;
    };
    const order = ids.map((id, i) => ({ id, w: weight(id), i })).sort((a, b) => a.w - b.w || a.i - b.i);
    order.forEach(({ id }, r) => {
      row.set(id, r);
      placed.set(id, { id, column: c, row: r, x: c * (STEP_WIDTH + GAP_X), y: r * (STEP_HEIGHT + GAP_Y) });
    });
  });
  return placed;
}
