import { describe, expect, it } from 'vitest';
import { applyToRun } from './runs';
import type { LoggedEvent, Run } from './types';

const run: Run = {
  id: 7, workspace: 'default', pipeline: 'demo', version: 1, status: 'running', createdAt: '2026-01-01T00:00:00Z',
  steps: [
    { id: 'build', kind: 'command', status: 'pending', attempts: 0 },
    { id: 'test', kind: 'command', status: 'pending', attempts: 0 },
  ],
};
let id = 0;
const ev = (type: string, extra: Partial<LoggedEvent> = {}): LoggedEvent => ({ id: ++id, ts: `2026-01-01T00:00:0${id % 10}Z`, type, run: 7, data: {}, ...extra });

describe('applyToRun', () => {
  it('follows a step through its attempts to success', () => {
    let r = applyToRun(run, ev('step.started', { step: 'build', attempt: 1, data: { node: 'n1' } }));
    expect(r.steps[0]).toMatchObject({ status: 'running', attempts: 1 });
    r = applyToRun(r, ev('step.retrying', { step: 'build', attempt: 1, data: { error: 'exit 1' } }));
    expect(r.steps[0]).toMatchObject({ status: 'retrying', error: 'exit 1' });
    r = applyToRun(r, ev('step.started', { step: 'build', attempt: 2, data: {} }));
    r = applyToRun(r, ev('step.succeeded', { step: 'build', attempt: 2, data: { outputs: { artifact: 'a.tgz' } } }));
    expect(r.steps[0]).toMatchObject({ status: 'succeeded', attempts: 2, outputs: { artifact: 'a.tgz' } });
    expect(r.steps[0].error).toBeUndefined();
    expect(run.steps[0].status).toBe('pending'); // the run it started from is unchanged
  });

  it('shows an approval as waiting and the run as needing you', () => {
    let r = applyToRun(run, ev('step.started', { step: 'test', data: { waitingFor: 'decision' } }));
    r = applyToRun(r, ev('run.needs-you'));
    expect(r.steps[1].status).toBe('waiting');
    expect(r.status).toBe('needs-you');
  });

  it('keeps the same object for events that change nothing it shows', () => {
    expect(applyToRun(run, ev('step.log', { step: 'build', data: { seq: 0, text: 'hi' } }))).toBe(run);
    expect(applyToRun(run, ev('spend.recorded'))).toBe(run);
  });

  it('records how a run finished, and forgets it when the run is retried', () => {
    let r = applyToRun(run, ev('run.failed', { data: { error: 'step build failed' } }));
    expect(r).toMatchObject({ status: 'failed', error: 'step build failed' });
    expect(r.finishedAt).toBeDefined();
    r = applyToRun(r, ev('run.started', { data: { retry: true } }));
    expect(r.status).toBe('running');
    expect(r.finishedAt).toBeUndefined();
  });

  it('adds a step it had not heard of', () => {
    const r = applyToRun({ ...run, steps: [] }, ev('step.ready', { step: 'build' }));
    expect(r.steps).toMatchObject([{ id: 'build', status: 'ready' }]);
  });
});
