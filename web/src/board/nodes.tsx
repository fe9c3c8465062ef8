// How blocks look on the canvas. A board may hold thousands of blocks, so the node components are memoised
// and cheap: no effects, no shadows.
import { memo } from 'react';
import { Handle, Position, type NodeProps, type NodeTypes } from '@xyflow/react';
import { Badge } from '../components/ui';
import { Link } from '../lib/router';
import { HEADER } from './layout';
import type { BlockNode } from './flow';

const frameHandleStyle = { top: HEADER / 2 };

const FrameNode = memo(function FrameNode({ data, selected }: NodeProps<BlockNode>) {
  const b = data.block;
  return (
    <div className={`frame ${b.kind}${selected ? ' selected' : ''}`} data-block={b.id} data-kind={b.kind} title={b.description || undefined}>
      <Handle type="target" position={Position.Left} style={frameHandleStyle} title="Drop a connection here: this depends on that block" />
      <div className="frame-title">
        <span className="kind">{b.kind}</span>
        <span className="name">{b.name}</span>
        {b.repository && <span className="repo mono" title="repository">{b.repository}</span>}
      </div>
      <Handle type="source" position={Position.Right} style={frameHandleStyle} title="Drag to a block that depends on this one" />
    </div>
  );
});

const TaskNode = memo(function TaskNode({ data, selected }: NodeProps<BlockNode>) {
  const b = data.block;
  const status = b.status ?? 'planned';
  return (
    <div className={`card${selected ? ' selected' : ''}`} data-block={b.id} data-kind="task" data-status={status}
      title={b.description || undefined}>
      <Handle type="target" position={Position.Left} title="Drop a connection here: this task depends on that block" />
      <div className="card-head">
        <span className="card-title">{b.name}</span>
        {b.latestRun !== undefined && (
          <Link className="nodrag nopan run-link" to={`/w/${encodeURIComponent(data.workspace)}/runs/${b.latestRun}`}
            title="Open the latest run">run #{b.latestRun}</Link>
        )}
      </div>
      <div className="card-meta">
        <Badge status={status} />
        <span className={b.pipeline ? 'pipeline mono' : 'pipeline muted'} title="pipeline">{b.pipeline ?? 'no pipeline'}</span>
      </div>
      <Handle type="source" position={Position.Right} title="Drag to a block that depends on this task" />
    </div>
  );
});

/** Defined once: React Flow re-creates every node when this object changes. */
export const nodeTypes: NodeTypes = { frame: FrameNode, task: TaskNode };
