/*
 * Jobs as users see them: submit (with definitions, ad-hoc commands, arrays and
 * dependencies), describe, list, cancel, terminate, progress. Running them is the
 * scheduler's business.
 */
import { randomUUID } from 'node:crypto';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import type { Store } from '../store/database.js';
import { isUniqueViolation } from '../store/errors.js';
import * as q from '../store/jobs.js';
import { DetailCache, settle, type Ended } from './completion.js';
import { detailOf, transition, type ChildOverlay } from './job-records.js';
import { isResourceName, NAME_RULE } from '../util/names.js';
import { checkJobResources } from './resource-requirements.js';
import { batchArn, checkRetryStrategy, nameFromArn, type BatchResources } from './resources.js';
import type { ContainerProperties, JobDetail, JobStatus, JobSummary, SubmitJobRequest } from './types.js';

const LIVE: JobStatus[] = ['SUBMITTED', 'PENDING', 'RUNNABLE'];

export interface JobEvents {
  /** Jobs that reached SUCCEEDED or FAILED. */
  ended(jobs: JobDetail[]): void;
  /** New RUNNABLE work or freed capacity: the scheduler should look. */
  wake(): void;
  /** Ask the server running a job to kill it. */
  terminate(jobId: string, reason: string): Promise<boolean>;
}

/**
 * Queues run FIFO by (priority, created_at, job_id), and job ids are random: two jobs
 * submitted in the same millisecond would run in random order. Submit times from one server
 * are therefore strictly increasing (a burst of submissions runs a little ahead of the clock).
 */
let lastSubmitAt = 0;
function submitTime(): number {
  lastSubmitAt = Math.max(Date.now(), lastSubmitAt + 1);
  return lastSubmitAt;
}

