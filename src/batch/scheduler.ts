/*
 * The scheduler of one server: it claims RUNNABLE jobs for the compute environments this
 * server runs (the `local` executor), never more than their free vCPUs and memory, in queue
 * priority order, then job priority, then FIFO (or least-served share first for FAIR_SHARE
 * queues); starts them; and records how they end. Status changes of many jobs are written
 * together (one transaction per burst), which is what lets thousands of short jobs through.
 * When jobs end quickly, it also claims a little ahead (`ready`: STARTING, not yet launched),
 * so that a slot freed by an exit is filled at once, without waiting for a transaction.
 * A server renews a lease on the jobs it runs; jobs whose lease ran out (a dead server) are
 * taken over: found running again, or failed as "host lost" and retried per their strategy.
 */
import { RepeatedFailure } from '../util/repeated-failure.js';
import { sql } from 'kysely';
import { Alarm } from '../util/alarm.js';
import { hostname } from 'node:os';
import type { Store } from '../store/database.js';
import { isStoreUnavailable, withRetry } from '../store/errors.js';
import * as q from '../store/jobs.js';
import { DetailCache, settle, type Ended } from './completion.js';
import type { AttemptHandle, AttemptOutcome, Executor, ExecutorJob, StartOptions } from './executors/executor.js';
import { bodyOf, copyForUpdate, jobPaths, transition } from './job-records.js';
import { shouldRetry, substituteParameters } from './lifecycle.js';
import type { BatchResources } from './resources.js';
import type { ComputeEnvironment, JobDetail, JobQueue } from './types.js';

export interface SchedulerOptions {
  owner: string;
  dataDir: string;
  leaseMs?: number;
  pollMs?: number;
  /** The API address and a job-scoped token, for the job's environment. */
  endpoint(jobId: string): { url: string; token: string };
  /** Take over every STARTING/RUNNING job at start (a single-server store). */
  adoptAll?: boolean;
}

interface Running {
  row: q.JobRow;
  detail: JobDetail;
  /** Where it runs; for a job claimed ahead, where it may run (its queue's order), until launched. */
  ce: string;
  envs?: string[];
  /** Its process was started (or adopted): it holds capacity until it exits. */
  launched?: boolean;
  launchedAt?: number;
  /** Started by the executor the moment `predecessor` ends, on the capacity it hands on. */
  chained?: boolean;
  predecessor?: Running | undefined;
  successor?: Running | undefined;
  /** Claimed ahead: its queue's priority, and whether it is being given back for a higher one. */
  priority?: number;
  released?: boolean;
  terminated?: string;
}

/**
 * Jobs claimed ahead are what the running slots would get through in HOLD_AHEAD_MS at the
 * recent job duration (so jobs that run for minutes are never held back from other servers),
 * and never more than MAX_LOOKAHEAD.
 */
const MAX_LOOKAHEAD = 256;
const HOLD_AHEAD_MS = 250;

/** Under a stream of exits, status writes wait this long to be written together. */
const FLUSH_INTERVAL_MS = 50;

/** How fast a share's past usage is forgotten in fair-share ordering. */
const SHARE_HALF_LIFE_MS = 60_000;

type Reservation = { ce: string; vcpus: number; memory: number };

/** How long compute environments and queues read for scheduling are reused. */
const PLAN_TTL_MS = 1000;

interface Plan {
  ces: Map<string, ComputeEnvironment>;
  queues: JobQueue[];
}

type Pending =
  | { kind: 'running'; jobId: string; handle: AttemptHandle; at: number }
  | { kind: 'exit'; jobId: string; outcome: AttemptOutcome; at: number }
  /** A job claimed ahead that never started goes back to RUNNABLE, its attempt not counted. */
  | { kind: 'release'; jobId: string; at: number };

export class Scheduler {
  private readonly running = new Map<string, Running>();
  private cachedPlan: { at: number; plan: Plan } | undefined;
  private readonly used = new Map<string, { vcpus: number; memory: number }>();
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private lastFlushAt = 0;
  /** Jobs whose lone status write failed, with the error: a second same failure gives up on follow-ups. */
  private readonly writeStrikes = new Map<string, string>();
  private readonly passFailures = new RepeatedFailure('scheduler: a scheduling pass');
  private readonly flushFailures = new RepeatedFailure('scheduler: recording job status');
  private readonly followUpFailure = new Map<string, string>();
  /** Claimed ahead: STARTING in the store, not launched, holding no capacity. */
  private ready: Running[] = [];
  /** Jobs chained behind another (claimed ahead too), not yet started. */
  private chainedCount = 0;
  /** Moving average of how long recent attempts ran, from launch to exit; undefined until one ends. */
  private recentDurationMs: number | undefined;
  private active = false;
  private readonly alarm = new Alarm();
  private loop: Promise<void> | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly host = hostname();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  onEnded: (jobs: JobDetail[]) => void = () => {};

