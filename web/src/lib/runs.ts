// How one event of the log changes what the page knows of a run: the same rules for the live stream and
// for events replayed after a fetch. Pure functions, so they are tested without a browser.
import type { LoggedEvent, Run, Step, StepStatus } from './types';

export const FINISHED_RUN = new Set(['succeeded', 'failed', 'canceled']);
export const FINISHED_STEP = new Set<StepStatus>(['succeeded', 'failed', 'skipped', 'canceled']);

/** The run after the event, or the same object when the event does not change it. */
export function applyToRun(run: Run, e: LoggedEvent): Run {
  if (e.type.startsWith('run.')) {
    const status = runStatusOf(e);
    if (!status) return run;
    const next: Run = { ...run, status };
    if (e.type === 'run.started' && !run.startedAt) next.startedAt = e.ts;
    if (FINISHED_RUN.has(status)) {
      next.finishedAt = e.ts;
      if (typeof e.data.error === 'string') next.error = e.data.error;
    } else if (e.data.retry) {
      next.finishedAt = undefined;
      next.error = undefined;
    }
    return next;
  }
  if (e.type.startsWith('step.') && e.step) {
    const i = run.steps.findIndex((s) => s.id === e.step);
    const step = i >= 0 ? run.steps[i] : ({ id: e.step, kind: '', status: 'pending', attempts: 0 } as Step);
    const changed = applyToStep(step, e);
    if (changed === step) return run;
    const steps = run.steps.slice();
    if (i >= 0) steps[i] = changed;
    else steps.push(changed);
    return { ...run, steps };
  }
  return run;
}

function runStatusOf(e: LoggedEvent): Run['status'] | null {
  switch (e.type) {
    case 'run.queued': return 'queued';
    case 'run.started':
    case 'run.resumed': return 'running';
    case 'run.needs-you': return 'needs-you';
    case 'run.paused': return 'paused';
    case 'run.succeeded': return 'succeeded';
    case 'run.failed': return 'failed';
    case 'run.canceled': return 'canceled';
    default: return null;
  }
}

export function applyToStep(step: Step, e: LoggedEvent): Step {
  const attempts = e.attempt && e.attempt > step.attempts ? e.attempt : step.attempts;
  switch (e.type) {
    case 'step.ready':
      return { ...step, status: 'ready', readyAt: e.ts, finishedAt: undefined, error: undefined };
    case 'step.continued':
      return { ...step, status: 'ready', attempts };
    case 'step.started':
      return {
        ...step,
        status: e.data.waitingFor ? 'waiting' : 'running',
        attempts,
        startedAt: step.status === 'retrying' && step.startedAt ? step.startedAt : e.ts,
        finishedAt: undefined,
        decision: typeof e.data.decision === 'number' ? e.data.decision : step.decision,
      };
    case 'step.retrying':
      return { ...step, status: 'retrying', attempts, error: str(e.data.error) };
    case 'step.succeeded':
      return { ...step, status: 'succeeded', attempts, finishedAt: e.ts, outputs: (e.data.outputs as Record<string, unknown>) ?? step.outputs, error: undefined };
    case 'step.failed':
      return { ...step, status: 'failed', attempts, finishedAt: e.ts, error: str(e.data.error) };
    case 'step.skipped':
      return { ...step, status: 'skipped', finishedAt: e.ts };
    case 'step.canceled':
      return { ...step, status: 'canceled', finishedAt: e.ts };
    default:
      return step; // step.log, step.progress: not the step's state
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** A run's duration so far, or in all once it finished, in milliseconds. */
export function elapsed(from?: string, to?: string, now = Date.now()): number | undefined {
  if (!from) return undefined;
  return (to ? Date.parse(to) : now) - Date.parse(from);
}
