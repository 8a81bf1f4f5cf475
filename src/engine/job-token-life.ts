/*
 * How long a job's token lasts: while the job is not in a final state, then a grace period
 * for its last upload. Revoked by the job's end, not by a guessed lifetime: a job may run for
 * days. Job tokens are derived (tokens.ts), so there is no token row to stamp; the job's own
 * row says whether it ended, read by primary key and cached:
 *
 * - an ended job's end time never changes: cached for good (bounded);
 * - a job seen running is taken as running for a short while without asking again. That is
 *   safe as long as the while is no longer than the grace: a job seen running at t ended after
 *   t, so a request before t + while <= t + grace is within its grace anyway.
 *
 * The end time is the job's stoppedAt, written by the scheduler; `now` is the tokens' clock.
 */
import { FINAL_STATUSES, type JobDetail, type JobStatus } from '../batch/types.js';
import type { Store } from '../store/database.js';
import { getJob, getJobStatus } from '../store/jobs.js';

/** How long a job seen running is believed to be, at most (further capped by the grace). */
const RUNNING_CACHE_MS = 1000;
/** Entries per cache before it starts over: a bound on memory, not a tuning knob. */
const MAX_CACHED = 10_000;

export class JobTokenLife {
  private readonly endedAt = new Map<string, number>();
  private readonly seenRunningAt = new Map<string, number>();
  private readonly runningCacheMs: number;

  constructor(private readonly store: Store, private readonly graceMs: number) {
    this.runningCacheMs = Math.min(RUNNING_CACHE_MS, graceMs);
  }

  /** Whether the token of `jobId` is still good at `now` (epoch ms). Unknown jobs: no. */
  async valid(jobId: string, now: number): Promise<boolean> {
    const ended = this.endedAt.get(jobId);
    if (ended !== undefined) return now < ended + this.graceMs;
    const seen = this.seenRunningAt.get(jobId);
    if (seen !== undefined && now >= seen && now - seen < this.runningCacheMs) return true;
    const status = await getJobStatus(this.store.db, jobId);
    if (status === undefined) return false;
    if (!FINAL_STATUSES.includes(status as JobStatus)) {
      remember(this.seenRunningAt, jobId, now);
      return true;
    }
    const end = await this.endTime(jobId);
    this.seenRunningAt.delete(jobId);
    remember(this.endedAt, jobId, end);
    return now < end + this.graceMs;
  }

  private async endTime(jobId: string): Promise<number> {
    const row = await getJob(this.store.db, jobId);
    // An array child's row holds its own stoppedAt and statusHistory (job-records.ts).
    const body = row === undefined ? undefined : (JSON.parse(row.body) as Partial<Pick<JobDetail, 'stoppedAt' | 'statusHistory'>>);
    // A final job always has stoppedAt; without one, ended at the dawn of time (no grace) is the safe reading.
    return body?.stoppedAt ?? body?.statusHistory?.at(-1)?.at ?? 0;
  }
}

function remember(cache: Map<string, number>, jobId: string, at: number): void {
  if (cache.size >= MAX_CACHED && !cache.has(jobId)) cache.clear();
  cache.set(jobId, at);
}
