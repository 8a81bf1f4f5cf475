/*
 * The batch subsystem assembled: resources, jobs, and this server's scheduler with its
 * executor. Listeners learn when jobs end (the batch:submitJob.sync integration waits on it).
 */
import { existsSync } from 'node:fs';
import type { Store } from '../store/database.js';
import type { Executor } from './executors/executor.js';
import { jobPaths } from './job-records.js';
import { createJobs } from './jobs.js';
import { createBatchResources } from './resources.js';
import { Scheduler } from './scheduler.js';
import type { JobDetail } from './types.js';

export interface BatchOptions {
  dataDir: string;
  owner: string;
  executor: Executor;
  endpoint(jobId: string): { url: string; token: string };
  adoptAll: boolean;
  leaseMs?: number;
}

export function createBatch(store: Store, options: BatchOptions) {
  // The scheduler is made below, with the resources; changes come only once both exist.
  const resources = createBatchResources(store, () => scheduler.resourcesChanged());
  const listeners = new Set<(jobs: JobDetail[]) => void>();
  const announce = (jobs: JobDetail[]) => {
    for (const listener of listeners) listener(jobs);
  };
  const scheduler = new Scheduler(store, options.executor, resources, {
    owner: options.owner,
    dataDir: options.dataDir,
    endpoint: options.endpoint,
    adoptAll: options.adoptAll,
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
  });
  scheduler.onEnded = announce;
  const jobs = createJobs(store, resources, {
    ended: (ended) => {
      announce(ended);
      scheduler.wake();
    },
    wake: () => scheduler.wake(),
    terminate: (jobId, reason) => scheduler.terminate(jobId, reason),
  });
  return {
    resources,
    jobs,
    scheduler,
    /** Calls `listener` with every batch of jobs that ended; returns the unsubscribe. */
    onJobsEnded(listener: (jobs: JobDetail[]) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** The log file of a job (absent until it first runs). */
    logFile(jobId: string): string | undefined {
      const file = jobPaths(options.dataDir, jobId).logFile;
      return existsSync(file) ? file : undefined;
    },
    async start(): Promise<void> {
      await resources.ensureDefaults();
      await scheduler.start();
    },
    stop: () => scheduler.stop(),
  };
}

export type BatchService = ReturnType<typeof createBatch>;