  constructor(
    private readonly store: Store,
    private readonly executor: Executor,
    private readonly resources: BatchResources,
    private readonly options: SchedulerOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 6000;
    this.pollMs = options.pollMs ?? 500;
  }

  async start(): Promise<void> {
    this.active = true;
    await this.adoptOrphans(this.options.adoptAll ?? false);
    this.renewTimer = setInterval(() => void this.maintain(), this.leaseMs / 3);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.active = false;
    clearInterval(this.renewTimer);
    this.wake();
    await this.loop;
    await this.flushing;
    await this.releaseReady();
    await this.executor.close();
  }

  wake(): void {
    this.alarm.wake();
  }

  /** Compute environments or queues changed on this server: read them again at the next pass. */
  resourcesChanged(): void {
    this.cachedPlan = undefined;
    this.wake();
  }

  /** Kills a job this server runs; false when another server runs it. */
  async terminate(jobId: string, reason: string): Promise<boolean> {
    const job = this.running.get(jobId);
    if (!job) return false;
    job.terminated = reason;
    const waiting = this.ready.indexOf(job);
    if (waiting >= 0) {
      // Claimed ahead, never started: it ends here, with nothing to kill.
      this.ready.splice(waiting, 1);
      this.enqueue({ kind: 'exit', jobId, outcome: { exitCode: null, statusReason: reason }, at: Date.now() });
      return true;
    }
    await this.executor.terminate(jobId, job.row.attempt, reason);
    return true;
  }

  private async run(): Promise<void> {
    while (this.active) {
      let started = 0;
      try {
        started = await this.schedulePass();
        this.passFailures.succeeded();
      } catch (err) {
        this.passFailures.failed(err);
      }
      if (started > 0) continue;
      await this.alarm.sleep(this.pollMs);
    }
  }

  private free(ce: ComputeEnvironment): { vcpus: number; memory: number } {
    const used = this.used.get(ce.computeEnvironmentName) ?? { vcpus: 0, memory: 0 };
    return { vcpus: ce.maxVcpus - used.vcpus, memory: ce.maxMemoryMiB - used.memory };
  }

  private reserve(ce: string, vcpus: number, memory: number, sign: 1 | -1): void {
    const used = this.used.get(ce) ?? { vcpus: 0, memory: 0 };
    // Fractions of vCPUs add up with float error (20 x 0.1 > 2): keep the sum rounded.
    this.used.set(ce, { vcpus: Math.round((used.vcpus + sign * vcpus) * 1e6) / 1e6, memory: used.memory + sign * memory });
  }

  /** Claims what fits and starts it; returns how many jobs it started. */
  private async schedulePass(): Promise<number> {
    const plan = await this.loadPlan();
    await this.yieldToHigherPriority(plan);
    const room = [...plan.ces.values()].some((c) => this.hasRoom(c));
    const lookahead = this.lookahead();
    // Claims ahead in batches: refilled when half gone, not after every start.
    const waiting = this.ready.length + this.chainedCount;
    const ahead = waiting <= lookahead / 2 ? lookahead - waiting : 0;
    if (!room && ahead === 0) return 0;
    // What a claim reserved is given back if its transaction does not commit (and is retried).
    let reserved: Reservation[] = [];
    const claimed = await withRetry(async () => {
      this.unreserve(reserved);
      reserved = [];
      try {
        return await this.store.db.transaction().execute((trx) => this.claim(trx, plan, ahead, reserved));
      } catch (err) {
        this.unreserve(reserved);
        reserved = [];
        throw err;
      }
    });
    this.launch(claimed.now);
    this.ready.push(...claimed.ahead);
    for (const job of claimed.ahead) this.running.set(job.row.job_id, job);
    this.launchReady(plan);
    if (claimed.ahead.length > 0) await this.yieldToHigherPriority(plan);
    return claimed.now.length + claimed.ahead.length;
  }

