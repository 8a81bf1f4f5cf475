/*
 * `skybatch jobs ...`, `job-definitions`, `job-queues`, `compute-environments` and `progress`
 * through the real binary against a real `skybatch up` (ARCHITECTURE.md section 2): exit
 * codes, stdout and the --json fields are the contract. Needs `npm run build`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { runCollected, type Completed } from '../support/run-collected.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/skybatch.js');
let dir = '';
let server: RunningServer;

type Run = Completed;

interface Job {
  jobId: string;
  jobName: string;
  status: string;
  statusReason: string | null;
  exitCode: number | null;
  attempts: unknown[];
  progress: { percent: number; message?: string } | null;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const clean = { ...process.env };
  for (const key of Object.keys(clean)) if (key.startsWith('SKYBATCH_')) delete clean[key];
  return runCollected(process.execPath, [bin, ...args], { cwd: dir, env: { ...clean, ...env } });
}

const skybatch = (...args: string[]) => run([...args, '--data', join(dir, 'data')]);

function json<T = Job>(result: Run): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

async function submit(...args: string[]): Promise<string> {
  const result = await skybatch('jobs', 'submit', ...args);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

async function describeJob(id: string): Promise<Job> {
  return json(await skybatch('jobs', 'describe', id, '--json'));
}

async function waitFor(id: string, done: (job: Job) => boolean, timeoutMs = 20_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await server.api<Job>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`)).body;
    if (done(job)) return describeJob(id);
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skybatch-jobs-cli-'));
  server = await startServer({ dataDir: join(dir, 'data') });
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('jobs submit', () => {
  it('--wait exits 0 when the job SUCCEEDED, printing its id and statuses', async () => {
    const result = await skybatch('jobs', 'submit', '--command', 'true', '--wait');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(result.stderr).toMatch(/SUCCEEDED/);
    expect(await describeJob(result.stdout.trim())).toMatchObject({ jobName: 'adhoc', status: 'SUCCEEDED', exitCode: 0 });
  });

  it('--wait exits 1 when the job FAILED', async () => {
    const result = await skybatch('jobs', 'submit', '--command', 'exit 3', '--wait', '--name', 'three');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/FAILED/);
    const job = await describeJob(result.stdout.trim());
    expect(job).toMatchObject({ jobName: 'three', status: 'FAILED', exitCode: 3 });
    expect(job.attempts).toHaveLength(1);
  });

  it('--json prints the job, with its jobId', async () => {
    const job = json(await skybatch('jobs', 'submit', '--command', 'echo "$GREETING"', '--env', 'GREETING=hi there', '--json'));
    expect(job.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(job).toMatchObject({ jobName: 'adhoc', container: { command: ['echo "$GREETING"'], environment: [{ name: 'GREETING', value: 'hi there' }] } });
    await waitFor(job.jobId, (j) => j.status === 'SUCCEEDED');
    const logs = await skybatch('jobs', 'logs', job.jobId);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toBe('hi there\n');
  });

  it('--timeout 2592000 (30 days, past the 24.8 days a Node timer takes) leaves the job running', async () => {
    const id = await submit('--command', 'sleep 60', '--timeout', '2592000', '--name', 'long-timeout');
    await waitFor(id, (job) => job.status === 'RUNNING');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await describeJob(id)).toMatchObject({ status: 'RUNNING', statusReason: null });
    expect((await skybatch('jobs', 'terminate', id)).code).toBe(0);
  });

  it.each([
    ['--vcpus', '1e-300', /--vcpus: must be 0\.25, 0\.5 or a whole number of at least 1, not "1e-300"/],
    ['--vcpus', '1.5', /--vcpus: must be 0\.25, 0\.5 or a whole number/],
    ['--vcpus', '0', /--vcpus: must be 0\.25, 0\.5 or a whole number/],
    ['--memory', '3', /--memory: must be a whole number of MiB, at least 4, not "3"/],
    ['--memory', '1e-300', /--memory: must be a whole number of MiB/],
  ])('%s %s exits 2 naming the option, before anything is sent', async (option, value, message) => {
    const result = await skybatch('jobs', 'submit', '--command', 'true', option, value);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('job-definitions register refuses vCPUs and memory as jobs submit does', async () => {
    const result = await skybatch('job-definitions', 'register', 'tiny', '--command', 'true', '--vcpus', '1e-300');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/--vcpus: must be 0\.25, 0\.5 or a whole number/);
  });

  it('runs a registered job definition, named after it by default', async () => {
    const def = json<{ revision: number }>(await skybatch('job-definitions', 'register', 'greet', '--command', 'echo "hello $WHO"', '--env', 'WHO=world', '--attempts', '2', '--json'));
    expect(def.revision).toBe(1);
    const id = await submit('--definition', 'greet:1', '--wait');
    const job = await describeJob(id);
    expect(job).toMatchObject({ jobName: 'greet', status: 'SUCCEEDED' });
    expect((await skybatch('jobs', 'logs', id)).stdout).toBe('hello world\n');
  });

  it('runs array jobs', async () => {
    const id = await submit('--command', 'echo $AWS_BATCH_JOB_ARRAY_INDEX', '--array-size', '3', '--wait');
    const children = json<Job[]>(await skybatch('jobs', 'list', '--array-job', id, '--json'));
    expect(children.map((c) => c.jobId).sort()).toEqual([0, 1, 2].map((i) => `${id}:${i}`));
    expect((await skybatch('jobs', 'logs', `${id}:2`)).stdout).toBe('2\n');
  });

  it.each([
    ['neither --command nor --definition', [], /--command CMD .* --definition/],
    ['a bad --env', ['--command', 'true', '--env', 'NOEQUALS'], /--env takes NAME=VALUE/],
    ['a bad --attempts', ['--command', 'true', '--attempts', 'many'], /--attempts must be a positive integer/],
    ['an --array-size of 1', ['--command', 'true', '--array-size', '1'], /arraySize must be >= 2/],
    ['an unknown queue', ['--command', 'true', '--queue', 'nope'], /NotFound: .*nope/],
    ['an unknown definition', ['--definition', 'nodef'], /NotFound: .*nodef/],
  ])('exits 2 for %s', async (_what, args, message) => {
    const result = await skybatch('jobs', 'submit', ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('jobs list, describe, logs', () => {
  it('lists jobs as a table and as JSON, filtered by status and queue', async () => {
    const table = await skybatch('jobs', 'list');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+QUEUE\s+STATUS/);
    expect(table.stdout).toMatch(/three\s+default\s+FAILED/);
    const failed = json<Job[]>(await skybatch('jobs', 'list', '--status', 'failed', '--queue', 'default', '--json'));
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((j) => j.status === 'FAILED')).toBe(true);
    const bad = await skybatch('jobs', 'list', '--status', 'DONE');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--status must be one of/);
  });

  it('describe --json has the contract fields; describe shows fields; unknown ids exit 2', async () => {
    const submitted = await skybatch('jobs', 'submit', '--command', 'exit 4', '--wait');
    expect(submitted.code).toBe(1);
    const job = await describeJob(submitted.stdout.trim());
    for (const field of ['jobId', 'status', 'statusReason', 'exitCode', 'attempts', 'progress']) expect(job).toHaveProperty(field);
    expect(job).toMatchObject({ status: 'FAILED', exitCode: 4, progress: null });
    const text = await skybatch('jobs', 'describe', job.jobId);
    expect(text.stdout).toMatch(/^status:\s+FAILED$/m);
    expect(text.stdout).toMatch(/^exit code:\s+4$/m);
    const missing = await skybatch('jobs', 'describe', 'nope');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/NotFound/);
  });

  it('logs -f follows a running job until it ends', async () => {
    const id = await submit('--command', 'echo one; sleep 1; echo two');
    const result = await skybatch('jobs', 'logs', id, '-f');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('one\ntwo\n');
    expect((await describeJob(id)).status).toBe('SUCCEEDED');
  });
});

describe('jobs cancel and terminate', () => {
  it('cancels a job depending on a running one, refuses to cancel the running one, terminates it', async () => {
    const running = await submit('--command', 'sleep 60', '--name', 'sleeper');
    await waitFor(running, (j) => j.status === 'RUNNING');
    const waiting = await submit('--command', 'true', '--depends-on', running);
    expect((await describeJob(waiting)).status).toBe('PENDING');

    const cancelled = await skybatch('jobs', 'cancel', waiting, '--json');
    expect(json(cancelled)).toMatchObject({ jobId: waiting, status: 'FAILED' });
    const refused = await skybatch('jobs', 'cancel', running);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/terminate/);

    const terminated = await skybatch('jobs', 'terminate', running, '--reason', 'enough');
    expect(terminated.code, terminated.stderr).toBe(0);
    expect(await waitFor(running, (j) => j.status === 'FAILED')).toMatchObject({ status: 'FAILED', statusReason: 'enough' });
  });
});

describe('progress', () => {
  it('is reported from inside a job and shown by describe', async () => {
    const command = `"${process.execPath}" "${bin}" progress 50 halfway && sleep 1`;
    const id = await submit('--command', command, '--wait');
    const job = await describeJob(id);
    expect(job).toMatchObject({ status: 'SUCCEEDED', progress: { percent: 50, message: 'halfway' } });
    const list = await skybatch('jobs', 'list');
    expect(list.stdout).toMatch(/50% halfway/);
  });

  it('exits 2 outside a job, and for a bad percent', async () => {
    const outside = await run(['progress', '50']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/not inside a Skybatch job: SKYBATCH_JOB_ID, SKYBATCH_ENDPOINT, SKYBATCH_TOKEN are not set/);
    const bad = await run(['progress', '150'], { SKYBATCH_JOB_ID: 'x', SKYBATCH_ENDPOINT: server.url, SKYBATCH_TOKEN: 't' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/from 0 to 100/);
  });
});

describe('batch resources', () => {
  it('compute-environments and job-queues: create, list, describe, update, delete', async () => {
    expect(json(await skybatch('compute-environments', 'create', 'small', '--max-vcpus', '2', '--max-memory', '1024', '--json'))).toMatchObject({ computeEnvironmentName: 'small', maxVcpus: 2, maxMemoryMiB: 1024 });
    expect((await skybatch('compute-environments')).stdout).toMatch(/^small\s+ENABLED/m);
    expect(json(await skybatch('compute-environments', 'update', 'small', '--state', 'disabled', '--json'))).toMatchObject({ state: 'DISABLED', maxVcpus: 2 });
    expect(json(await skybatch('job-queues', 'create', 'fair', '--priority', '5', '--compute-environment', 'small', '--fair-share', '--json'))).toMatchObject({
      jobQueueName: 'fair',
      priority: 5,
      schedulingPolicy: 'FAIR_SHARE',
      computeEnvironmentOrder: [{ computeEnvironment: 'small' }],
    });
    expect((await skybatch('job-queues', 'describe', 'fair')).stdout).toMatch(/^scheduling policy:\s+FAIR_SHARE$/m);
    const inUse = await skybatch('compute-environments', 'delete', 'small');
    expect(inUse.code).toBe(2);
    expect((await skybatch('job-queues', 'delete', 'fair')).code).toBe(0);
    expect((await skybatch('compute-environments', 'delete', 'small')).stdout).toBe('deleted compute environment small\n');
    expect((await skybatch('compute-environments', 'create', 'x', '--capacity-type', 'CHEAP')).code).toBe(2);
  });

  it('job-definitions: register from a YAML file in AWS shape, list, describe, deregister', async () => {
    const file = join(dir, 'def.yaml');
    await writeFile(file, 'jobDefinitionName: ignored\ntype: container\ncontainerProperties:\n  command: [echo, from-file]\n  resourceRequirements:\n    - {type: VCPU, value: "1"}\n    - {type: MEMORY, value: "256"}\ntimeout:\n  attemptDurationSeconds: 30\n');
    const def = json<{ jobDefinitionName: string; containerProperties: { command: string[]; memory: number }; timeout: unknown }>(await skybatch('job-definitions', 'register', 'fromfile', '-f', file, '--json'));
    expect(def).toMatchObject({ jobDefinitionName: 'fromfile', containerProperties: { command: ['echo', 'from-file'], memory: 256 }, timeout: { attemptDurationSeconds: 30 } });
    expect((await skybatch('job-definitions')).stdout).toMatch(/^fromfile\s+1\s+ACTIVE/m);
    expect((await skybatch('job-definitions', 'describe', 'fromfile:1')).stdout).toMatch(/^command:\s+echo from-file$/m);
    expect((await skybatch('job-definitions', 'deregister', 'fromfile')).code).toBe(0);
    expect(json<{ status: string }>(await skybatch('job-definitions', 'describe', 'fromfile:1', '--json')).status).toBe('INACTIVE');
    const none = await skybatch('job-definitions', 'register', 'empty');
    expect(none.code).toBe(2);
  });
});
