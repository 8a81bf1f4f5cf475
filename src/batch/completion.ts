/*
 * What follows when jobs reach SUCCEEDED or FAILED, inside the transaction that records it:
 * their dependents become RUNNABLE (all dependencies succeeded) or FAILED (one failed), and
 * an array parent ends when its last child does (FAILED if any child failed). Runs as a
 * worklist, since each ending may end others.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { dependents, getJobs, updateJob, updateJobStates, childStatusCounts, type JobRow } from '../store/jobs.js';
import { bodyOf, detailOf, transition } from './job-records.js';
import type { JobDetail } from './types.js';

type Db = Kysely<Database>;

export interface Ended {
  row: JobRow;
  detail: JobDetail;
}

/** Loads details, with array parents cached across one transaction. */
export class DetailCache {
  private readonly parents = new Map<string, JobDetail>();
  constructor(private readonly db: Db) {}

  async parentOf(row: JobRow): Promise<JobDetail | undefined> {
    if (row.array_parent === null) return undefined;
    let parent = this.parents.get(row.array_parent);
    if (!parent) {
      const [parentRow] = await getJobs(this.db, [row.array_parent]);
      if (!parentRow) return undefined;
      parent = JSON.parse(parentRow.body) as JobDetail;
      this.parents.set(row.array_parent, parent);
    }
    return parent;
  }

  async detail(row: JobRow): Promise<JobDetail> {
    return detailOf(row, await this.parentOf(row));
  }
}

/** Writes jobs that just ended and everything that follows; returns every job that ended. */
export async function settle(db: Db, ended: Ended[], now: number, cache = new DetailCache(db)): Promise<Ended[]> {
  const all: Ended[] = [];
  let work = ended;
  while (work.length > 0) {
    await updateJobStates(db, work.map((e) => ({ job_id: e.row.job_id, status: e.detail.status, body: bodyOf(e.row, e.detail) })), { owner: null, lease_expires: null });
    for (const e of work) e.row.status = e.detail.status;
    all.push(...work);
    const next: Ended[] = [];
    next.push(...(await resolveDependents(db, work, now, cache)));
    next.push(...(await finishParents(db, work, now)));
    work = next;
  }
  return all;
}

async function resolveDependents(db: Db, ended: Ended[], now: number, cache: DetailCache): Promise<Ended[]> {
  const outcome = new Map(ended.map((e) => [e.row.job_id, e.detail.status]));
  const edges = await dependents(db, [...outcome.keys()]);
  if (edges.length === 0) return [];
  const rows = await getJobs(db, [...new Set(edges.map((e) => e.job_id))]);
  const byId = new Map(rows.map((r) => [r.job_id, r]));
  const failedNow: Ended[] = [];
  const succeededDeps = new Map<string, number>();
  for (const edge of edges) {
    const row = byId.get(edge.job_id);
    if (!row || row.status === 'SUCCEEDED' || row.status === 'FAILED') continue;
    if (outcome.get(edge.depends_on) === 'FAILED') {
      if (failedNow.some((f) => f.row.job_id === row.job_id)) continue;
      const detail = await cache.detail(row);
      transition(detail, 'FAILED', now, `Dependent job ${edge.depends_on} failed`);
      failedNow.push({ row, detail });
    } else {
      succeededDeps.set(row.job_id, (succeededDeps.get(row.job_id) ?? 0) + 1);
    }
  }
  for (const [jobId, count] of succeededDeps) {
    const row = byId.get(jobId) as JobRow;
    if (failedNow.some((f) => f.row.job_id === jobId)) continue;
    const pending = Math.max(0, row.pending_deps - count);
    if (pending === 0 && row.status === 'PENDING') {
      const detail = await cache.detail(row);
      transition(detail, 'RUNNABLE', now);
      await updateJob(db, jobId, { pending_deps: 0, status: 'RUNNABLE', body: bodyOf(row, detail) });
    } else {
      await updateJob(db, jobId, { pending_deps: pending });
    }
  }
  return failedNow;
}

/** Array parents whose last children just ended end too. */
async function finishParents(db: Db, ended: Ended[], now: number): Promise<Ended[]> {
  const perParent = new Map<string, number>();
  for (const e of ended) if (e.row.array_parent !== null) perParent.set(e.row.array_parent, (perParent.get(e.row.array_parent) ?? 0) + 1);
  if (perParent.size === 0) return [];
  const parents = await getJobs(db, [...perParent.keys()]);
  const out: Ended[] = [];
  for (const parent of parents) {
    const remaining = Math.max(0, parent.pending_deps - (perParent.get(parent.job_id) ?? 0));
    await updateJob(db, parent.job_id, { pending_deps: remaining });
    if (remaining > 0 || parent.status === 'SUCCEEDED' || parent.status === 'FAILED') continue;
    const counts = await childStatusCounts(db, parent.job_id);
    const detail = JSON.parse(parent.body) as JobDetail;
    const failed = counts.FAILED ?? 0;
    detail.arrayProperties = { ...detail.arrayProperties, statusSummary: counts };
    transition(detail, failed > 0 ? 'FAILED' : 'SUCCEEDED', now, failed > 0 ? `${failed} of ${detail.arrayProperties.size ?? '?'} child jobs failed` : undefined);
    out.push({ row: { ...parent, pending_deps: 0 }, detail });
  }
  return out;
}
