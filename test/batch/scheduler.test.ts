/*
 * Batch jobs end to end on the platform with the local executor: every state path,
 * retries with evaluateOnExit, arrays with N_TO_N dependencies, timeouts, memory limits,
 * cancel and terminate, vCPU accounting, priorities and fair share, and the submitJob
 * integrations driven by a state machine.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetail } from '../../src/batch/types.js';
import { openPlatform, type OpenPlatform } from '../../src/engine/platform.js';
import { tempDir, until } from '../support/backends.js';

let platform: OpenPlatform;
let batch: NonNullable<OpenPlatform['batch']>;

beforeAll(async () => {
  platform = await openPlatform({ dataDir: tempDir(), pollMs: 50 });
  batch = platform.batch!;
});
afterAll(async () => {
  await platform.close();
});

const ended = (jobId: string, timeoutMs = 30_000) =>
  until(async () => {
    const job = await batch.jobs.describe(jobId);
    return job.status === 'SUCCEEDED' || job.status === 'FAILED' ? job : undefined;
  }, timeoutMs);

const statuses = (job: JobDetail) => job.statusHistory.map((s) => s.status);

describe('job lifecycle', () => {
  it('goes SUBMITTED, RUNNABLE, STARTING, RUNNING, SUCCEEDED and records the attempt', async () => {
    const job = await batch.jobs.submit({ jobName: 'ok', command: 'echo "job $AWS_BATCH_JOB_ID attempt $AWS_BATCH_JOB_ATTEMPT"' });
    const done = await ended(job.jobId);
    expect(statuses(done)).toEqual(['SUBMITTED', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED']);
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({ container: { exitCode: 0 }, statusReason: 'Essential container in task exited' });
    expect(done.startedAt).toBeGreaterThanOrEqual(done.createdAt);
    expect(readFileSync(batch.logFile(job.jobId)!, 'utf8')).toContain(`job ${job.jobId} attempt 1`);
  });

  it('fails with the exit code and status reason', async () => {
    const done = await ended((await batch.jobs.submit({ jobName: 'bad', command: 'exit 3' })).jobId);
    expect(done.status).toBe('FAILED');
    expect(done.container.exitCode).toBe(3);
    expect(done.statusReason).toBe('Essential container in task exited');
  });

  it('waits PENDING for a dependency, then runs; a failed dependency fails the dependent', async () => {
    const first = await batch.jobs.submit({ jobName: 'first', command: 'sleep 0.5' });
    const second = await batch.jobs.submit({ jobName: 'second', command: 'true', dependsOn: [{ jobId: first.jobId }] });
    expect(second.status).toBe('PENDING');
    const done = await ended(second.jobId);
    expect(statuses(done)).toEqual(['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED']);
    expect(done.startedAt).toBeGreaterThanOrEqual((await batch.jobs.describe(first.jobId)).stoppedAt!);

    const broken = await batch.jobs.submit({ jobName: 'broken', command: 'sleep 0.3; exit 1' });
    const child = await batch.jobs.submit({ jobName: 'child', command: 'true', dependsOn: [{ jobId: broken.jobId }] });
    const grandchild = await batch.jobs.submit({ jobName: 'grandchild', command: 'true', dependsOn: [{ jobId: child.jobId }] });
    expect(await ended(grandchild.jobId)).toMatchObject({ status: 'FAILED', statusReason: `Dependent job ${child.jobId} failed` });
    expect((await batch.jobs.describe(child.jobId)).statusReason).toBe(`Dependent job ${broken.jobId} failed`);
  });
});

describe('retries', () => {
  it('retries until an attempt succeeds', async () => {
    const job = await batch.jobs.submit({ jobName: 'flaky', command: '[ "$AWS_BATCH_JOB_ATTEMPT" -ge 3 ]', attempts: 3 });
    const done = await ended(job.jobId);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempts.map((a) => a.container.exitCode)).toEqual([1, 1, 0]);
    expect(statuses(done).filter((s) => s === 'RUNNABLE')).toHaveLength(3);
  });

  it('evaluateOnExit: EXIT on a matching exit code stops retrying', async () => {
    const job = await batch.jobs.submit({ jobName: 'fatal', command: 'exit 2', attempts: 5, evaluateOnExit: [{ onExitCode: '2', action: 'EXIT' }] });
    expect((await ended(job.jobId)).attempts).toHaveLength(1);
  });

  it('evaluateOnExit: only a matching reason is retried', async () => {
    const job = await batch.jobs.submit({
      jobName: 'selective',
      command: 'exit 7',
      attempts: 4,
      evaluateOnExit: [
        { onExitCode: '7*', onStatusReason: 'Essential*', action: 'RETRY' },
        { onReason: '*', action: 'EXIT' },
      ],
    });
    expect((await ended(job.jobId)).attempts).toHaveLength(4);
    const other = await batch.jobs.submit({ jobName: 'other', command: 'exit 8', attempts: 4, evaluateOnExit: [{ onExitCode: '7', action: 'RETRY' }, { onExitCode: '*', action: 'EXIT' }] });
    expect((await ended(other.jobId)).attempts).toHaveLength(1);
  });
});

describe('arrays', () => {
  it('runs an array of 1,000 with an N_TO_N dependency on another', async () => {
    const a = await batch.jobs.submit({ jobName: 'a', command: 'echo $AWS_BATCH_JOB_ARRAY_INDEX > "$SKYBATCH_CHECKPOINT_DIR/../a"; true', arraySize: 1000, vcpus: 0.25, memory: 16 });
    const b = await batch.jobs.submit({ jobName: 'b', command: 'true', arraySize: 1000, vcpus: 0.25, memory: 16, dependsOn: [{ jobId: a.jobId, type: 'N_TO_N' }] });
    const doneB = await ended(b.jobId, 120_000);
    expect(doneB.status).toBe('SUCCEEDED');
    expect(doneB.arrayProperties?.statusSummary).toEqual({ SUCCEEDED: 1000 });
    for (const i of [0, 499, 999]) {
      const [ai, bi] = await Promise.all([batch.jobs.describe(`${a.jobId}:${i}`), batch.jobs.describe(`${b.jobId}:${i}`)]);
      expect(ai.arrayProperties?.index).toBe(i);
      expect(bi.startedAt).toBeGreaterThanOrEqual(ai.stoppedAt!);
    }
  }, 150_000);

  it('SEQUENTIAL runs children one after another; a failed child fails the parent', async () => {
    const job = await batch.jobs.submit({ jobName: 'seq', command: '[ "$AWS_BATCH_JOB_ARRAY_INDEX" != 2 ]', arraySize: 4, dependsOn: [{ jobId: 'self', type: 'SEQUENTIAL' }] });
    const done = await ended(job.jobId);
    expect(done.status).toBe('FAILED');
    expect(done.arrayProperties?.statusSummary).toEqual({ SUCCEEDED: 2, FAILED: 2 });
    expect((await batch.jobs.describe(`${job.jobId}:3`)).statusReason).toBe(`Dependent job ${job.jobId}:2 failed`);
  });
});

describe('limits and stops', () => {
  it('kills a job past its timeout', async () => {
    const done = await ended((await batch.jobs.submit({ jobName: 'slow', command: 'sleep 30', timeoutSeconds: 1 })).jobId);
    expect(done).toMatchObject({ status: 'FAILED', statusReason: 'Job attempt duration exceeded timeout' });
  });

  it('kills a job over its memory with a clear reason', async () => {
    const done = await ended((await batch.jobs.submit({ jobName: 'hog', command: ['node', '-e', 'const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1))'], memory: 100 })).jobId);
    expect(done.status).toBe('FAILED');
    expect(done.statusReason).toMatch(/OutOfMemoryError/);
  });

  it('cancels a job that has not started and terminates a running one', async () => {
    const running = await batch.jobs.submit({ jobName: 'long', command: 'sleep 60' });
    const waiting = await batch.jobs.submit({ jobName: 'waiting', command: 'true', dependsOn: [{ jobId: running.jobId }] });
    await expect(batch.jobs.cancel(running.jobId, 'no')).rejects.toMatchObject({ code: 'Conflict' });
    expect(await batch.jobs.cancel(waiting.jobId, 'not needed')).toMatchObject({ status: 'FAILED', statusReason: 'not needed' });
    await until(async () => (await batch.jobs.describe(running.jobId)).status === 'RUNNING');
    await batch.jobs.terminate(running.jobId, 'operator stop');
    const done = await ended(running.jobId);
    expect(done).toMatchObject({ status: 'FAILED', statusReason: 'operator stop' });
    expect(done.attempts).toHaveLength(1);
  });

  it('never runs more vCPUs than the compute environment has', async () => {
    await batch.resources.computeEnvironments.create({ name: 'tiny', maxVcpus: 2, maxMemoryMiB: 4096 });
    await batch.resources.queues.create({ name: 'tiny-q', computeEnvironments: ['tiny'] });
    const jobs = await Promise.all(Array.from({ length: 6 }, (_, i) => batch.jobs.submit({ jobName: `t${i}`, jobQueue: 'tiny-q', command: 'sleep 0.4', vcpus: 1, memory: 64 })));
    const done = await Promise.all(jobs.map((j) => ended(j.jobId)));
    const spans = done.map((d) => [d.attempts[0]!.startedAt, d.attempts[0]!.stoppedAt!] as const);
    for (const [start] of spans) expect(spans.filter(([s, e]) => s <= start && start < e).length).toBeLessThanOrEqual(2);
    await expect(batch.jobs.submit({ jobName: 'huge', jobQueue: 'tiny-q', command: 'true', vcpus: 4 })).rejects.toMatchObject({ code: 'BadRequest' });
  });

  it('starts higher-priority queues first, FIFO within a queue, and serves shares fairly', async () => {
    await batch.resources.computeEnvironments.create({ name: 'one', maxVcpus: 1, maxMemoryMiB: 1024 });
    await batch.resources.queues.create({ name: 'low', priority: 1, computeEnvironments: ['one'] });
    await batch.resources.queues.create({ name: 'high', priority: 10, computeEnvironments: ['one'] });
    // Occupy the only vCPU so that everything below queues up before anything starts.
    const blocker = await batch.jobs.submit({ jobName: 'blocker', jobQueue: 'low', command: 'sleep 0.5', memory: 16 });
    await until(async () => (await batch.jobs.describe(blocker.jobId)).status === 'RUNNING');
    const low = [];
    for (let i = 0; i < 2; i++) low.push(await batch.jobs.submit({ jobName: `low${i}`, jobQueue: 'low', command: 'true', memory: 16 }));
    const high = [];
    for (let i = 0; i < 2; i++) high.push(await batch.jobs.submit({ jobName: `high${i}`, jobQueue: 'high', command: 'true', memory: 16 }));
    const done = await Promise.all([...low, ...high].map((j) => ended(j.jobId)));
    const order = [...done].sort((a, b) => a.startedAt! - b.startedAt!).map((d) => d.jobName);
    expect(order).toEqual(['high0', 'high1', 'low0', 'low1']);

    await batch.resources.queues.create({ name: 'fair', schedulingPolicy: 'FAIR_SHARE', computeEnvironments: ['one'] });
    const hold = await batch.jobs.submit({ jobName: 'hold', jobQueue: 'fair', command: 'sleep 0.5', memory: 16 });
    await until(async () => (await batch.jobs.describe(hold.jobId)).status === 'RUNNING');
    const fair = [];
    for (let i = 0; i < 3; i++) fair.push(await batch.jobs.submit({ jobName: `a${i}`, jobQueue: 'fair', shareIdentifier: 'a', command: 'true', memory: 16 }));
    fair.push(await batch.jobs.submit({ jobName: 'b0', jobQueue: 'fair', shareIdentifier: 'b', command: 'true', memory: 16 }));
    const fairDone = await Promise.all(fair.map((j) => ended(j.jobId)));
    const fairOrder = [...fairDone].sort((x, y) => x.startedAt! - y.startedAt!).map((d) => d.jobName);
    // Share b has nothing running, so its first job goes before a's second.
    expect(fairOrder.indexOf('b0')).toBeLessThan(fairOrder.indexOf('a1'));
  });

  it('rejects bad submissions', async () => {
    await expect(batch.jobs.submit({ jobName: 'x', jobQueue: 'nope', command: 'true' })).rejects.toMatchObject({ code: 'NotFound' });
    await expect(batch.jobs.submit({ jobName: 'x', jobDefinition: 'nope', command: 'true' })).rejects.toMatchObject({ code: 'NotFound' });
    await expect(batch.jobs.submit({ jobName: 'bad name!', command: 'true' })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(batch.jobs.submit({ jobName: 'x', command: 'true', arraySize: 1 })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(batch.jobs.submit({ jobName: 'x', command: 'true', attempts: 11 })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(batch.jobs.submit({ jobName: 'x' })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(batch.jobs.submit({ jobName: 'x', command: 'true', dependsOn: [{ jobId: 'missing' }] })).rejects.toMatchObject({ code: 'BadRequest' });
  });
});

describe('vCPUs and memory as AWS Batch takes them', () => {
  it.each([
    [{ vcpus: 1e-300 }, /^vcpus: must be 0\.25, 0\.5 or a whole number of at least 1, not 1e-300$/],
    [{ vcpus: 0.1 }, /^vcpus: must be 0\.25, 0\.5 or a whole number/],
    [{ vcpus: 1.5 }, /^vcpus: must be 0\.25, 0\.5 or a whole number/],
    [{ vcpus: 0 }, /^vcpus: /],
    [{ vcpus: -1 }, /^vcpus: /],
    [{ memory: 3 }, /^memory: must be a whole number of MiB, at least 4, not 3$/],
    [{ memory: 64.5 }, /^memory: must be a whole number of MiB/],
    [{ memory: 1e-300 }, /^memory: /],
  ])('refuses a job with %o, naming the field', async (resources, message) => {
    await expect(batch.jobs.submit({ jobName: 'sized', command: 'true', ...resources })).rejects.toMatchObject({ code: 'BadRequest', message: expect.stringMatching(message) });
  });

  it('refuses a job definition with them, naming the field', async () => {
    await expect(batch.resources.definitions.register({ name: 'tiny', command: 'true', vcpus: 1e-300 })).rejects.toMatchObject({ code: 'BadRequest', message: expect.stringMatching(/^vcpus: must be 0\.25, 0\.5 or a whole number/) });
    await expect(batch.resources.definitions.register({ name: 'tiny', command: 'true', memory: 2.5 })).rejects.toMatchObject({ code: 'BadRequest', message: expect.stringMatching(/^memory: must be a whole number of MiB/) });
  });

  it('runs jobs of 0.25, 0.5 and whole vCPUs', async () => {
    const jobs = await Promise.all([0.25, 0.5, 1].map((vcpus) => batch.jobs.submit({ jobName: `v${vcpus * 100}`, command: 'true', vcpus, memory: 16 })));
    for (const job of jobs) expect((await ended(job.jobId)).status).toBe('SUCCEEDED');
  });

  it('refuses them in the ContainerOverrides.ResourceRequirements of batch:submitJob, naming the entry', async () => {
    const submitting = (requirements: unknown) => ({
      StartAt: 'Run',
      States: { Run: { Type: 'Task', Resource: 'arn:aws:states:::batch:submitJob', Parameters: { JobName: 'sized', JobQueue: 'default', ContainerOverrides: { Command: ['true'], ResourceRequirements: requirements } }, End: true } },
    });
    const cases: [unknown, RegExp][] = [
      [[{ Type: 'VCPU', Value: '1e-300' }], /^ContainerOverrides\.ResourceRequirements\[0\]\.Value \(VCPU\): must be 0\.25, 0\.5 or a whole number of at least 1, not "1e-300"$/],
      [[{ Type: 'VCPU', Value: '1' }, { Type: 'MEMORY', Value: '2' }], /^ContainerOverrides\.ResourceRequirements\[1\]\.Value \(MEMORY\): must be a whole number of MiB, at least 4, not "2"$/],
      [[{ Type: 'MEMORY' }], /^ContainerOverrides\.ResourceRequirements\[0\]\.Value \(MEMORY\): must be a whole number of MiB/],
    ];
    for (const [i, [requirements, cause]] of cases.entries()) {
      await platform.stateMachines.create({ name: `sized-${i}`, definition: submitting(requirements) });
      const started = await platform.executions.start({ stateMachine: `sized-${i}`, input: {} });
      const done = await until(async () => {
        const e = await platform.executions.describe(started.execution.id);
        return e.status === 'RUNNING' ? undefined : e;
      });
      expect(done).toMatchObject({ status: 'FAILED', error: 'Batch.ClientException', cause: expect.stringMatching(cause) });
    }
  });
});

describe('definitions and the submitJob integrations', () => {
  it('substitutes Ref:: parameters and runs submitJob.sync from a state machine, with AWS shapes', async () => {
    await batch.resources.definitions.register({ name: 'greet', command: ['sh', '-c', 'echo Ref::word; exit Ref::code'], parameters: { word: 'hi', code: '0' }, memory: 64 });
    await platform.stateMachines.create({
      name: 'batchy',
      definition: {
        StartAt: 'Run',
        States: {
          Run: {
            Type: 'Task',
            Resource: 'arn:aws:states:::batch:submitJob.sync',
            Parameters: { JobName: 'greet', JobQueue: 'arn:aws:batch:local:000000000000:job-queue/default', JobDefinition: 'greet', 'Parameters.$': '$.params' },
            Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Failed' }],
            End: true,
          },
          Failed: { Type: 'Pass', End: true },
        },
      },
    });
    const ok = await platform.executions.start({ stateMachine: 'batchy', input: { params: { word: 'hello', code: '0' } } });
    const okDone = await until(async () => {
      const e = await platform.executions.describe(ok.execution.id);
      return e.status === 'RUNNING' ? undefined : e;
    });
    expect(okDone.status).toBe('SUCCEEDED');
    expect(okDone.output).toMatchObject({ Status: 'SUCCEEDED', JobName: 'greet', Container: { ExitCode: 0 }, Attempts: [{ Container: { ExitCode: 0 } }] });
    const log = readFileSync(batch.logFile((okDone.output as { JobId: string }).JobId)!, 'utf8');
    expect(log).toContain('hello');

    const bad = await platform.executions.start({ stateMachine: 'batchy', input: { params: { word: 'x', code: '4' } } });
    const badDone = await until(async () => {
      const e = await platform.executions.describe(bad.execution.id);
      return e.status === 'RUNNING' ? undefined : e;
    });
    expect(badDone.status).toBe('SUCCEEDED');
    const error = (badDone.output as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('States.TaskFailed');
    expect(JSON.parse(error.Cause)).toMatchObject({ Status: 'FAILED', Container: { ExitCode: 4 } });
  });
});
