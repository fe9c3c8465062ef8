// The board: the workspace's services, modules and tasks on a canvas, with their dependency edges. Editing
// happens in the side panel, by dragging (re-parenting) and by drawing edges; tasks start runs and waves.
// The blocks are laid out once per fetch (board/layout.ts); React Flow draws only what is in view.
import {
  memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type Dispatch, type KeyboardEvent as ReactKeyboardEvent,
  type SetStateAction,
} from 'react';
import {
  Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, applyEdgeChanges, applyNodeChanges, useReactFlow,
  type Connection, type Edge, type EdgeChange, type IsValidConnection, type NodeChange, type OnBeforeDelete,
  type OnNodeDrag,
} from '@xyflow/react';
import { api, describe, wsPath } from '../lib/api';
import type { Block, BlockKind, WavePlan } from '../lib/types';
import { Confirm, Empty } from '../components/ui';
import { NewBlockDialog } from '../board/create';
import { useBoard } from '../board/data';
import { dropTarget, initialViewport, layoutBoard, type BoardLayout, type Viewport } from '../board/layout';
import { boardEdges, descendants, type BoardIndex } from '../board/model';
import { reconcile, reconcileEdges, toEdges, toNodes, type BlockNode } from '../board/flow';
import { nodeTypes } from '../board/nodes';
import { BlockPanel, EdgePanel, HelpPanel, SelectionPanel, makeLabels, type PanelContext } from '../board/panel';
import { RecentWaves, WavePlanDialog, type PlannedWave } from '../board/waves';
import '../board/board.css';

// Stable objects: React Flow treats a new array as a change of its options.
const DELETE_KEYS = ['Delete', 'Backspace'];
const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control'];
const MINIMAP_SIZE = { width: 160, height: 110 };

export function BoardPage({ workspace }: { workspace: string }) {
  return (
    <ReactFlowProvider key={workspace}>
      <Board workspace={workspace} />
    </ReactFlowProvider>
  );
}

