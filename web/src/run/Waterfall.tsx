// The run's steps on one time axis: when each started, how long it ran, which ones overlapped.
import { memo } from 'react';
import { duration } from '../lib/format';
import { elapsed } from '../lib/runs';
import type { Run } from '../lib/types';
import { useNow } from '../components/ui';

function WaterfallView({ run, onSelect }: { run: Run; onSelect: (step: string) => void }) {
  const now = useNow(run.finishedAt ? 60_000 : 1000);
  const started = run.steps.filter((s) => s.startedAt);
  if (!started.length) return <p className="muted">No step has started yet.</p>;
  const t0 = Math.min(...started.map((s) => Date.parse(s.startedAt!)));
  const t1 = Math.max(t0 + 1, ...started.map((s) => (s.finishedAt ? Date.parse(s.finishedAt) : now)));
  const span = t1 - t0;
  const rows = [...started].sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!));
  return (
    <div className="waterfall" role="table" aria-label="Timeline of the run's steps">
      {rows.map((s) => {
        const from = Date.parse(s.startedAt!) - t0;
        const to = (s.finishedAt ? Date.parse(s.finishedAt) : now) - t0;
        return (
          <div key={s.id} role="row" style={{ display: 'contents' }}>
            <button role="cell" className="mono" style={{ all: 'unset', cursor: 'pointer', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
              onClick={() => onSelect(s.id)}>{s.id}</button>
            <div role="cell" className="track" title={`${s.id}: ${s.status}`}>
              <span className={`span ${s.status}`} style={{ left: `${(from / span) * 100}%`, width: `${((to - from) / span) * 100}%` }} />
            </div>
            <div role="cell" className="muted" style={{ textAlign: 'right' }}>{duration(elapsed(s.startedAt, s.finishedAt, now))}</div>
          </div>
        );
      })}
    </div>
  );
}

export const Waterfall = memo(WaterfallView);
