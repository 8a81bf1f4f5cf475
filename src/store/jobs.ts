/*
 * Queries on jobs. The scheduler's writes come in batches (many jobs per transaction), so
 * the functions take lists.
 */
import { sql, type Kysely, type Selectable, type UpdateObject } from 'kysely';
import type { Dialect } from './database.js';
import type { Database, JobsTable } from './schema.js';

type Db = Kysely<Database>;
export type JobRow = Selectable<JobsTable>;

export async function insertJobs(db: Db, rows: JobRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('jobs').values(rows.slice(i, i + 200)).execute();
}

export async function insertDependencies(db: Db, rows: { job_id: string; depends_on: string }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 400) await db.insertInto('job_dependencies').values(rows.slice(i, i + 400)).execute();
}

export function getJob(db: Db, jobId: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('job_id', '=', jobId).executeTakeFirst();
}

/** Just the status: what a job token's check reads on each request of a running job. */
export async function getJobStatus(db: Db, jobId: string): Promise<string | undefined> {
  return (await db.selectFrom('jobs').select('status').where('job_id', '=', jobId).executeTakeFirst())?.status;
}

export function getJobs(db: Db, jobIds: string[]): Promise<JobRow[]> {
  if (jobIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('jobs').selectAll().where('job_id', 'in', jobIds).execute();
}

export function getJobByClientToken(db: Db, token: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('client_token', '=', token).executeTakeFirst();
}

export async function updateJob(db: Db, jobId: string, fields: Partial<Omit<JobRow, 'job_id'>>): Promise<void> {
  await db.updateTable('jobs').set(fields).where('job_id', '=', jobId).execute();
}

export interface JobState {
  job_id: string;
  status: string;
  body: string;
}

/**
 * Statement sizes for updateJobStates, largest first: a batch is cut greedily into these, so
 * each database sees only a few distinct statements (and keeps them prepared).
 */
const STATEMENT_SIZES = [64, 16, 4, 1];

/**
 * Sets each job's own status and body, and `common` on all of them, with one statement per
 * up to 64 jobs. The scheduler writes jobs in bursts, where one UPDATE per job spent more on
 * issuing statements than the database spent on the rows.
 */
export async function updateJobStates(db: Db, states: JobState[], common: Omit<UpdateObject<Database, 'jobs'>, 'job_id' | 'status' | 'body'> = {}): Promise<void> {
  let at = 0;
  while (at < states.length) {
    const size = STATEMENT_SIZES.find((n) => n <= states.length - at) as number;
    const chunk = states.slice(at, at + size);
    at += size;
    if (size === 1) {
      const [only] = chunk as [JobState];
      await db.updateTable('jobs').set({ ...common, status: only.status, body: only.body }).where('job_id', '=', only.job_id).execute();
      continue;
    }
    // UPDATE ... FROM (VALUES ...): both SQLite and PostgreSQL name a VALUES list's columns
    // column1, column2...; all three are text, so PostgreSQL types the parameters itself.
    const rows = sql.join(chunk.map((s) => sql`(${s.job_id}, ${s.status}, ${s.body})`));
    const v = sql.table('v');
    await db
      .updateTable('jobs')
      .from(sql`(values ${rows})`.as('v'))
      .set({ ...common, status: sql`${v}.column2`, body: sql`${v}.column3` })
      .whereRef('jobs.job_id', '=', sql`${v}.column1`)
      .execute();
  }
}

/** Stores a job's progress report if the job is STARTING or RUNNING; false when it is not. */
export async function recordProgress(db: Db, jobId: string, progress: string): Promise<boolean> {
  const updated = await db
    .updateTable('jobs')
    .set({ progress, progress_reports: sql`progress_reports + 1` })
    .where('job_id', '=', jobId)
    .where('status', 'in', ['STARTING', 'RUNNING'])
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}

export interface JobFilter {
  queue?: string | undefined;
  status?: string | undefined;
  arrayParent?: string | undefined;
  limit: number;
  /** Keyset pagination on (created_at, job_id), newest first. */
  before?: { createdAt: number; jobId: string } | undefined;
}

export function listJobs(db: Db, filter: JobFilter): Promise<JobRow[]> {
  let q = db.selectFrom('jobs').selectAll().orderBy('created_at', 'desc').orderBy('job_id', 'desc').limit(filter.limit);
  if (filter.queue !== undefined) q = q.where('queue', '=', filter.queue);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  q = filter.arrayParent !== undefined ? q.where('array_parent', '=', filter.arrayParent) : q.where('array_parent', 'is', null);
  const before = filter.before;
  if (before) q = q.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('job_id', '<', before.jobId)])]));
  return q.execute();
}

/** RUNNABLE jobs of the given queues, in scheduling order, locked where the database can. */
export function runnableJobs(db: Db, dialect: Dialect, queues: string[], limit: number): Promise<JobRow[]> {
  const q = db
    .selectFrom('jobs')
    .selectAll()
    .where('status', '=', 'RUNNABLE')
    .where('queue', 'in', queues)
    .orderBy('scheduling_priority', 'desc')
    .orderBy('created_at')
    .orderBy('job_id')
    .limit(limit);
  return dialect === 'postgres' ? q.forUpdate().skipLocked().execute() : q.execute();
}

/** Jobs held by servers whose lease ran out (a dead server), or by `owner` itself. */
export function orphanedJobs(db: Db, now: number, owner: string): Promise<JobRow[]> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('status', 'in', ['STARTING', 'RUNNING'])
    .where((eb) => eb.or([eb('lease_expires', '<', now), eb('owner', '=', owner)]))
    .execute();
}

export async function renewJobLeases(db: Db, owner: string, until: number): Promise<void> {
  await db.updateTable('jobs').set({ lease_expires: until }).where('owner', '=', owner).where('status', 'in', ['STARTING', 'RUNNING']).execute();
}

export function dependents(db: Db, jobIds: string[]): Promise<{ job_id: string; depends_on: string }[]> {
  if (jobIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('job_dependencies').selectAll().where('depends_on', 'in', jobIds).execute();
}

export async function childStatusCounts(db: Db, parent: string): Promise<Record<string, number>> {
  const rows = await db.selectFrom('jobs').select((eb) => ['status', eb.fn.countAll<number>().as('n')]).where('array_parent', '=', parent).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