function Board({ workspace }: { workspace: string }) {
  const data = useBoard(workspace);
  const { blocks, reload } = data;
  const layout = useMemo(() => (blocks ? layoutBoard(blocks) : null), [blocks]);
  const freshNodes = useMemo(() => (layout ? toNodes(layout, workspace) : []), [layout, workspace]);
  const freshEdges = useMemo(() => (blocks && layout ? toEdges(boardEdges(blocks, layout.index.byId), layout.index.byId) : []),
    [blocks, layout]);
  const [nodes, setNodes] = useState<BlockNode[]>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [creating, setCreating] = useState<BlockKind | null>(null);
  const [deleting, setDeleting] = useState<Block | null>(null);
  const [planned, setPlanned] = useState<PlannedWave | null>(null);
  // The block to select and show once the nodes hold it: one just created, found, or named in the URL.
  const [focus, setFocus] = useState<number | null>(() => Number(new URLSearchParams(location.search).get('block')) || null);

  useEffect(() => setNodes((prev) => reconcile(prev, freshNodes)), [freshNodes]);
  useEffect(() => setEdges((prev) => reconcileEdges(prev, freshEdges)), [freshEdges]);

  // The first layout of the fetched blocks is on screen: what the performance budget of the board measures.
  const ready = useRef(false);
  useEffect(() => {
    if (ready.current || !layout || nodes.length !== layout.placed.length) return;
    ready.current = true;
    requestAnimationFrame(() => setTimeout(() => performance.mark('agentry:board-ready'), 0));
  }, [nodes, layout]);

  const clearFocus = useCallback(() => setFocus(null), []);
  const label = useMemo(() => makeLabels(blocks ?? []), [blocks]);
  const ctx: PanelContext | null = useMemo(() => (layout && blocks ? {
    workspace, blocks, index: layout.index, label, pipelines: data.pipelines, repositories: data.repositories, reload,
  } : null), [workspace, blocks, layout, label, data.pipelines, data.repositories, reload]);

  // Keyed by the selected ids, not the nodes: a drag changes the nodes every frame but not the selection, and
  // the panel (with its lists of every block) should not re-render then.
  const selectedIds = nodes.filter((n) => n.selected).map((n) => n.id).join(',');
  const selected = useMemo(() => (selectedIds ? selectedIds.split(',') : []).flatMap((id) => layout?.index.byId.get(Number(id)) ?? []),
    [selectedIds, layout]);
  const selectedEdge = useMemo(() => (selected.length ? undefined : edges.find((e) => e.selected)), [selected, edges]);

  const select = useCallback((ids: readonly number[]) => {
    const want = new Set(ids.map(String));
    setNodes((ns) => ns.map((n) => (want.has(n.id) === !!n.selected ? n : { ...n, selected: want.has(n.id) })));
    setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
  }, []);

  const deselect = useCallback((id: number) => select(selected.filter((b) => b.id !== id).map((b) => b.id)), [select, selected]);

  const plan = useCallback(async (tasks: number[], maxParallel: number) => {
    try {
      const result = await api<WavePlan>(wsPath(workspace, '/waves/plan'), { body: { tasks, maxParallel } });
      setPlanned({ tasks, plan: result });
      return null;
    } catch (e) {
      return describe(e);
    }
  }, [workspace]);

  const remove = async (b: Block) => {
    try {
      await api(wsPath(workspace, `/blocks/${b.id}`), { method: 'DELETE' });
      await reload();
    } catch (e) {
      setNotice(describe(e));
    }
  };

  const name = useCallback((id: number) => {
    const b = layout?.index.byId.get(id);
    return b ? label(b) : `#${id}`;
  }, [layout, label]);

  if (!blocks || !layout || !ctx) {
    return <div className="board"><div className="empty" role="status">{data.error ? <p className="error">{data.error}</p> : 'Loading the board…'}</div></div>;
  }
  const single = selected.length === 1 ? selected[0] : undefined;
  const edgeEnds = selectedEdge && [layout.index.byId.get(Number(selectedEdge.source)), layout.index.byId.get(Number(selectedEdge.target))];

  return (
    <div className="board">
      <Toolbar layout={layout} selected={single} label={label} onCreate={setCreating} onFind={setFocus} workspace={workspace} />
      {notice && (
        <div className="board-notice" role="alert">
          <span className="grow">{notice}</span>
          <button type="button" onClick={() => setNotice(null)}>Dismiss</button>
        </div>
      )}
      {data.error && <div className="board-notice" role="alert">The board could not be refreshed: {data.error}</div>}
      <div className="board-main">
        <div className="board-canvas">
          {blocks.length === 0 ? (
            <Empty title="This board is empty">
              <p>Start with a service: a part of your system, usually one repository. Then add modules and tasks to it,<br />
                draw the dependencies between tasks, give each task a pipeline, and run them one by one or in waves.</p>
              <button type="button" className="primary" onClick={() => setCreating('service')}>New service</button>
            </Empty>
          ) : (
            <Canvas workspace={workspace} layout={layout} nodes={nodes} edges={edges} setNodes={setNodes} setEdges={setEdges}
              freshNodes={freshNodes} reload={reload} onNotice={setNotice} onDelete={setDeleting} focus={focus} onFocused={clearFocus}
              select={select} />
          )}
        </div>
        <aside className="board-panel" aria-label="Selection details">
          {single ? (
            <BlockPanel key={single.id} ctx={ctx} block={single} onDelete={setDeleting} onSelectTasks={select} />
          ) : selected.length > 1 ? (
            <SelectionPanel ctx={ctx} selected={selected} onPlan={plan} onDeselect={deselect} />
          ) : edgeEnds?.[0] && edgeEnds[1] ? (
            <EdgePanel key={selectedEdge!.id} ctx={ctx} from={edgeEnds[0]} to={edgeEnds[1]} />
          ) : (
            <HelpPanel />
          )}
        </aside>
      </div>
      <NewBlockDialog ctx={ctx} kind={creating} parent={creating ? defaultParent(creating, single, layout.index) : undefined}
        onClose={() => setCreating(null)} onCreated={(b) => {
          setCreating(null);
          setFocus(b.id);
          void reload();
        }} />
      <Confirm open={deleting !== null} title={deleting ? `Delete the ${deleting.kind} “${deleting.name}”?` : ''} confirm="Delete"
        message={deleting && deleteMessage(deleting, layout.index)} onAnswer={(yes) => {
          const b = deleting;
          setDeleting(null);
          if (yes && b) void remove(b);
        }} />
      <WavePlanDialog workspace={workspace} planned={planned} name={name} onClose={() => setPlanned(null)} />
    </div>
  );
}

