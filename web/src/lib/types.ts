// The shapes of the public API's answers, as the page uses them (docs/api.md has them all).

export type RunStatus = 'queued' | 'running' | 'needs-you' | 'paused' | 'succeeded' | 'failed' | 'canceled';
export type StepStatus =
  | 'pending' | 'ready' | 'running' | 'waiting' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'canceled';

export type Step = {
  id: string;
  kind: string;
  status: StepStatus;
  attempts: number;
  readyAt?: string;
  startedAt?: string;
  finishedAt?: string;
  outputs?: Record<string, unknown>;
  error?: string;
  decision?: number;
};

export type Run = {
  id: number;
  workspace: string;
  pipeline: string;
  version: number;
  status: RunStatus;
  inputs?: Record<string, unknown>;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
  steps: Step[];
};

export type Decision = {
  id: number;
  run: number;
  pipeline?: string;
  step: string;
  status: string;
  prompt: string;
  kind?: string;
  createdAt: string;
  deadline?: string;
};

export type Attention = {
  id: number;
  type: string;
  run?: number;
  step?: string;
  summary: string;
  raisedAt?: string;
};

/** One entry of the event log, as the stream and the export send it. */
export type LoggedEvent = {
  id: number;
  ts: string;
  workspace?: string;
  type: string;
  run?: number;
  step?: string;
  attempt?: number;
  data: Record<string, unknown>;
};

export type PipelineStep = { id: string; kind: string; needs: string[]; when?: string };
export type Pipeline = {
  name: string;
  version: number;
  description?: string;
  inputs: Record<string, { name: string; required: boolean; defaultValue?: string; description?: string }>;
  steps: PipelineStep[];
};

export type BlockKind = 'service' | 'module' | 'task';
export type TaskStatus = 'planned' | 'ready' | 'in-progress' | 'needs-attention' | 'pr-ready' | 'done';
export type Block = {
  id: number;
  kind: BlockKind;
  parent?: number;
  name: string;
  description: string;
  repository?: string;
  pipeline?: string;
  dependsOn: number[];
  status?: TaskStatus;
  latestRun?: number;
  createdAt: string;
};

export type WavePlan = { maxParallel: number; layers: number[][]; waves: number[][]; blockedBy: Record<string, number[]> };
export type Wave = {
  id: number;
  status: string;
  maxParallel: number;
  tasks: { task: number; status: string; run?: number; error?: string }[];
  createdAt: string;
  finishedAt?: string;
};

export type Page<T> = { items: T[] };
