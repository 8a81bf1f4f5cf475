/*
 * arn:aws:states:::batch:submitJob and submitJob.sync. Parameters and outputs use AWS
 * Batch's PascalCase API shapes, so definitions written for AWS run unchanged. The task id
 * is the submit's client token: a task delivered twice (after a crash) finds its job.
 * A .sync task whose job FAILED fails with States.TaskFailed and the described job as cause.
 */
import type { Json } from '../asl/types.js';
import type { BatchService } from '../batch/service.js';
import type { DependencyType, EvaluateOnExit, JobDetail, SubmitJobRequest } from '../batch/types.js';
import { TaskFailure, type TaskHandler, type TaskRegistry } from '../engine/task-registry.js';
import { BadRequestError, SkybatchError } from '../errors.js';
import { memoryProblem, vcpusProblem } from '../batch/resource-requirements.js';

type Params = Record<string, Json>;

const str = (v: Json | undefined): string | undefined => (v === undefined || v === null ? undefined : String(v));

function pairs(list: Json | undefined): { name: string; value: string }[] {
  if (!Array.isArray(list)) return [];
  return list.map((e) => {
    const o = e as Params;
    return { name: String(o.Name ?? o.name), value: String(o.Value ?? o.value ?? '') };
  });
}

/** The Step Functions Parameters of submitJob, as a SubmitJobRequest. */
export function toSubmitRequest(p: Params, clientToken: string): SubmitJobRequest {
  const overrides = (p.ContainerOverrides ?? {}) as Params;
  const request: SubmitJobRequest = { jobName: String(p.JobName ?? ''), clientToken };
  const queue = str(p.JobQueue);
  if (queue) request.jobQueue = queue;
  const def = str(p.JobDefinition);
  if (def) request.jobDefinition = def;
  if (Array.isArray(overrides.Command)) request.command = overrides.Command.map(String);
  const env = pairs(overrides.Environment);
  if (env.length > 0) request.environment = env;
  if (Array.isArray(overrides.ResourceRequirements)) {
    (overrides.ResourceRequirements as Params[]).forEach((r, i) => {
      if (r?.Type !== 'VCPU' && r?.Type !== 'MEMORY') return;
      // AWS takes the Value as a string ("0.25", "2048"); "1e-300" is a number, but no size.
      const value = typeof r.Value === 'string' && r.Value.trim() !== '' ? Number(r.Value) : r.Value;
      const problem = r.Type === 'VCPU' ? vcpusProblem(value, JSON.stringify(r.Value ?? null)) : memoryProblem(value, JSON.stringify(r.Value ?? null));
      if (problem) throw new BadRequestError(`ContainerOverrides.ResourceRequirements[${i}].Value (${r.Type}): ${problem}`);
      if (r.Type === 'VCPU') request.vcpus = value as number;
      else request.memory = value as number;
    });
  }
  if (overrides.Vcpus !== undefined) request.vcpus = Number(overrides.Vcpus);
  if (overrides.Memory !== undefined) request.memory = Number(overrides.Memory);
  const size = (p.ArrayProperties as Params | undefined)?.Size;
  if (size !== undefined) request.arraySize = Number(size);
  if (p.Parameters && typeof p.Parameters === 'object') request.parameters = Object.fromEntries(Object.entries(p.Parameters as Params).map(([k, v]) => [k, String(v)]));
  if (Array.isArray(p.DependsOn)) request.dependsOn = p.DependsOn.map((d) => ({ jobId: String((d as Params).JobId), ...((d as Params).Type ? { type: (d as Params).Type as DependencyType } : {}) }));
  const retry = p.RetryStrategy as Params | undefined;
  if (retry?.Attempts !== undefined) request.attempts = Number(retry.Attempts);
  if (Array.isArray(retry?.EvaluateOnExit)) {
    request.evaluateOnExit = retry.EvaluateOnExit.map((r) => {
      const o = r as Params;
      const rule: EvaluateOnExit = { action: String(o.Action ?? '').toUpperCase() as 'RETRY' | 'EXIT' };
      if (o.OnExitCode !== undefined) rule.onExitCode = String(o.OnExitCode);
      if (o.OnReason !== undefined) rule.onReason = String(o.OnReason);
      if (o.OnStatusReason !== undefined) rule.onStatusReason = String(o.OnStatusReason);
      return rule;
    });
  }
  const timeout = (p.Timeout as Params | undefined)?.AttemptDurationSeconds;
  if (timeout !== undefined) request.timeoutSeconds = Number(timeout);
  if (p.ShareIdentifier !== undefined) request.shareIdentifier = String(p.ShareIdentifier);
  if (p.SchedulingPriorityOverride !== undefined) request.schedulingPriority = Number(p.SchedulingPriorityOverride);
  return request;
}

