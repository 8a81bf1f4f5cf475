/*
 * The one interface every executor (local processes, Slurm) implements. The scheduler
 * decides what runs where and when; an executor only starts, watches and stops one attempt
 * of one job, and tells how it ended.
 */

export interface ExecutorJob {
  /** Job id plus attempt number: unique per attempt. */
  jobId: string;
  attempt: number;
  /** argv to run; a single element is run by `/bin/sh -c` (ad-hoc jobs, like sbatch --wrap). */
  command: string[];
  /** Complete environment additions for the job (SKYBATCH_*, AWS_BATCH_*, the definition's). */
  environment: Record<string, string>;
  /** The job's working directory, created by the executor if missing. */
  workDir: string;
  /** stdout and stderr go here, appended, across attempts. */
  logFile: string;
  vcpus: number;
  memoryMiB: number;
  /** Attempt timeout; the executor kills the whole process group when it passes. */
  timeoutSeconds?: number;
  /** Container image: run with podman or docker when configured, else the attempt fails clearly. */
  image?: string;
}

/** How an attempt ended, in AWS Batch's words where it has them. */
export interface AttemptOutcome {
  /** Exit code of the command; null when it was killed by a signal or never started. */
  exitCode: number | null;
  /** Container reason, e.g. "OutOfMemoryError: Container killed due to memory usage". */
  reason?: string;
  /** Job status reason, e.g. "Job attempt duration exceeded timeout" or "Essential container in task exited". */
  statusReason: string;
}

/** What the scheduler stores to find a running attempt again after a restart. */
export interface AttemptHandle {
  host: string;
  pid?: number;
  /** Executor-specific id (a Slurm job id, a container id). */
  externalId?: string;
}

export type OnExit = (outcome: AttemptOutcome) => void;

export interface StartOptions {
  /**
   * Start only once this attempt (started by the same executor) has ended, at once if it has:
   * the scheduler hands its capacity on. Like Slurm's --dependency=afterany, and, locally,
   * without a round trip through the server between the two.
   */
  after?: { jobId: string; attempt: number };
}

export interface Executor {
  readonly kind: string;
  /** Starts an attempt; `onExit` is called exactly once when it ends, however it ends, and never before start() has resolved. */
  start(job: ExecutorJob, onExit: OnExit, options?: StartOptions): Promise<AttemptHandle>;
  /**
   * Kills the attempt's whole process tree, or drops it while it waits for the one it comes
   * after; its onExit then reports `statusReason`.
   */
  terminate(jobId: string, attempt: number, statusReason: string): Promise<void>;
  /**
   * Drops an attempt still waiting for the one it comes after (its onExit then reports that it
   * did not start); false, and nothing done, when it is no longer waiting.
   */
  dropWaiting(jobId: string, attempt: number): Promise<boolean>;
  /**
   * After a server restart: watch an attempt a previous server process started. Returns false
   * when it is gone without a trace of how it ended (the scheduler then fails it as "host lost").
   */
  recover(job: ExecutorJob, handle: AttemptHandle, onExit: OnExit): Promise<boolean>;
  /** Stops watching (server shutdown); running attempts keep running. */
  close(): Promise<void>;
}
