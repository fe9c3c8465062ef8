// One step of the run graph: its name, kind, state, attempt count and how long it took (or has taken so far).
import { memo } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { duration } from '../lib/format';
import { elapsed } from '../lib/runs';
import type { Step } from '../lib/types';
import { useNow } from '../components/ui';

export type StepNodeData = { step: Step; selected: boolean; silent: boolean };
export type StepFlowNode = Node<StepNodeData, 'step'>;

function StepNodeView({ data }: NodeProps<StepFlowNode>) {
  const { step, selected, silent } = data;
  const live = step.status === 'running' || step.status === 'retrying';
  return (
    <div className={`step-node ${step.status}${selected ? ' selected' : ''}`} data-step={step.id} data-status={step.status}
      title={step.error ?? `${step.id}: ${step.status}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="title">{step.id}</div>
      <div className="row" style={{ gap: 6 }}>
        <span className={`badge ${step.status}`}>{step.status}</span>
        {step.attempts > 1 && <span title="attempts">×{step.attempts}</span>}
        {silent && <span title="no sign of life from this step lately" aria-label="silent">⚠</span>}
        <span className="muted grow" style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>{live ? <Ticking from={step.startedAt} /> : duration(elapsed(step.startedAt, step.finishedAt))}</span>
      </div>
      <div className="muted" style={{ fontSize: 11 }}>{step.kind}</div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

/** Only running steps tick, so a 200-step run re-renders one node per second per running step, not all of them. */
function Ticking({ from }: { from?: string }) {
  const now = useNow(1000);
  return <>{duration(elapsed(from, undefined, now))}</>;
}

export const StepNode = memo(StepNodeView);
