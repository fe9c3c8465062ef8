// The board's data: its blocks, kept current as runs move, and the pipelines and repositories its forms offer.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, describe, wsPath } from '../lib/api';
import { live } from '../lib/live';
import type { Block, Page } from '../lib/types';
import { touchesBoard } from './model';

export type BoardData = {
  blocks: Block[] | null;
  error: string | null;
  pipelines: string[];
  repositories: string[];
  /** Fetches the blocks again; resolves once they are in state. */
  reload: () => Promise<void>;
};

/** How long a burst of run events is gathered into one refetch. */
const SETTLE_MS = 300;

export function useBoard(workspace: string): BoardData {
  const [blocks, setBlocks] = useState<Block[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pipelines, setPipelines] = useState<string[]>([]);
  const [repositories, setRepositories] = useState<string[]>([]);
  // Only the newest request may write: a slow answer must not replace a newer one.
  const latestRequest = useRef(0);
  const latestRuns = useRef<ReadonlySet<number>>(new Set());

  const reload = useCallback(async () => {
    const request = ++latestRequest.current;
    try {
      const page = await api<Page<Block>>(wsPath(workspace, '/blocks'));
      if (request !== latestRequest.current) return;
      latestRuns.current = new Set(page.items.flatMap((b) => (b.latestRun === undefined ? [] : [b.latestRun])));
      setBlocks(page.items);
      setError(null);
    } catch (e) {
      if (request === latestRequest.current) setError(describe(e));
    }
  }, [workspace]);

  useEffect(() => {
    setBlocks(null);
    void reload();
    api<Page<{ name: string }>>(wsPath(workspace, '/pipelines'))
      .then((p) => setPipelines(p.items.map((i) => i.name).sort()), () => setPipelines([]));
    api<{ repositories: { name: string }[] }>(wsPath(workspace, '/repositories'))
      .then((r) => setRepositories(r.repositories.map((i) => i.name).sort()), () => setRepositories([]));
  }, [workspace, reload]);

  // A task's status follows its latest run: refetch when such a run moves or a new run is queued. Events come
  // in bursts (a run's steps finishing), so the first one schedules one refetch and the rest join it.
  useEffect(() => {
    let timer = 0;
    const off = live.onEvent((e) => {
      if (timer || !touchesBoard(e, latestRuns.current)) return;
      timer = window.setTimeout(() => {
        timer = 0;
        void reload();
      }, SETTLE_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [reload]);

  return { blocks, error, pipelines, repositories, reload };
}
