/*
 * Read-only queries for the console: the overview's counts and the change fingerprints the
 * event stream compares. Aggregates only, so they stay cheap with tens of thousands of rows.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/** What the console refreshes on; one fingerprint per topic. */
export const CHANGE_TOPICS = ['executions', 'jobs', 'deliveries', 'objects', 'stateMachines'] as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[number];

/**
 * A value that changes whenever something in the topic does: executions append history
 * events (last_event_id grows); jobs change status or attempt, and each progress report of a
 * running job adds one to the sum of their report counts; deliveries count attempts. Row counts
 * catch inserts and deletes. Objects are not here: the object store announces its changes.
 */
export async function changeFingerprints(db: Db): Promise<Record<Exclude<ChangeTopic, 'objects'>, string>> {
  const one = async (query: ReturnType<typeof sql>): Promise<string> => {
    const { rows } = await query.execute(db);
    return JSON.stringify(rows);
  };
  const [executions, jobs, deliveries, stateMachines] = await Promise.all([
    one(sql`select count(*) as n, sum(last_event_id) as s from executions`),
    one(sql`select status, count(*) as n, sum(attempt) as a, sum(case when status = 'RUNNING' then progress_reports else 0 end) as p from jobs group by status order by status`),
    one(sql`select count(*) as n, sum(attempts) as a, sum(case when status = 'delivered' then 1 else 0 end) as d from deliveries`),
    one(sql`select count(*) as n, max(updated_at) as u from state_machines`),
  ]);
  return { executions, jobs, deliveries, stateMachines };
}

export interface OverviewCounts {
  executions: Record<string, number>;
  jobs: Record<string, number>;
  /** Jobs not yet ended, per queue and status. */
  queues: { queue: string; status: string; count: number }[];
  /** vCPUs of STARTING and RUNNING jobs, per queue. */
  busyVcpus: { queue: string; vcpus: number }[];
  /** Per minute of the last hour (`YYYY-MM-DDTHH:MM`): executions ended and jobs submitted. */
  throughput: { minute: string; executionsEnded: number; jobsSubmitted: number }[];
}

const LIVE_JOB_STATUSES = ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'];

export async function overviewCounts(db: Db, now: Date): Promise<OverviewCounts> {
  const since = new Date(now.getTime() - 60 * 60_000);
  // An array parent stands for its children, which are counted themselves.
  const jobRows = db.selectFrom('jobs').where('array_size', 'is', null);
  const [executionRows, jobStatusRows, queueRows, vcpuRows, ended, submitted] = await Promise.all([
    db.selectFrom('executions').select((eb) => ['status', eb.fn.countAll<number | string>().as('n')]).groupBy('status').execute(),
    jobRows.select((eb) => ['status', eb.fn.countAll<number | string>().as('n')]).groupBy('status').execute(),
    jobRows.select((eb) => ['queue', 'status', eb.fn.countAll<number | string>().as('n')]).where('status', 'in', LIVE_JOB_STATUSES).groupBy(['queue', 'status']).execute(),
    jobRows.select((eb) => ['queue', eb.fn.sum<number | string>('vcpus').as('v')]).where('status', 'in', ['STARTING', 'RUNNING']).groupBy('queue').execute(),
    // Counted per minute by the database: an hour can hold tens of thousands of rows.
    db
      .selectFrom('executions')
      .select((eb) => [sql<string>`substr(stop_date, 1, 16)`.as('minute'), eb.fn.countAll<number | string>().as('n')])
      .where('stop_date', '>=', since.toISOString())
      .groupBy(sql`substr(stop_date, 1, 16)`)
      .execute(),
    jobRows
      .select((eb) => [sql<number | string>`created_at / 60000`.as('minute'), eb.fn.countAll<number | string>().as('n')])
      .where('created_at', '>=', since.getTime())
      .groupBy(sql`created_at / 60000`)
      .execute(),
  ]);
  const minutes = new Map<string, { executionsEnded: number; jobsSubmitted: number }>();
  for (let t = since.getTime() + 60_000; t <= now.getTime() + 60_000; t += 60_000) minutes.set(new Date(t).toISOString().slice(0, 16), { executionsEnded: 0, jobsSubmitted: 0 });
  for (const row of ended) {
    const slot = minutes.get(row.minute);
    if (slot) slot.executionsEnded += Number(row.n);
  }
  for (const row of submitted) {
    // created_at is in milliseconds; both databases divide integers to an integer.
    const slot = minutes.get(new Date(Number(row.minute) * 60_000).toISOString().slice(0, 16));
    if (slot) slot.jobsSubmitted += Number(row.n);
  }
  return {
    executions: Object.fromEntries(executionRows.map((r) => [r.status, Number(r.n)])),
    jobs: Object.fromEntries(jobStatusRows.map((r) => [r.status, Number(r.n)])),
    queues: queueRows.map((r) => ({ queue: r.queue, status: r.status, count: Number(r.n) })),
    busyVcpus: vcpuRows.map((r) => ({ queue: r.queue, vcpus: Number(r.v) })),
    throughput: [...minutes].map(([minute, counts]) => ({ minute, ...counts })),
  };
}

/**
 * The top-level jobs an execution's tasks submitted: the batch integration gives each submit
 * the client token `EXECUTION_ID/TASK_ID` (src/integrations/batch.ts).
 */
export async function jobsOfExecution(db: Db, executionId: string, limit: number): Promise<string[]> {
  const prefix = `${executionId}/`;
  const rows = await db
    .selectFrom('jobs')
    .select(['job_id'])
    .where(sql<boolean>`substr(client_token, 1, ${prefix.length}) = ${prefix}`)
    .orderBy('created_at', 'desc')
    .orderBy('job_id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.job_id);
}
