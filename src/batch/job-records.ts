/*
 * Job rows <-> JobDetail. An array child stores only what differs from its parent (status,
 * attempts, index...), so a 10,000-child array costs 10,000 small rows, not 10,000 copies
 * of the parent's container and parameters.
 */
import { join } from 'node:path';
import type { JobRow } from '../store/jobs.js';
import type { JobDetail, JobStatus } from './types.js';

export type ChildOverlay = Pick<JobDetail, 'jobId' | 'jobArn' | 'status' | 'createdAt' | 'attempts' | 'statusHistory' | 'dependsOn'> &
  Partial<Pick<JobDetail, 'statusReason' | 'startedAt' | 'stoppedAt'>> & { arrayIndex: number };

/** The full description of a job, given its row and, for an array child, its parent's detail. */
export function detailOf(row: JobRow, parent?: JobDetail): JobDetail {
  const detail = ownDetail(row, parent);
  if (row.progress !== null) detail.progress = JSON.parse(row.progress) as NonNullable<JobDetail['progress']>;
  return detail;
}

function ownDetail(row: JobRow, parent?: JobDetail): JobDetail {
  if (row.array_parent === null || !parent) return JSON.parse(row.body) as JobDetail;
  const { arrayIndex, ...own } = JSON.parse(row.body) as ChildOverlay;
  // The parent's own progress through its life is not the child's.
  const { statusReason: _r, startedAt: _s, stoppedAt: _t, progress: _p, arrayProperties: _a, ...inherited } = parent;
  return { ...inherited, ...own, arrayProperties: { index: arrayIndex } };
}

/** What to store back for a job after a change to its detail (its progress has a column of its own). */
export function bodyOf(row: JobRow, detail: JobDetail): string {
  if (row.array_parent === null) {
    const { progress: _p, ...rest } = detail;
    return JSON.stringify(rest);
  }
  const overlay: ChildOverlay = {
    jobId: detail.jobId,
    jobArn: detail.jobArn,
    status: detail.status,
    createdAt: detail.createdAt,
    attempts: detail.attempts,
    statusHistory: detail.statusHistory,
    dependsOn: detail.dependsOn,
    arrayIndex: detail.arrayProperties?.index ?? 0,
  };
  if (detail.statusReason !== undefined) overlay.statusReason = detail.statusReason;
  if (detail.startedAt !== undefined) overlay.startedAt = detail.startedAt;
  if (detail.stoppedAt !== undefined) overlay.stoppedAt = detail.stoppedAt;
  return JSON.stringify(overlay);
}

/**
 * A copy of a detail that transition() and an attempt's end can change without changing the
 * original: the arrays they append to and the attempts they complete are copied, the rest shared.
 */
export function copyForUpdate(detail: JobDetail): JobDetail {
  return { ...detail, statusHistory: [...detail.statusHistory], attempts: detail.attempts.map((a) => ({ ...a })) };
}

/** Moves a detail to `status`, recording when. */
export function transition(detail: JobDetail, status: JobStatus, at: number, statusReason?: string): void {
  detail.status = status;
  detail.statusHistory.push({ status, at });
  if (statusReason !== undefined) detail.statusReason = statusReason;
  if (status === 'SUCCEEDED' || status === 'FAILED') detail.stoppedAt = at;
}

/**
 * Where a job's files live: its working directory, checkpoint directory and log, in three
 * trees so that each needs one directory per job, not a directory holding all three (every
 * mkdir and file creation costs 100-250 us of metadata journaling on ext4, paid per job).
 * Array children sit in their parent's folder (`jobs/<array id>/<index>`).
 */
export function jobPaths(dataDir: string, jobId: string) {
  // Paid a few times per job by the scheduler: the data dir is normalized once, not per path.
  if (dataDir !== lastDataDir) {
    lastDataDir = dataDir;
    lastBase = join(dataDir, '/');
  }
  // Job ids are ours (a UUID, ':' and an index for an array child): nothing in them to normalize.
  const rel = jobId.replaceAll(':', '/');
  return { workDir: `${lastBase}jobs/${rel}`, checkpointDir: `${lastBase}checkpoints/${rel}`, logFile: `${lastBase}logs/${rel}.log` };
}

let lastDataDir: string | undefined;
let lastBase = '';