/** Where a new block goes unless the user says otherwise: into the selected frame, or next to the selected task. */
function defaultParent(kind: BlockKind, selected: Block | undefined, index: BoardIndex): number | undefined {
  let at = selected;
  // climb to the nearest block that may hold the new one
  while (at && !(kind === 'module' ? at.kind === 'service' : kind === 'task' && at.kind !== 'task')) {
    at = at.parent === undefined ? undefined : index.byId.get(at.parent);
  }
  return at?.id;
}

function deleteMessage(b: Block, index: BoardIndex): string {
  const under = descendants(b.id, index);
  if (under.length === 0) return 'Its dependency edges go with it. This cannot be undone.';
  const count = (kind: BlockKind, one: string, many: string) => {
    const n = under.filter((u) => u.kind === kind).length;
    return n ? [`${n} ${n === 1 ? one : many}`] : [];
  };
  const parts = [...count('module', 'module', 'modules'), ...count('task', 'task', 'tasks')].join(' and ');
  return `The ${under.length} ${under.length === 1 ? 'block' : 'blocks'} under it (${parts}) go too, with every edge that touches them. This cannot be undone.`;
}

const Toolbar = memo(function Toolbar({ workspace, layout, selected, label, onCreate, onFind }: {
  workspace: string; layout: BoardLayout; selected: Block | undefined; label: (b: Block) => string;
  onCreate: (kind: BlockKind) => void; onFind: (id: number) => void;
}) {
  const [query, setQuery] = useState('');
  const ids = useMemo(() => new Map(layout.placed.map((p) => [label(p.block), p.block.id])), [layout, label]);
  const counts = { service: 0, module: 0, task: 0 };
  for (const p of layout.placed) counts[p.block.kind]++;
  const noService = counts.service === 0;
  return (
    <div className="board-toolbar">
      <button type="button" onClick={() => onCreate('service')}>New service</button>
      <button type="button" onClick={() => onCreate('module')} disabled={noService} title={noService ? 'Create a service first' : undefined}>New module</button>
      <button type="button" onClick={() => onCreate('task')} disabled={noService} title={noService ? 'Create a service first' : undefined}>New task</button>
      <input className="find" type="search" list="board-find" placeholder="Find a block…" aria-label="Find a block" value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          const id = ids.get(e.target.value);
          if (id !== undefined) onFind(id);
        }} />
      <datalist id="board-find">
        {[...ids.keys()].map((k) => <option key={k} value={k} />)}
      </datalist>
      <RecentWaves workspace={workspace} />
      <span className="grow" />
      <span className="muted counts">
        {counts.service} services · {counts.module} modules · {counts.task} tasks{selected ? ` · ${selected.name} selected` : ''}
      </span>
    </div>
  );
});

