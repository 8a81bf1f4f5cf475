/*
 * Compute environments, job queues and job definitions. A fresh store gets a compute
 * environment `local` sized to this machine (all cores, 80% of memory) and a queue `default`.
 */
import { availableParallelism, totalmem } from 'node:os';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import type { Store } from '../store/database.js';
import { isUniqueViolation } from '../store/errors.js';
import * as q from '../store/batch-resources.js';
import { checkJobResources } from './resource-requirements.js';
import type { ComputeEnvironment, EvaluateOnExit, JobDefinition, JobQueue, RetryStrategy } from './types.js';

const ACCOUNT = '000000000000';
const REGION = 'local';
const NAME = /^[A-Za-z0-9_-]{1,128}$/;

export const batchArn = (kind: 'compute-environment' | 'job-queue' | 'job-definition' | 'job', id: string) => `arn:aws:batch:${REGION}:${ACCOUNT}:${kind}/${id}`;

/** The resource name in an ARN (`...:job-queue/NAME`) or a plain name. */
export function nameFromArn(value: string): string {
  const m = /^arn:aws:batch:[^:]*:[^:]*:[a-z-]+\/(.+)$/.exec(value);
  return m ? (m[1] as string) : value;
}

function checkName(kind: string, name: string): void {
  if (!NAME.test(name)) throw new BadRequestError(`${kind} name "${name}" must be 1 to 128 letters, digits, "-" or "_"`);
}

export function machineCapacity(): { vcpus: number; memoryMiB: number } {
  return { vcpus: availableParallelism(), memoryMiB: Math.floor((totalmem() / 1024 / 1024) * 0.8) };
}

export function checkRetryStrategy(strategy: Partial<RetryStrategy> | undefined): RetryStrategy {
  const attempts = strategy?.attempts ?? 1;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10) throw new BadRequestError(`retryStrategy.attempts must be an integer from 1 to 10, got ${attempts}`);
  const rules: EvaluateOnExit[] = strategy?.evaluateOnExit ?? [];
  if (rules.length > 5) throw new BadRequestError('retryStrategy.evaluateOnExit takes at most 5 rules');
  for (const [i, r] of rules.entries()) {
    if (r.action !== 'RETRY' && r.action !== 'EXIT') throw new BadRequestError(`retryStrategy.evaluateOnExit[${i}].action must be RETRY or EXIT`);
    if (r.onExitCode === undefined && r.onReason === undefined && r.onStatusReason === undefined) {
      throw new BadRequestError(`retryStrategy.evaluateOnExit[${i}] needs onExitCode, onReason or onStatusReason`);
    }
  }
  return rules.length > 0 ? { attempts, evaluateOnExit: rules } : { attempts };
}

export interface CreateComputeEnvironment {
  name: string;
  executor?: 'local' | 'slurm';
  capacityType?: 'ON_DEMAND' | 'SPOT';
  state?: 'ENABLED' | 'DISABLED';
  maxVcpus?: number;
  maxMemoryMiB?: number;
}

export interface CreateJobQueue {
  name: string;
  priority?: number;
  state?: 'ENABLED' | 'DISABLED';
  computeEnvironments?: string[];
  schedulingPolicy?: 'FIFO' | 'FAIR_SHARE';
}

export interface RegisterJobDefinition {
  name: string;
  command?: string[] | string;
  image?: string;
  environment?: Record<string, string> | { name: string; value: string }[];
  vcpus?: number;
  memory?: number;
  parameters?: Record<string, string>;
  retryStrategy?: Partial<RetryStrategy>;
  timeoutSeconds?: number;
}