export function createJobs(store: Store, resources: BatchResources, events: JobEvents) {
  const { db } = store;

  async function load(jobId: string): Promise<{ row: q.JobRow; detail: JobDetail }> {
    const row = await q.getJob(db, jobId);
    if (!row) throw new NotFoundError(`job "${jobId}" does not exist`);
    const detail = await new DetailCache(db).detail(row);
    if (row.array_size !== null && row.array_parent === null) {
      detail.arrayProperties = { ...detail.arrayProperties, statusSummary: await q.childStatusCounts(db, row.job_id) };
    }
    return { row, detail };
  }

  async function container(request: SubmitJobRequest): Promise<{ props: ContainerProperties; definitionArn: string; parameters: Record<string, string>; retry: JobDetail['retryStrategy']; timeout?: number }> {
    const def = request.jobDefinition !== undefined ? await resources.definitions.describe(request.jobDefinition) : undefined;
    if (def && def.status !== 'ACTIVE') throw new BadRequestError(`job definition "${request.jobDefinition}" is INACTIVE`);
    const command = typeof request.command === 'string' ? [request.command] : (request.command ?? def?.containerProperties.command ?? []);
    if (command.length === 0 && !def?.containerProperties.image && request.image === undefined) throw new BadRequestError('a job needs a job definition or a command');
    const environment = [...(def?.containerProperties.environment ?? [])];
    for (const e of request.environment ?? []) {
      const i = environment.findIndex((x) => x.name === e.name);
      if (i >= 0) environment[i] = e;
      else environment.push(e);
    }
    const image = request.image ?? def?.containerProperties.image;
    const props: ContainerProperties = { command, environment, vcpus: request.vcpus ?? def?.containerProperties.vcpus ?? 1, memory: request.memory ?? def?.containerProperties.memory ?? 2048, ...(image ? { image } : {}) };
    checkJobResources(props);
    const retry = checkRetryStrategy({ ...def?.retryStrategy, ...(request.attempts === undefined ? {} : { attempts: request.attempts }), ...(request.evaluateOnExit === undefined ? {} : { evaluateOnExit: request.evaluateOnExit }) });
    const timeout = request.timeoutSeconds ?? def?.timeout?.attemptDurationSeconds;
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 1)) throw new BadRequestError('timeout must be a positive integer of seconds');
    return { props, definitionArn: def?.jobDefinitionArn ?? 'adhoc', parameters: { ...def?.parameters, ...request.parameters }, retry, ...(timeout === undefined ? {} : { timeout }) };
  }

  async function submit(request: SubmitJobRequest): Promise<JobDetail> {
    if (!isResourceName(request.jobName, 128, { alphanumericStart: true })) throw new BadRequestError(`job name "${request.jobName}" must be 1 to 128 ${NAME_RULE}, starting with a letter or digit`);
    if (request.clientToken !== undefined) {
      const existing = await q.getJobByClientToken(db, request.clientToken);
      if (existing) return (await load(existing.job_id)).detail;
    }
    const queue = await resources.queues.describe(request.jobQueue ?? 'default');
    const { props, definitionArn, parameters, retry, timeout } = await container(request);
    const largest = await largestEnvironment(queue.computeEnvironmentOrder.map((o) => o.computeEnvironment));
    if (props.vcpus > largest.vcpus || props.memory > largest.memoryMiB) {
      throw new BadRequestError(`the job needs ${props.vcpus} vCPUs and ${props.memory} MiB; the largest compute environment of queue "${queue.jobQueueName}" has ${largest.vcpus} vCPUs and ${largest.memoryMiB} MiB`);
    }
    const size = request.arraySize;
    if (size !== undefined && !(Number.isInteger(size) && size >= 2 && size <= 10_000)) throw new BadRequestError('arraySize must be an integer from 2 to 10,000');
    const deps = request.dependsOn ?? [];
    if (deps.length > 20) throw new BadRequestError('a job may depend on at most 20 jobs');
    const depRows = await q.getJobs(db, deps.map((d) => d.jobId));
    for (const d of deps) {
      const target = depRows.find((r) => r.job_id === d.jobId);
      if (d.type === 'SEQUENTIAL') {
        if (size === undefined) throw new BadRequestError('a SEQUENTIAL dependency is for array jobs');
        continue;
      }
      if (!target) throw new BadRequestError(`dependsOn: job "${d.jobId}" does not exist`);
      if (d.type === 'N_TO_N' && (size === undefined || target.array_size !== size)) throw new BadRequestError(`dependsOn: an N_TO_N dependency needs two array jobs of the same size`);
    }
    const now = submitTime();
    const jobId = randomUUID();
    const detail: JobDetail = {
      jobId,
      jobArn: batchArn('job', jobId),
      jobName: request.jobName,
      jobQueue: queue.jobQueueArn,
      jobDefinition: definitionArn,
      status: 'SUBMITTED',
      createdAt: now,
      attempts: [],
      dependsOn: deps,
      parameters,
      container: props,
      retryStrategy: retry,
      statusHistory: [{ status: 'SUBMITTED', at: now }],
      ...(timeout === undefined ? {} : { timeout: { attemptDurationSeconds: timeout } }),
      ...(size === undefined ? {} : { arrayProperties: { size } }),
      ...(request.shareIdentifier === undefined ? {} : { shareIdentifier: request.shareIdentifier }),
      ...(request.schedulingPriority === undefined ? {} : { schedulingPriority: request.schedulingPriority }),
    };
    // What the dependencies already are: met (SUCCEEDED) or broken (FAILED), children of
    // N_TO_N targets included.
    const succeeded = new Set<string>();
    const failed = new Set<string>();
    const note = (r: { job_id: string; status: string }) => (r.status === 'SUCCEEDED' ? succeeded.add(r.job_id) : r.status === 'FAILED' ? failed.add(r.job_id) : undefined);
    depRows.forEach(note);
    for (const d of deps.filter((x) => x.type === 'N_TO_N')) {
      const done = await db.selectFrom('jobs').select(['job_id', 'status']).where('array_parent', '=', d.jobId).where('status', 'in', ['SUCCEEDED', 'FAILED']).execute();
      done.forEach(note);
    }
    const brokenBy = (ids: string[]) => ids.find((id) => failed.has(id));
    const ended: Ended[] = [];
    try {
      await db.transaction().execute(async (trx) => {
        const base = { queue: queue.jobQueueName, scheduling_priority: request.schedulingPriority ?? 0, share_identifier: request.shareIdentifier ?? null, created_at: now, vcpus: props.vcpus, memory_mib: props.memory, attempt: 0, owner: null, lease_expires: null, terminate_reason: null, progress: null, progress_reports: 0 };
        // Dependencies that already succeeded are met; one that failed fails the job at once.
        if (size === undefined) {
          const ids = deps.map((d) => d.jobId);
          const waitingOn = ids.filter((id) => !succeeded.has(id));
          const broken = brokenBy(ids);
          if (broken) transition(detail, 'FAILED', now, `Dependent job ${broken} failed`);
          else transition(detail, waitingOn.length > 0 ? 'PENDING' : 'RUNNABLE', now);
          const row: q.JobRow = { ...base, job_id: jobId, status: detail.status, array_parent: null, array_size: null, pending_deps: broken ? 0 : waitingOn.length, client_token: request.clientToken ?? null, body: JSON.stringify(detail) };
          await q.insertJobs(trx, [row]);
          if (broken) ended.push({ row, detail });
          else await q.insertDependencies(trx, waitingOn.map((d) => ({ job_id: jobId, depends_on: d })));
          return;
        }
        transition(detail, 'PENDING', now);
        const parentRow: q.JobRow = { ...base, job_id: jobId, status: 'PENDING', array_parent: null, array_size: size, pending_deps: size, client_token: request.clientToken ?? null, body: JSON.stringify(detail) };
        await q.insertJobs(trx, [parentRow]);
        const children: q.JobRow[] = [];
        const failedChildren: q.JobRow[] = [];
        const edges: { job_id: string; depends_on: string }[] = [];
        for (let index = 0; index < size; index++) {
          const childId = `${jobId}:${index}`;
          const waits: string[] = [];
          for (const d of deps) {
            if (d.type === 'SEQUENTIAL') {
              if (index > 0) waits.push(`${jobId}:${index - 1}`);
            } else if (d.type === 'N_TO_N') {
              waits.push(`${d.jobId}:${index}`);
            } else {
              waits.push(d.jobId);
            }
          }
          const broken = brokenBy(waits);
          const childDeps = broken ? [] : waits.filter((w) => !succeeded.has(w));
          const status: JobStatus = broken ? 'FAILED' : childDeps.length > 0 ? 'PENDING' : 'RUNNABLE';
          const overlay: ChildOverlay = { jobId: childId, jobArn: batchArn('job', childId), status, createdAt: now, attempts: [], dependsOn: deps, statusHistory: [{ status: 'SUBMITTED', at: now }, { status, at: now }], arrayIndex: index };
          if (broken) overlay.statusReason = `Dependent job ${broken} failed`;
          const child: q.JobRow = { ...base, job_id: childId, status, array_parent: jobId, array_size: null, pending_deps: childDeps.length, client_token: null, body: JSON.stringify(overlay) };
          children.push(child);
          if (broken) failedChildren.push(child);
          for (const w of childDeps) edges.push({ job_id: childId, depends_on: w });
        }
        await q.insertJobs(trx, children);
        await q.insertDependencies(trx, edges);
        const cache = new DetailCache(trx);
        for (const child of failedChildren) ended.push({ row: child, detail: await cache.detail(child) });
      });
    } catch (err) {
      if (request.clientToken !== undefined && isUniqueViolation(err)) {
        const winner = await q.getJobByClientToken(db, request.clientToken);
        if (winner) return (await load(winner.job_id)).detail;
      }
      throw err;
    }
    if (ended.length > 0) {
      const all = await db.transaction().execute((trx) => settle(trx, ended, Date.now()));
      events.ended(all.map((e) => e.detail));
    }
    events.wake();
    return (await load(jobId)).detail;
  }

  async function largestEnvironment(names: string[]): Promise<{ vcpus: number; memoryMiB: number }> {
    let vcpus = 0;
    let memoryMiB = 0;
    for (const name of names) {
      const ce = await resources.computeEnvironments.describe(name);
      vcpus = Math.max(vcpus, ce.maxVcpus);
      memoryMiB = Math.max(memoryMiB, ce.maxMemoryMiB);
    }
    return { vcpus, memoryMiB };
  }

  /** Fails jobs that have not started; with their array children and dependents. */
  async function cancelRows(rows: q.JobRow[], reason: string): Promise<void> {
    const now = Date.now();
    const all = await db.transaction().execute(async (trx) => {
      const cache = new DetailCache(trx);
      const ended: Ended[] = [];
      for (const row of rows) {
        const detail = await cache.detail(row);
        transition(detail, 'FAILED', now, reason);
        ended.push({ row, detail });
      }
      return settle(trx, ended, now, cache);
    });
    events.ended(all.map((e) => e.detail));
  }

  async function children(parentId: string): Promise<q.JobRow[]> {
    return db.selectFrom('jobs').selectAll().where('array_parent', '=', parentId).execute();
  }

  return {
    submit,
    async describe(jobId: string): Promise<JobDetail> {
      return (await load(nameFromArn(jobId))).detail;
    },
    async list(options: { queue?: string; status?: JobStatus; arrayJobId?: string; limit?: number; nextToken?: string } = {}): Promise<{ items: JobSummary[]; nextToken?: string }> {
      const limit = options.limit ?? 100;
      let before: { createdAt: number; jobId: string } | undefined;
      if (options.nextToken !== undefined) {
        const [at, id] = Buffer.from(options.nextToken, 'base64url').toString().split('\n');
        if (!at || !id || !Number.isFinite(Number(at))) throw new BadRequestError('nextToken is not valid');
        before = { createdAt: Number(at), jobId: id };
      }
      const rows = await q.listJobs(db, { queue: options.queue === undefined ? undefined : nameFromArn(options.queue), status: options.status, arrayParent: options.arrayJobId, limit: limit + 1, before });
      const cache = new DetailCache(db);
      const items: JobSummary[] = [];
      for (const row of rows.slice(0, limit)) {
        const d = detailOf(row, await cache.parentOf(row));
        const s: JobSummary = { jobId: d.jobId, jobArn: d.jobArn, jobName: d.jobName, jobQueue: d.jobQueue, status: d.status, createdAt: d.createdAt };
        if (d.statusReason !== undefined) s.statusReason = d.statusReason;
        if (d.startedAt !== undefined) s.startedAt = d.startedAt;
        if (d.stoppedAt !== undefined) s.stoppedAt = d.stoppedAt;
        if (d.arrayProperties) s.arrayProperties = d.arrayProperties.index === undefined ? { size: d.arrayProperties.size ?? 0 } : { index: d.arrayProperties.index };
        if (d.progress) s.progress = { percent: d.progress.percent, ...(d.progress.message === undefined ? {} : { message: d.progress.message }) };
        items.push(s);
      }
      const last = rows[limit - 1];
      return rows.length > limit && last ? { items, nextToken: Buffer.from(`${last.created_at}\n${last.job_id}`).toString('base64url') } : { items };
    },
    async cancel(jobId: string, reason: string): Promise<JobDetail> {
      const { row } = await load(nameFromArn(jobId));
      if (row.array_size !== null && row.array_parent === null) {
        const open = (await children(row.job_id)).filter((c) => LIVE.includes(c.status as JobStatus));
        if (open.length > 0) await cancelRows(open, reason);
      } else if (LIVE.includes(row.status as JobStatus)) {
        await cancelRows([row], reason);
      } else if (row.status === 'STARTING' || row.status === 'RUNNING') {
        throw new ConflictError(`job ${row.job_id} is ${row.status}: use terminate to stop a running job`);
      }
      return (await load(row.job_id)).detail;
    },
    async terminate(jobId: string, reason: string): Promise<JobDetail> {
      const { row } = await load(nameFromArn(jobId));
      const targets = row.array_size !== null && row.array_parent === null ? await children(row.job_id) : [row];
      const notStarted = targets.filter((t) => LIVE.includes(t.status as JobStatus));
      if (notStarted.length > 0) await cancelRows(notStarted, reason);
      for (const t of targets.filter((t) => t.status === 'STARTING' || t.status === 'RUNNING')) {
        if (!(await events.terminate(t.job_id, reason))) await q.updateJob(db, t.job_id, { terminate_reason: reason });
      }
      return (await load(row.job_id)).detail;
    },
    async progress(jobId: string, percent: number, message?: string): Promise<JobDetail> {
      if (!(Number.isFinite(percent) && percent >= 0 && percent <= 100)) throw new BadRequestError('percent must be a number from 0 to 100');
      const progress = { percent, updatedAt: Date.now(), ...(message === undefined ? {} : { message }) };
      // One statement, so a status change in between cannot be overwritten or let it through.
      const recorded = await q.recordProgress(db, jobId, JSON.stringify(progress));
      const { row, detail } = await load(jobId);
      if (!recorded) throw new ConflictError(`job ${jobId} is ${row.status}, not RUNNING`);
      return detail;
    },
  };
}

export type Jobs = ReturnType<typeof createJobs>;