/** A JobDetail as AWS Batch's DescribeJobs shows it. */
export function describeAsAws(job: JobDetail): Params {
  const out: Params = {
    JobArn: job.jobArn,
    JobId: job.jobId,
    JobName: job.jobName,
    JobQueue: job.jobQueue,
    JobDefinition: job.jobDefinition,
    Status: job.status,
    CreatedAt: job.createdAt,
    Attempts: job.attempts.map((a) => ({
      Container: { ...(a.container.exitCode === undefined ? {} : { ExitCode: a.container.exitCode }), ...(a.container.reason === undefined ? {} : { Reason: a.container.reason }), LogStreamName: a.container.logStreamName },
      StartedAt: a.startedAt,
      ...(a.stoppedAt === undefined ? {} : { StoppedAt: a.stoppedAt }),
      ...(a.statusReason === undefined ? {} : { StatusReason: a.statusReason }),
    })),
    Container: {
      Command: job.container.command,
      Environment: job.container.environment.map((e) => ({ Name: e.name, Value: e.value })),
      ResourceRequirements: [
        { Type: 'VCPU', Value: String(job.container.vcpus) },
        { Type: 'MEMORY', Value: String(job.container.memory) },
      ],
      ...(job.container.exitCode === undefined ? {} : { ExitCode: job.container.exitCode }),
      ...(job.container.reason === undefined ? {} : { Reason: job.container.reason }),
      ...(job.container.image === undefined ? {} : { Image: job.container.image }),
    },
    DependsOn: job.dependsOn.map((d) => ({ JobId: d.jobId, ...(d.type ? { Type: d.type } : {}) })),
    Parameters: job.parameters,
    RetryStrategy: { Attempts: job.retryStrategy.attempts, ...(job.retryStrategy.evaluateOnExit ? { EvaluateOnExit: job.retryStrategy.evaluateOnExit.map((r) => ({ Action: r.action, ...(r.onExitCode ? { OnExitCode: r.onExitCode } : {}), ...(r.onReason ? { OnReason: r.onReason } : {}), ...(r.onStatusReason ? { OnStatusReason: r.onStatusReason } : {}) })) } : {}) },
  };
  if (job.statusReason !== undefined) out.StatusReason = job.statusReason;
  if (job.startedAt !== undefined) out.StartedAt = job.startedAt;
  if (job.stoppedAt !== undefined) out.StoppedAt = job.stoppedAt;
  if (job.timeout) out.Timeout = { AttemptDurationSeconds: job.timeout.attemptDurationSeconds };
  if (job.arrayProperties) {
    out.ArrayProperties = {
      ...(job.arrayProperties.size === undefined ? {} : { Size: job.arrayProperties.size }),
      ...(job.arrayProperties.index === undefined ? {} : { Index: job.arrayProperties.index }),
      ...(job.arrayProperties.statusSummary ? { StatusSummary: job.arrayProperties.statusSummary as Params } : {}),
    };
  }
  return out;
}

/** Resolves when the job ends (or the task is cancelled), without polling in a tight loop. */
function waitForEnd(batch: BatchService, jobId: string, signal: AbortSignal): Promise<JobDetail> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (job: JobDetail) => {
      cleanup();
      resolve(job);
    };
    const unsubscribe = batch.onJobsEnded((jobs) => {
      const job = jobs.find((j) => j.jobId === jobId);
      if (job) done(job);
    });
    const check = async () => {
      try {
        const job = await batch.jobs.describe(jobId);
        if (job.status === 'SUCCEEDED' || job.status === 'FAILED') return done(job);
      } catch (err) {
        cleanup();
        return reject(err);
      }
      // Jobs that another server runs end there: look again now and then.
      timer = setTimeout(() => void check(), 2000);
    };
    const onAbort = () => {
      cleanup();
      reject(new TaskFailure('States.TaskFailed', 'the task was cancelled'));
    };
    const cleanup = () => {
      unsubscribe();
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    signal.addEventListener('abort', onAbort);
    void check();
  });
}

async function submit(batch: BatchService, input: Json, taskId: string): Promise<JobDetail> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new TaskFailure('Batch.ClientException', 'submitJob Parameters must be an object');
  try {
    return await batch.jobs.submit(toSubmitRequest(input, taskId));
  } catch (err) {
    // A bad request is the caller's error, named as the AWS SDK names it.
    if (err instanceof SkybatchError) throw new TaskFailure(err.code === 'NotFound' || err.code === 'BadRequest' ? 'Batch.ClientException' : `Batch.${err.code}`, err.message);
    throw err;
  }
}

export function batchIntegration(batch: BatchService): TaskRegistry {
  const submitJob: TaskHandler = async (input, invocation) => {
    const job = await submit(batch, input, invocation.taskId);
    return { JobArn: job.jobArn, JobId: job.jobId, JobName: job.jobName };
  };
  const submitJobSync: TaskHandler = async (input, invocation) => {
    const job = await submit(batch, input, invocation.taskId);
    const ended = await waitForEnd(batch, job.jobId, invocation.signal);
    const described = describeAsAws(ended.arrayProperties?.size !== undefined ? await batch.jobs.describe(ended.jobId) : ended);
    if (ended.status === 'FAILED') throw new TaskFailure('States.TaskFailed', JSON.stringify(described));
    return described;
  };
  return (resource) => {
    if (resource === 'arn:aws:states:::batch:submitJob') return submitJob;
    if (resource === 'arn:aws:states:::batch:submitJob.sync') return submitJobSync;
    return undefined;
  };
}