/** `changed` is told of every change to compute environments and queues (the scheduler re-reads them). */
export function createBatchResources(store: Store, changed: () => void = () => {}) {
  const { db } = store;

  const computeEnvironments = {
    async put(request: CreateComputeEnvironment, existing?: ComputeEnvironment): Promise<ComputeEnvironment> {
      checkName('compute environment', request.name);
      const size = machineCapacity();
      const ce: ComputeEnvironment = {
        computeEnvironmentName: request.name,
        computeEnvironmentArn: batchArn('compute-environment', request.name),
        executor: request.executor ?? existing?.executor ?? 'local',
        capacityType: request.capacityType ?? existing?.capacityType ?? 'ON_DEMAND',
        state: request.state ?? existing?.state ?? 'ENABLED',
        maxVcpus: request.maxVcpus ?? existing?.maxVcpus ?? size.vcpus,
        maxMemoryMiB: request.maxMemoryMiB ?? existing?.maxMemoryMiB ?? size.memoryMiB,
        createdAt: existing?.createdAt ?? Date.now(),
      };
      if (ce.executor === 'slurm') throw new BadRequestError('the slurm executor is not available yet; use executor "local"');
      if (!(ce.maxVcpus > 0) || !(ce.maxMemoryMiB > 0)) throw new BadRequestError('maxVcpus and maxMemoryMiB must be positive');
      await q.putNamed(db, 'compute_environments', ce.computeEnvironmentName, ce);
      changed();
      return ce;
    },
    async create(request: CreateComputeEnvironment): Promise<ComputeEnvironment> {
      if (await q.getNamed(db, 'compute_environments', request.name)) throw new ConflictError(`compute environment "${request.name}" already exists`);
      return computeEnvironments.put(request);
    },
    async update(name: string, request: Omit<CreateComputeEnvironment, 'name'>): Promise<ComputeEnvironment> {
      return computeEnvironments.put({ ...request, name }, await computeEnvironments.describe(name));
    },
    async describe(nameOrArn: string): Promise<ComputeEnvironment> {
      const name = nameFromArn(nameOrArn);
      const ce = await q.getNamed<ComputeEnvironment>(db, 'compute_environments', name);
      if (!ce) throw new NotFoundError(`compute environment "${name}" does not exist`);
      return ce;
    },
    list: () => q.listNamed<ComputeEnvironment>(db, 'compute_environments'),
    async delete(nameOrArn: string): Promise<void> {
      const name = nameFromArn(nameOrArn);
      const used = (await queues.list()).filter((jq) => jq.computeEnvironmentOrder.some((o) => o.computeEnvironment === name));
      if (used.length > 0) throw new ConflictError(`compute environment "${name}" is used by job queue(s) ${used.map((u) => u.jobQueueName).join(', ')}`);
      if (!(await q.deleteNamed(db, 'compute_environments', name))) throw new NotFoundError(`compute environment "${name}" does not exist`);
      changed();
    },
  };

  const queues = {
    async put(request: CreateJobQueue, existing?: JobQueue): Promise<JobQueue> {
      checkName('job queue', request.name);
      const ces = (request.computeEnvironments ?? existing?.computeEnvironmentOrder.map((o) => o.computeEnvironment) ?? ['local']).map(nameFromArn);
      if (ces.length === 0) throw new BadRequestError('a job queue needs at least one compute environment');
      for (const ce of ces) await computeEnvironments.describe(ce);
      const priority = request.priority ?? existing?.priority ?? 1;
      if (!Number.isInteger(priority) || priority < 0 || priority > 1000) throw new BadRequestError('priority must be an integer from 0 to 1000');
      const jq: JobQueue = {
        jobQueueName: request.name,
        jobQueueArn: batchArn('job-queue', request.name),
        priority,
        state: request.state ?? existing?.state ?? 'ENABLED',
        computeEnvironmentOrder: ces.map((computeEnvironment, order) => ({ order: order + 1, computeEnvironment })),
        schedulingPolicy: request.schedulingPolicy ?? existing?.schedulingPolicy ?? 'FIFO',
        createdAt: existing?.createdAt ?? Date.now(),
      };
      await q.putNamed(db, 'job_queues', jq.jobQueueName, jq);
      changed();
      return jq;
    },
    async create(request: CreateJobQueue): Promise<JobQueue> {
      if (await q.getNamed(db, 'job_queues', request.name)) throw new ConflictError(`job queue "${request.name}" already exists`);
      return queues.put(request);
    },
    async update(name: string, request: Omit<CreateJobQueue, 'name'>): Promise<JobQueue> {
      return queues.put({ ...request, name }, await queues.describe(name));
    },
    async describe(nameOrArn: string): Promise<JobQueue> {
      const name = nameFromArn(nameOrArn);
      const jq = await q.getNamed<JobQueue>(db, 'job_queues', name);
      if (!jq) throw new NotFoundError(`job queue "${name}" does not exist`);
      return jq;
    },
    list: () => q.listNamed<JobQueue>(db, 'job_queues'),
    async delete(nameOrArn: string): Promise<void> {
      const name = nameFromArn(nameOrArn);
      if (!(await q.deleteNamed(db, 'job_queues', name))) throw new NotFoundError(`job queue "${name}" does not exist`);
      changed();
    },
  };

  const definitions = {
    async register(request: RegisterJobDefinition): Promise<JobDefinition> {
      checkName('job definition', request.name);
      const command = typeof request.command === 'string' ? [request.command] : (request.command ?? []);
      if (command.length === 0 && request.image === undefined) throw new BadRequestError('a job definition needs a command (or an image whose default command runs)');
      const vcpus = request.vcpus ?? 1;
      const memory = request.memory ?? 2048;
      checkJobResources({ vcpus, memory });
      const env = Array.isArray(request.environment) ? request.environment : Object.entries(request.environment ?? {}).map(([name, value]) => ({ name, value }));
      if (request.timeoutSeconds !== undefined && !(Number.isInteger(request.timeoutSeconds) && request.timeoutSeconds >= 1)) throw new BadRequestError('timeoutSeconds must be a positive integer');
      return store.db.transaction().execute(async (trx) => {
        const revision = await q.nextDefinitionRevision(trx, request.name);
        const def: JobDefinition = {
          jobDefinitionName: request.name,
          jobDefinitionArn: batchArn('job-definition', `${request.name}:${revision}`),
          revision,
          status: 'ACTIVE',
          type: 'container',
          containerProperties: { command, environment: env, vcpus, memory, ...(request.image === undefined ? {} : { image: request.image }) },
          parameters: request.parameters ?? {},
          retryStrategy: checkRetryStrategy(request.retryStrategy),
          createdAt: Date.now(),
          ...(request.timeoutSeconds === undefined ? {} : { timeout: { attemptDurationSeconds: request.timeoutSeconds } }),
        };
        await q.insertDefinition(trx, request.name, revision, def);
        return def;
      });
    },
    /** NAME, NAME:REVISION or an ARN of either. */
    async describe(ref: string): Promise<JobDefinition> {
      const [name, rev] = nameFromArn(ref).split(':');
      const revision = rev === undefined ? undefined : Number(rev);
      if (revision !== undefined && !Number.isInteger(revision)) throw new BadRequestError(`job definition "${ref}" has an invalid revision`);
      const def = await q.getDefinition<JobDefinition>(db, name as string, revision);
      if (!def) throw new NotFoundError(`job definition "${ref}" does not exist`);
      return def;
    },
    list: (options: { name?: string; status?: 'ACTIVE' | 'INACTIVE' } = {}) => q.listDefinitions<JobDefinition>(db, options),
    /** NAME:REVISION deactivates that revision; NAME alone, every active revision. */
    async deregister(ref: string): Promise<void> {
      const def = await definitions.describe(ref);
      const one = nameFromArn(ref).includes(':');
      const targets = one ? [def] : await definitions.list({ name: def.jobDefinitionName, status: 'ACTIVE' });
      for (const d of targets) await q.setDefinitionStatus(db, d.jobDefinitionName, d.revision, 'INACTIVE', { ...d, status: 'INACTIVE' });
    },
  };

  /** The defaults every fresh server has: compute environment `local` and queue `default`. */
  async function ensureDefaults(): Promise<void> {
    try {
      if (!(await q.getNamed(db, 'compute_environments', 'local'))) await computeEnvironments.put({ name: 'local' });
      if (!(await q.getNamed(db, 'job_queues', 'default'))) await queues.put({ name: 'default', computeEnvironments: ['local'] });
    } catch (err) {
      // Another server starting on the same database made them first.
      if (!isUniqueViolation(err)) throw err;
    }
  }

  return { computeEnvironments, queues, definitions, ensureDefaults };
}

export type BatchResources = ReturnType<typeof createBatchResources>;