  /**
   * Jobs claimed ahead must not make a higher-priority queue's work wait: when one has
   * RUNNABLE jobs, the lower-priority jobs held here go back to RUNNABLE (those already
   * started run on).
   */
  private async yieldToHigherPriority(plan: Plan): Promise<void> {
    const held = [...this.ready, ...[...this.running.values()].filter((r) => r.chained && !r.released)];
    if (held.length === 0) return;
    const lowest = Math.min(...held.map((j) => j.priority ?? 0));
    // Held jobs of a higher priority count too: they must not wait in a chain behind lower ones.
    let priority = Math.max(...held.map((j) => j.priority ?? 0));
    const higher = plan.queues.filter((jq) => jq.priority > priority);
    if (higher.length > 0) {
      const [waiting] = await q.runnableJobs(this.store.db, this.store.dialect, higher.map((jq) => jq.jobQueueName), 1);
      if (waiting) priority = higher.find((jq) => jq.jobQueueName === waiting.queue)?.priority ?? Number.POSITIVE_INFINITY;
    }
    if (priority <= lowest) return;
    const now = Date.now();
    for (const job of held) {
      if ((job.priority ?? 0) >= priority) continue;
      job.released = true;
      const inReady = this.ready.indexOf(job);
      if (inReady >= 0) {
        this.ready.splice(inReady, 1);
        this.enqueue({ kind: 'release', jobId: job.row.job_id, at: now });
      } else {
        // Reported back through exited(); if it started meanwhile, it simply runs.
        if (!(await this.executor.dropWaiting(job.row.job_id, job.row.attempt))) job.released = false;
      }
    }
  }

  /** How many jobs to hold claimed ahead: what the running slots get through in HOLD_AHEAD_MS. */
  private lookahead(): number {
    if (this.recentDurationMs === undefined) return 0;
    let slots = 0;
    for (const job of this.running.values()) if (job.launched) slots++;
    return Math.min(MAX_LOOKAHEAD, Math.floor((Math.max(1, slots) * HOLD_AHEAD_MS) / Math.max(1, this.recentDurationMs)));
  }

  private recordDuration(job: Running, now: number): void {
    if (job.launchedAt === undefined) return;
    const ms = now - job.launchedAt;
    // A new long job counts at once: holding jobs behind it would keep them from other servers.
    this.recentDurationMs = this.recentDurationMs === undefined || ms > this.recentDurationMs ? ms : this.recentDurationMs * 0.8 + ms * 0.2;
  }

  /**
   * Starts jobs claimed ahead, in the order claimed, wherever they fit now; the others are
   * chained behind a running job of the same size, to start on its capacity when it ends.
   */
  private launchReady(plan: Plan | undefined = this.cachedPlan?.plan): void {
    if (this.ready.length === 0 || !this.active || !plan) return;
    const started: Running[] = [];
    const chained: Running[] = [];
    let hosts: Running[] | undefined;
    this.ready = this.ready.filter((job) => {
      const envs = job.envs ?? [];
      const ce = envs
        .map((name) => plan.ces.get(name))
        .find((c): c is ComputeEnvironment => c !== undefined && this.free(c).vcpus >= job.row.vcpus && this.free(c).memory >= job.row.memory_mib);
      if (ce) {
        this.reserve(ce.computeEnvironmentName, job.row.vcpus, job.row.memory_mib, 1);
        job.ce = ce.computeEnvironmentName;
        started.push(job);
        return false;
      }
      // Behind a running job, or at the end of a chain: the executor runs a chain back to back.
      hosts ??= [...this.running.values()].filter((r) => (r.launched || r.chained) && !r.successor && r.terminated === undefined);
      const at = hosts.findIndex((r) => r.row.vcpus === job.row.vcpus && r.row.memory_mib === job.row.memory_mib && envs.includes(r.ce));
      if (at < 0) return true;
      const predecessor = hosts.splice(at, 1)[0] as Running;
      predecessor.successor = job;
      Object.assign(job, { predecessor, chained: true, ce: predecessor.ce });
      chained.push(job);
      hosts.push(job);
      this.chainedCount++;
      return false;
    });
    this.launch(started);
    for (const job of chained) {
      const { row } = job.predecessor as Running;
      void this.startAttempt(job, { after: { jobId: row.job_id, attempt: row.attempt } });
    }
  }

  /** At shutdown, jobs claimed ahead go back to RUNNABLE as they were: they never started. */
  private async releaseReady(): Promise<void> {
    const ready = this.ready;
    this.ready = [];
    if (ready.length === 0) return;
    try {
      await this.store.db.transaction().execute(async (trx) => {
        for (const job of ready) await this.unclaim(trx, job);
      });
    } catch (err) {
      // They stay STARTING; the next server finds them unstarted and makes them RUNNABLE.
      console.error('skybatch scheduler: could not give back jobs claimed ahead:', err);
    }
    for (const job of ready) this.running.delete(job.row.job_id);
  }