function Canvas({ workspace, layout, nodes, edges, setNodes, setEdges, freshNodes, reload, onNotice, onDelete, focus, onFocused, select }: {
  workspace: string; layout: BoardLayout; nodes: BlockNode[]; edges: Edge[];
  setNodes: Dispatch<SetStateAction<BlockNode[]>>; setEdges: Dispatch<SetStateAction<Edge[]>>;
  freshNodes: BlockNode[]; reload: () => Promise<void>; onNotice: (m: string | null) => void; onDelete: (b: Block) => void;
  focus: number | null; onFocused: () => void; select: (ids: number[]) => void;
}) {
  const flow = useReactFlow<BlockNode, Edge>();
  const box = useRef<HTMLDivElement>(null);
  // The first view, once the pane's size is known: the whole board when it is readable so, else its top-left.
  const [viewport, setViewport] = useState<Viewport | null>(null);
  // Position changes are kept only while the user drags: arrow keys would otherwise move a card off its place.
  const dragging = useRef(false);

  useLayoutEffect(() => {
    const el = box.current!;
    setViewport(initialViewport(layout.bounds, el.clientWidth, el.clientHeight));
  }, []); // the first view only: later layouts keep the user's view

  useEffect(() => {
    const p = focus === null ? undefined : layout.byId.get(focus);
    if (!p || !viewport || !nodes.some((n) => n.id === String(focus))) return;
    onFocused();
    select([p.block.id]);
    const height = box.current?.clientHeight ?? 600;
    void flow.setCenter(p.absX + p.width / 2, p.absY + Math.min(p.height / 2, height / 3), { zoom: Math.max(flow.getZoom(), 0.8) });
  }, [focus, layout, nodes, viewport, flow, onFocused, select]);

  const onNodesChange = useCallback((changes: NodeChange<BlockNode>[]) => {
    const kept = dragging.current ? changes : changes.filter((c) => c.type !== 'position');
    if (kept.length) setNodes((ns) => applyNodeChanges(kept, ns));
  }, [setNodes]);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const kept = changes.filter((c) => c.type === 'select');
    if (kept.length) setEdges((es) => applyEdgeChanges(kept, es));
  }, [setEdges]);

  const onNodeDragStart = useCallback(() => {
    dragging.current = true;
  }, []);

  const snapBack = useCallback(() => setNodes((ns) => reconcile(ns, freshNodes)), [setNodes, freshNodes]);

  const onNodeDragStop: OnNodeDrag<BlockNode> = useCallback(async (event, node, dragged) => {
    dragging.current = false;
    const b = layout.index.byId.get(Number(node.id));
    if (!b) return snapBack();
    if (dragged.length > 1) {
      snapBack();
      onNotice('Move one block at a time: drag a single module or task onto the frame it should go in.');
      return;
    }
    const pointer = 'clientX' in event ? event : event.changedTouches[0];
    const target = dropTarget(layout, b, flow.screenToFlowPosition({ x: pointer.clientX, y: pointer.clientY }));
    if (target?.id === b.parent) return snapBack();
    if (!target) {
      snapBack();
      onNotice(`A ${b.kind} goes in ${b.kind === 'module' ? 'a service' : 'a module or a service'}: drop it onto one to move it.`);
      return;
    }
    try {
      await api(wsPath(workspace, `/blocks/${b.id}`), { method: 'PATCH', body: { parent: target.id } });
      onNotice(null);
      await reload();
    } catch (e) {
      snapBack();
      onNotice(describe(e));
    }
  }, [layout, flow, workspace, reload, snapBack, onNotice]);

  // Drawn from the dependency (its right-hand handle) to the block that depends on it.
  const onConnect = useCallback(async (c: Connection) => {
    try {
      await api(wsPath(workspace, `/blocks/${c.target}/edges`), { body: { dependsOn: Number(c.source) } });
      onNotice(null);
      await reload();
    } catch (e) {
      onNotice(describe(e));
    }
  }, [workspace, reload, onNotice]);

  const isValidConnection: IsValidConnection = useCallback((c) => c.source !== c.target, []);

  // The Delete key: a selected block asks first (its blocks go with it); selected edges go at once. The board
  // changes only through the server, so React Flow never removes anything itself.
  const onBeforeDelete: OnBeforeDelete<BlockNode, Edge> = useCallback(async ({ nodes: ns, edges: es }) => {
    // React Flow adds the nodes inside a selected frame; the confirmation counts those itself.
    const ids = new Set(ns.map((n) => n.id));
    const tops = ns.filter((n) => !n.parentId || !ids.has(n.parentId));
    if (tops.length === 1) {
      onDelete(tops[0].data.block);
    } else if (tops.length > 1) {
      onNotice('Delete one block at a time: the confirmation says what goes with it.');
    } else if (es.length) {
      try {
        for (const e of es) await api(wsPath(workspace, `/blocks/${e.target}/edges/${e.source}`), { method: 'DELETE' });
        onNotice(null);
      } catch (err) {
        onNotice(describe(err));
      }
      await reload();
    }
    return false;
  }, [workspace, reload, onDelete, onNotice]);

  const onKeyDown = (e: ReactKeyboardEvent) => {
    if (e.key === 'Escape') select([]);
  };

  return (
    <div className="board-flow" ref={box} onKeyDown={onKeyDown}>
      {viewport && (
        <ReactFlow<BlockNode, Edge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStart={onNodeDragStart}
          onNodeDragStop={onNodeDragStop}
          onConnect={onConnect}
          isValidConnection={isValidConnection}
          onBeforeDelete={onBeforeDelete}
          deleteKeyCode={DELETE_KEYS}
          multiSelectionKeyCode={MULTI_SELECT_KEYS}
          onlyRenderVisibleElements
          defaultViewport={viewport}
          minZoom={0.05}
          maxZoom={1.5}
          panOnScroll
          elevateEdgesOnSelect
        >
          <Background gap={24} />
          <Controls showInteractive={false} />
          <MiniMap pannable zoomable ariaLabel="Map of the board" style={MINIMAP_SIZE} />
        </ReactFlow>
      )}
    </div>
  );
}