  /** Undoes a claim whose attempt never started: RUNNABLE again, the attempt not counted. */
  private async unclaim(db: Store['db'], job: Running): Promise<void> {
    const detail = copyForUpdate(job.detail);
    transition(detail, 'RUNNABLE', Date.now());
    const row = { ...job.row, attempt: Math.max(0, job.row.attempt - 1) };
    await q.updateJob(db, row.job_id, { status: 'RUNNABLE', attempt: row.attempt, owner: null, lease_expires: null, body: bodyOf(row, detail) });
  }

  /**
   * Read outside any transaction: SQLite has one connection, which a transaction holds.
   * Kept for a moment: a burst of short jobs would otherwise read them once per job.
   */
  private async loadPlan(): Promise<Plan> {
    if (this.cachedPlan && Date.now() - this.cachedPlan.at < PLAN_TTL_MS) return this.cachedPlan.plan;
    const ces = new Map((await this.resources.computeEnvironments.list()).filter((c) => c.state === 'ENABLED' && c.executor === 'local').map((c) => [c.computeEnvironmentName, c]));
    const queues = (await this.resources.queues.list()).filter((jq) => jq.state === 'ENABLED').sort((a, b) => b.priority - a.priority);
    this.cachedPlan = { at: Date.now(), plan: { ces, queues } };
    return { ces, queues };
  }

  /**
   * Fair share by recent usage: vCPUs started per share, decaying with a half-life, so a share
   * that just ran jobs waits behind one that has not, even where one job fills the machine.
   * Kept in memory: a restarted server starts every share even, as AWS Batch's decay would soon.
   */
  private readonly usage = new Map<string, { value: number; at: number }>();

  private shareUsage(queue: string, now: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, u] of this.usage) {
      const [q, share] = key.split('\u0000') as [string, string];
      if (q === queue) out.set(share, u.value * Math.pow(0.5, (now - u.at) / SHARE_HALF_LIFE_MS));
    }
    return out;
  }

  private recordUsage(queue: string, share: string, vcpus: number, now: number): void {
    const key = `${queue}\u0000${share}`;
    const current = this.shareUsage(queue, now).get(share) ?? 0;
    this.usage.set(key, { value: current + vcpus, at: now });
  }

  private hasRoom(ce: ComputeEnvironment): boolean {
    const free = this.free(ce);
    return free.vcpus > 0 && free.memory > 0;
  }

  /**
   * Claims what fits now (`now`, capacity reserved) and up to `ahead` more (`ahead`, for
   * launchReady). A claim that does not commit is given back by the caller (unreserve).
   */
  private async claim(trx: Store['db'], { ces, queues }: Plan, ahead: number, reserved: Reservation[]): Promise<{ now: Running[]; ahead: Running[] }> {
    const now = Date.now();
    const room = () => [...ces.values()].some((c) => this.hasRoom(c));
    const out: Running[] = [];
    const later: Running[] = [];
    const starting: q.JobState[] = [];
    const cache = new DetailCache(trx);
    for (const queue of queues) {
      const envs = queue.computeEnvironmentOrder.map((o) => ces.get(o.computeEnvironment)).filter((c): c is ComputeEnvironment => c !== undefined);
      if (envs.length === 0 || (!room() && later.length >= ahead)) continue;
      // A few more than fit, for backfill when the first ones are too large.
      let rows = await q.runnableJobs(trx, this.store.dialect, [queue.jobQueueName], 16 + ahead);
      if (queue.schedulingPolicy === 'FAIR_SHARE') rows = fairOrder(rows, this.shareUsage(queue.jobQueueName, now));
      for (const row of rows) {
        const ce = envs.find((c) => this.free(c).vcpus >= row.vcpus && this.free(c).memory >= row.memory_mib);
        // Ahead only what one of its environments can ever hold, and only behind what fits now.
        // Not for FAIR_SHARE: its order depends on what runs at the moment each job starts.
        const canWait = !ce && later.length < ahead && queue.schedulingPolicy !== 'FAIR_SHARE' && envs.some((c) => c.maxVcpus >= row.vcpus && c.maxMemoryMiB >= row.memory_mib);
        if (!ce && !canWait) continue;
        if (ce) {
          this.reserve(ce.computeEnvironmentName, row.vcpus, row.memory_mib, 1);
          reserved.push({ ce: ce.computeEnvironmentName, vcpus: row.vcpus, memory: row.memory_mib });
        }
        if (queue.schedulingPolicy === 'FAIR_SHARE') this.recordUsage(queue.jobQueueName, row.share_identifier ?? '', row.vcpus, now);
        const detail = await cache.detail(row);
        transition(detail, 'STARTING', now);
        row.attempt += 1;
        row.status = 'STARTING';
        row.owner = this.options.owner;
        starting.push({ job_id: row.job_id, status: 'STARTING', body: bodyOf(row, detail) });
        if (ce) out.push({ row, detail, ce: ce.computeEnvironmentName });
        else later.push({ row, detail, ce: '', envs: envs.map((c) => c.computeEnvironmentName), priority: queue.priority });
        if (!room() && later.length >= ahead) break;
      }
    }
    // The rows were read in this transaction (and locked, on PostgreSQL): attempt + 1 is row.attempt.
    await q.updateJobStates(trx, starting, { attempt: sql<number>`attempt + 1`, owner: this.options.owner, lease_expires: now + this.leaseMs });
    await this.markParentsRunning(trx, [...out, ...later], now);
    return { now: out, ahead: later };
  }

  /** Starts claimed jobs; call only after the claim committed. */
  private launch(claimed: Running[]): void {
    const now = Date.now();
    for (const job of claimed) {
      job.launched = true;
      job.launchedAt = now;
      this.running.set(job.row.job_id, job);
      void this.startAttempt(job);
    }
  }

  /** Gives back what a claim reserved when its transaction did not commit. */
  private unreserve(reservations: Reservation[]): void {
    for (const r of reservations) this.reserve(r.ce, r.vcpus, r.memory, -1);
  }


  private async markParentsRunning(db: Store['db'], jobs: Running[], now: number): Promise<void> {
    const parents = [...new Set(jobs.map((j) => j.row.array_parent).filter((p): p is string => p !== null))];
    for (const parent of await q.getJobs(db, parents)) {
      if (parent.status !== 'PENDING') continue;
      const detail = JSON.parse(parent.body) as JobDetail;
      transition(detail, 'RUNNING', now);
      detail.startedAt = now;
      await q.updateJob(db, parent.job_id, { status: 'RUNNING', body: JSON.stringify(detail) });
    }
  }

  private executorJob(job: Running): ExecutorJob {
    const { detail, row } = job;
    const paths = jobPaths(this.options.dataDir, row.job_id);
    const endpoint = this.options.endpoint(row.job_id);
    const environment: Record<string, string> = {};
    for (const e of detail.container.environment) environment[e.name] = e.value;
    Object.assign(environment, {
      SKYBATCH_JOB_ID: row.job_id,
      SKYBATCH_ATTEMPT: String(row.attempt),
      SKYBATCH_ENDPOINT: endpoint.url,
      SKYBATCH_TOKEN: endpoint.token,
      SKYBATCH_CHECKPOINT_DIR: paths.checkpointDir,
      AWS_BATCH_JOB_ID: row.job_id,
      AWS_BATCH_JOB_ATTEMPT: String(row.attempt),
      AWS_BATCH_JQ_NAME: row.queue,
      AWS_BATCH_CE_NAME: job.ce,
    });
    if (detail.arrayProperties?.index !== undefined) environment.AWS_BATCH_JOB_ARRAY_INDEX = String(detail.arrayProperties.index);
    const ej: ExecutorJob = {
      jobId: row.job_id,
      attempt: row.attempt,
      command: substituteParameters(detail.container.command, detail.parameters),
      environment,
      workDir: paths.workDir,
      logFile: paths.logFile,
      vcpus: detail.container.vcpus,
      memoryMiB: detail.container.memory,
    };
    if (detail.timeout) ej.timeoutSeconds = detail.timeout.attemptDurationSeconds;
    if (detail.container.image) ej.image = detail.container.image;
    return ej;
  }

  /**
   * The process is gone: its capacity goes to the job chained behind it, or is free at once.
   * Capacity flows along a chain in the order the executor reports exits, which is the order
   * it starts the chain in, so the count stays right whichever job of a chain was dropped.
   */
  private exited(jobId: string, outcome: AttemptOutcome): void {
    const now = Date.now();
    const job = this.running.get(jobId);
    if (job?.launched) {
      job.launched = false;
      if (!job.released) this.recordDuration(job, now);
      const next = job.successor;
      job.successor = undefined;
      if (next?.chained) {
        Object.assign(next, { chained: false, launched: true, launchedAt: now, predecessor: undefined });
        this.chainedCount--;
      } else {
        this.reserve(job.ce, job.row.vcpus, job.row.memory_mib, -1);
      }
    } else if (job?.chained) {
      // Ended without starting (dropped, or it could not start): it leaves the chain, whose
      // capacity stays where it was; the executor links its neighbours the same way.
      this.chainedCount--;
      job.chained = false;
      const { predecessor, successor } = job;
      if (predecessor?.successor === job) predecessor.successor = successor;
      if (successor) successor.predecessor = predecessor;
      job.predecessor = undefined;
      job.successor = undefined;
    }
    if (job?.released) {
      // Dropped before it started, to make way for a higher-priority queue.
      this.enqueue({ kind: 'release', jobId, at: now });
      return;
    }
    this.enqueue({ kind: 'exit', jobId, outcome, at: now });
    this.launchReady();
  }

  private async startAttempt(job: Running, options: StartOptions = {}): Promise<void> {
    const jobId = job.row.job_id;
    const onExit = (outcome: AttemptOutcome) => this.exited(jobId, outcome);
    try {
      const handle = await this.executor.start(this.executorJob(job), onExit, options);
      // Dropped while it waited in a chain: it never ran, and goes back to RUNNABLE.
      if (job.released && handle.pid === undefined) return;
      this.enqueue({ kind: 'running', jobId, handle, at: Date.now() });
      // A terminate that arrived while the process was being started found nothing to kill.
      if (job.terminated !== undefined) await this.executor.terminate(jobId, job.row.attempt, job.terminated);
    } catch (err) {
      onExit({ exitCode: null, statusReason: `CannotStartContainerError: ${(err as Error).message}` });
    }
  }

  private enqueue(item: Pending): void {
    this.pending.push(item);
    this.scheduleFlush();
  }

  /** One flush at a time; what arrives meanwhile waits for the next (a burst becomes one write). */
  private scheduleFlush(): void {
    if (this.flushing) return;
    // A lone change is written at once; a stream of them, in batches.
    const wait = Math.max(0, this.lastFlushAt + FLUSH_INTERVAL_MS - Date.now());
    this.flushing = new Promise<void>((resolve) => (wait === 0 ? setImmediate(resolve) : setTimeout(resolve, wait))).then(() => this.flush());
  }

  /** Writes every status change that arrived since the last flush, in one transaction. */
  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.lastFlushAt = Date.now();
    try {
      await this.record(batch, true);
      this.flushFailures.succeeded();
    } catch (err) {
      if (isStoreUnavailable(err)) {
        // Not any one job's fault: all of them wait for the store to come back.
        this.flushFailures.failed(err);
        this.pending.unshift(...batch);
      } else {
        console.error('skybatch scheduler: could not record job status; recording each job alone:', err);
        await this.recordEachAlone(batch);
      }
    } finally {
      this.flushing = undefined;
      if (this.pending.length > 0) this.scheduleFlush();
      // Capacity freed by exits is claimed again by the loop.
      this.wake();
    }
  }

  private async record(batch: Pending[], followUps: boolean): Promise<void> {
    const written = await withRetry(() => this.store.db.transaction().execute((trx) => this.write(trx, batch, followUps)));
    written.apply();
    if (written.ended.length > 0) this.onEnded(written.ended.map((e) => e.detail));
  }

  /**
   * One job's changes can fail a whole batch (a dependent or array parent whose stored record
   * cannot be read, say). Each job is written alone so the rest are recorded; a job failing
   * alone twice the same way is recorded without what follows from its end (dependents, array
   * parent), its status reason saying why; one whose own row cannot be written is dropped.
   */
  private async recordEachAlone(batch: Pending[]): Promise<void> {
    const byJob = new Map<string, Pending[]>();
    for (const item of batch) byJob.set(item.jobId, [...(byJob.get(item.jobId) ?? []), item]);
    for (const [jobId, items] of byJob) {
      try {
        await this.record(items, true);
        this.writeStrikes.delete(jobId);
        continue;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (isStoreUnavailable(err) || this.writeStrikes.get(jobId) !== message) {
          // A store that is down or full is no strike against the job.
          if (!isStoreUnavailable(err)) this.writeStrikes.set(jobId, message);
          this.pending.push(...items);
          continue;
        }
        this.writeStrikes.delete(jobId);
        console.error(`skybatch scheduler: job ${jobId}: its status failed to record twice; recording it without its dependents:`, err);
        this.followUpFailure.set(jobId, message);
      }
      try {
        await this.record(items, false);
      } catch (err) {
        console.error(`skybatch scheduler: job ${jobId}: its own row cannot be written; leaving it:`, err);
        this.running.delete(jobId);
      } finally {
        this.followUpFailure.delete(jobId);
      }
    }
  }

  /**
   * Records a batch of status changes. Works on copies of the in-memory jobs and returns
   * `apply` to adopt them once the transaction committed: a retried transaction starts from
   * the same state instead of recording an attempt twice.
   */
  private async write(db: Store['db'], batch: Pending[], followUps = true): Promise<{ ended: Ended[]; apply(): void }> {
    const copies = new Map<string, Running>();
    const exited = new Set<string>();
    const ended: Ended[] = [];
    for (const item of batch) {
      const original = this.running.get(item.jobId);
      if (!original || exited.has(item.jobId)) continue;
      let job = copies.get(item.jobId);
      if (!job) {
        job = { ...original, row: { ...original.row }, detail: copyForUpdate(original.detail) };
        copies.set(item.jobId, job);
      }
      if (item.kind === 'release') {
        await this.unclaim(db, job);
        exited.add(item.jobId);
        continue;
      }
      if (item.kind === 'running') {
        transition(job.detail, 'RUNNING', item.at);
        job.detail.startedAt ??= item.at;
        job.detail.attempts.push({ container: { logStreamName: jobPaths(this.options.dataDir, item.jobId).logFile }, startedAt: item.at, host: item.handle.host, ...(item.handle.pid === undefined ? {} : { pid: item.handle.pid }) });
        job.row.status = 'RUNNING';
        continue;
      }
      this.finishAttempt(job, item.outcome, item.at);
      exited.add(item.jobId);
      if (job.detail.status === 'RUNNABLE') {
        await q.updateJob(db, item.jobId, { status: 'RUNNABLE', owner: null, lease_expires: null, terminate_reason: null, body: bodyOf(job.row, job.detail) });
      } else {
        ended.push({ row: job.row, detail: job.detail });
      }
    }
    const started = [...copies].filter(([jobId]) => !exited.has(jobId));
    await q.updateJobStates(db, started.map(([jobId, job]) => ({ job_id: jobId, status: job.row.status, body: bodyOf(job.row, job.detail) })));
    const settled = ended.length === 0 ? [] : followUps ? await settle(db, ended, Date.now()) : await this.endWithoutFollowUps(db, ended);
    return {
      ended: settled,
      apply: () => {
        for (const [jobId, job] of copies) {
          const original = this.running.get(jobId);
          if (exited.has(jobId)) {
            this.running.delete(jobId);
          } else if (original) {
            // In place: chains and capacity link to the job object itself.
            original.row = job.row;
            original.detail = job.detail;
          }
        }
      },
    };
  }

  private async endWithoutFollowUps(db: Store['db'], ended: Ended[]): Promise<Ended[]> {
    for (const e of ended) {
      const why = this.followUpFailure.get(e.row.job_id) ?? 'unknown error';
      e.detail.statusReason = `${e.detail.statusReason ? `${e.detail.statusReason}; ` : ''}its dependents and array parent could not be updated: ${why}`;
      e.row.status = e.detail.status;
    }
    await q.updateJobStates(
      db,
      ended.map((e) => ({ job_id: e.row.job_id, status: e.detail.status, body: bodyOf(e.row, e.detail) })),
      { owner: null, lease_expires: null },
    );
    return ended;
  }

  private finishAttempt(job: Running, outcome: AttemptOutcome, at: number): void {
    const { detail } = job;
    const attempt = detail.attempts[detail.attempts.length - 1];
    const container: { exitCode?: number; reason?: string; logStreamName: string } = { logStreamName: jobPaths(this.options.dataDir, job.row.job_id).logFile };
    if (outcome.exitCode !== null) container.exitCode = outcome.exitCode;
    if (outcome.reason !== undefined) container.reason = outcome.reason;
    if (attempt && attempt.stoppedAt === undefined) Object.assign(attempt, { container, stoppedAt: at, statusReason: outcome.statusReason });
    else detail.attempts.push({ container, startedAt: at, stoppedAt: at, statusReason: outcome.statusReason, host: this.host });
    detail.container = { ...detail.container, ...(outcome.exitCode === null ? {} : { exitCode: outcome.exitCode }), ...(outcome.reason === undefined ? {} : { reason: outcome.reason }) };
    if (outcome.exitCode === 0 && !job.terminated) {
      transition(detail, 'SUCCEEDED', at, outcome.statusReason);
    } else if (shouldRetry(detail.retryStrategy, job.row.attempt, outcome, job.terminated !== undefined)) {
      transition(detail, 'RUNNABLE', at, outcome.statusReason);
    } else {
      transition(detail, 'FAILED', at, job.terminated ?? outcome.statusReason);
    }
  }

  /** Lease renewal, terminate requests from other servers, and orphans of dead servers. */
  private async maintain(): Promise<void> {
    try {
      const now = Date.now();
      await q.renewJobLeases(this.store.db, this.options.owner, now + this.leaseMs);
      const asked = await this.store.db.selectFrom('jobs').select(['job_id', 'terminate_reason']).where('owner', '=', this.options.owner).where('terminate_reason', 'is not', null).execute();
      for (const a of asked) if (!this.running.get(a.job_id)?.terminated) await this.terminate(a.job_id, a.terminate_reason as string);
      await this.adoptOrphans(false);
    } catch (err) {
      console.error('skybatch scheduler: maintenance failed:', err);
    }
  }

  private async adoptOrphans(all: boolean): Promise<void> {
    const now = Date.now();
    const orphans = (await q.orphanedJobs(this.store.db, all ? Number.MAX_SAFE_INTEGER : now, this.options.owner)).filter((r) => !this.running.has(r.job_id));
    const cache = new DetailCache(this.store.db);
    for (const row of orphans) {
      const taken = await this.store.db
        .updateTable('jobs')
        .set({ owner: this.options.owner, lease_expires: now + this.leaseMs })
        .where('job_id', '=', row.job_id)
        .where('status', 'in', ['STARTING', 'RUNNING'])
        .where((eb) => (row.owner === null ? eb('owner', 'is', null) : eb('owner', '=', row.owner)))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 0) continue;
      const detail = await cache.detail(row);
      const ce = (await this.resources.queues.describe(row.queue).catch(() => undefined))?.computeEnvironmentOrder[0]?.computeEnvironment ?? 'local';
      const job: Running = { row: { ...row, owner: this.options.owner }, detail, ce, launched: true };
      this.running.set(row.job_id, job);
      this.reserve(ce, row.vcpus, row.memory_mib, 1);
      const last = detail.attempts[detail.attempts.length - 1];
      const onExit = (outcome: AttemptOutcome) => this.exited(row.job_id, outcome);
      // STARTING: claimed, but its pid never recorded; only the host that claimed it can look.
      const starting = row.status === 'STARTING';
      const here = starting ? all || hostOfOwner(row.owner) === this.host : last?.host === this.host && last.stoppedAt === undefined;
      const handle: AttemptHandle = starting ? { host: this.host } : { host: last?.host ?? this.host, ...(last?.pid === undefined ? {} : { pid: last.pid }) };
      if (here && (await this.executor.recover(this.executorJob(job), handle, onExit))) continue;
      if (starting && here) {
        // Neither running nor ended: it never started (claimed ahead, or its server died first).
        this.running.delete(row.job_id);
        this.reserve(ce, row.vcpus, row.memory_mib, -1);
        await this.unclaim(this.store.db, job);
        continue;
      }
      onExit({ exitCode: null, statusReason: 'Host lost: the server running this job stopped and the job\'s process was not found' });
    }
  }
}

/** The host part of a server's owner id (`host/uuid`, see openPlatform). */
function hostOfOwner(owner: string | null): string | undefined {
  const slash = owner?.lastIndexOf('/') ?? -1;
  return owner && slash > 0 ? owner.slice(0, slash) : undefined;
}

/** FAIR_SHARE: repeatedly take the next job of the share with the least recent usage. */
function fairOrder(rows: q.JobRow[], running: Map<string, number>): q.JobRow[] {
  const byShare = new Map<string, q.JobRow[]>();
  for (const row of rows) {
    const share = row.share_identifier ?? '';
    byShare.set(share, [...(byShare.get(share) ?? []), row]);
  }
  const counts = new Map([...byShare.keys()].map((s) => [s, running.get(s) ?? 0]));
  const out: q.JobRow[] = [];
  while (out.length < rows.length) {
    let best: string | undefined;
    for (const [share, list] of byShare) if (list.length > 0 && (best === undefined || (counts.get(share) ?? 0) < (counts.get(best) ?? 0))) best = share;
    if (best === undefined) break;
    out.push(byShare.get(best)?.shift() as q.JobRow);
    counts.set(best, (counts.get(best) ?? 0) + (out[out.length - 1] as q.JobRow).vcpus);
  }
  return out;
}
