/*
 * Jobs through the REST API on a real platform with the local executor: submit, list,
 * describe, cancel, terminate, progress (job tokens for their own job only) and logs,
 * followed live while the job writes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, startApi, type Api } from './helpers.js';

const JOBS = '/api/v1/jobs';
let api: Api;

interface Job {
  jobId: string;
  jobName: string;
  jobQueue: string;
  jobDefinition: string;
  status: string;
  statusReason?: string;
  container: { command: string[]; exitCode?: number; environment: { name: string; value: string }[] };
  attempts: unknown[];
  progress?: { percent: number; message?: string };
  arrayProperties?: { size?: number; index?: number; statusSummary?: Record<string, number> };
}

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

async function submit(body: Record<string, unknown>): Promise<Job> {
  const res = await api.call('POST', JOBS, { body: { jobName: 'test', ...body } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Job;
}

async function describeJob(id: string): Promise<Job> {
  const res = await api.call('GET', `${JOBS}/${encodeURIComponent(id)}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Job;
}

async function waitFor(id: string, done: (job: Job) => boolean, timeoutMs = 15_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await describeJob(id);
    if (done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ended = (job: Job) => job.status === 'SUCCEEDED' || job.status === 'FAILED';

describe('POST /api/v1/jobs', () => {
  it('runs an ad-hoc command to SUCCEEDED, with exit code and an attempt', async () => {
    const job = await submit({ command: 'exit 0', jobName: 'ok' });
    expect(job).toMatchObject({ jobName: 'ok', jobDefinition: 'adhoc', container: { command: ['exit 0'] } });
    const done = await waitFor(job.jobId, ended);
    expect(done).toMatchObject({ status: 'SUCCEEDED', container: { exitCode: 0 } });
    expect(done.attempts).toHaveLength(1);
  });

  it('takes job names in any script, as it shows them', async () => {
    const job = await submit({ command: 'true', jobName: 'ジョブ-é_1' });
    expect(job.jobName).toBe('ジョブ-é_1');
    expect(await waitFor(job.jobId, ended)).toMatchObject({ jobName: 'ジョブ-é_1', status: 'SUCCEEDED' });
    const listed = (await api.call('GET', `${JOBS}?status=SUCCEEDED`)).json() as { items: { jobName: string }[] };
    expect(listed.items.map((j) => j.jobName)).toContain('ジョブ-é_1');
  });

  it('fails a job whose command exits non-zero', async () => {
    const done = await waitFor((await submit({ command: 'exit 3' })).jobId, ended);
    expect(done).toMatchObject({ status: 'FAILED', container: { exitCode: 3 } });
  });

  it('runs a job definition with its environment, overridden by the submit', async () => {
    await api.call('POST', '/api/v1/job-definitions', { body: { name: 'envdef', command: 'test "$A$B" = 12', environment: { A: '9', B: '2' } } });
    const job = await submit({ jobDefinition: 'envdef', environment: [{ name: 'A', value: '1' }] });
    expect(job.jobDefinition).toMatch(/job-definition\/envdef:1$/);
    expect(await waitFor(job.jobId, ended)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('answers 404 for an unknown queue or definition', async () => {
    expectError(await api.call('POST', JOBS, { body: { jobName: 'x', jobQueue: 'nope', command: 'true' } }), 404, 'NotFound', /nope/);
    expectError(await api.call('POST', JOBS, { body: { jobName: 'x', jobDefinition: 'nodef' } }), 404, 'NotFound', /nodef/);
  });

  it('answers 400 for an unknown dependency and for a job that is too big for its queue', async () => {
    expectError(await api.call('POST', JOBS, { body: { jobName: 'x', command: 'true', dependsOn: [{ jobId: 'missing' }] } }), 400, 'BadRequest', /missing/);
    expectError(await api.call('POST', JOBS, { body: { jobName: 'x', command: 'true', vcpus: 100_000 } }), 400, 'BadRequest', /largest compute environment/);
  });

  it.each([
    ['no jobName', { command: 'true' }, 'ValidationError', /body\.jobName is required/],
    ['a bad jobName', { jobName: 'a b', command: 'true' }, 'ValidationError', /body\.jobName may contain only/],
    ['a jobName with markup', { jobName: '<script>', command: 'true' }, 'ValidationError', /body\.jobName may contain only/],
    ['a jobName with a control character', { jobName: 'a\u0007b', command: 'true' }, 'ValidationError', /body\.jobName may contain only/],
    ['a jobName starting with "-"', { jobName: '-x', command: 'true' }, 'BadRequest', /job name "-x" must be 1 to 128 letters or digits of any script/],
    ['no command nor definition', { jobName: 'x' }, 'BadRequest', /job definition or a command/],
    ['an arraySize of 1', { jobName: 'x', command: 'true', arraySize: 1 }, 'ValidationError', /body\.arraySize must be >= 2/],
    ['an arraySize of 10,001', { jobName: 'x', command: 'true', arraySize: 10_001 }, 'ValidationError', /body\.arraySize must be <= 10000/],
    ['a fractional arraySize', { jobName: 'x', command: 'true', arraySize: 2.5 }, 'ValidationError', /body\.arraySize must be integer/],
    ['0 attempts', { jobName: 'x', command: 'true', attempts: 0 }, 'ValidationError', /body\.attempts must be >= 1/],
    ['11 attempts', { jobName: 'x', command: 'true', attempts: 11 }, 'ValidationError', /body\.attempts must be <= 10/],
    ['an environment object', { jobName: 'x', command: 'true', environment: { A: '1' } }, 'ValidationError', /body\.environment must be array/],
    ['a bad dependency type', { jobName: 'x', command: 'true', dependsOn: [{ jobId: 'a', type: 'ALL' }] }, 'ValidationError', /type must be one of N_TO_N, SEQUENTIAL/],
    ['an unknown field', { jobName: 'x', command: 'true', retries: 2 }, 'ValidationError', /body\.retries is not a known field/],
    ['vcpus of 1e-300', { jobName: 'x', command: 'true', vcpus: 1e-300 }, 'BadRequest', /^vcpus: must be 0\.25, 0\.5 or a whole number of at least 1, not 1e-300$/],
    ['vcpus of 1.5', { jobName: 'x', command: 'true', vcpus: 1.5 }, 'BadRequest', /^vcpus: must be 0\.25, 0\.5 or a whole number/],
    ['vcpus of 0', { jobName: 'x', command: 'true', vcpus: 0 }, 'BadRequest', /^vcpus: must be 0\.25, 0\.5 or a whole number/],
    ['memory of 3 MiB', { jobName: 'x', command: 'true', memory: 3 }, 'BadRequest', /^memory: must be a whole number of MiB, at least 4, not 3$/],
    ['fractional memory', { jobName: 'x', command: 'true', memory: 1e-300 }, 'BadRequest', /^memory: must be a whole number of MiB/],
  ])('answers 400 for %s', async (_what, body, code, message) => {
    expectError(await api.call('POST', JOBS, { body }), 400, code, message);
  });

  it('refuses job tokens (403)', async () => {
    expectError(await api.call('POST', JOBS, { token: api.job, body: { jobName: 'x', command: 'true' } }), 403, 'Forbidden');
    expectError(await api.call('GET', JOBS, { token: api.job }), 403, 'Forbidden');
  });
});

describe('array jobs and listing', () => {
  it('runs the children, lists them with arrayJobId and describes a child by its encoded id', async () => {
    const parent = await submit({ command: 'echo "child $AWS_BATCH_JOB_ARRAY_INDEX"', arraySize: 3, jobName: 'arr' });
    const done = await waitFor(parent.jobId, ended);
    expect(done).toMatchObject({ status: 'SUCCEEDED', arrayProperties: { size: 3, statusSummary: { SUCCEEDED: 3 } } });
    const children = (await api.call('GET', `${JOBS}?arrayJobId=${parent.jobId}`)).json() as { items: Job[] };
    expect(children.items.map((c) => c.jobId).sort()).toEqual([0, 1, 2].map((i) => `${parent.jobId}:${i}`));
    const child = await describeJob(`${parent.jobId}:1`);
    expect(child).toMatchObject({ status: 'SUCCEEDED', arrayProperties: { index: 1 } });
    const log = await api.call('GET', `${JOBS}/${encodeURIComponent(child.jobId)}/logs`);
    expect(log.body).toBe('child 1\n');
  });

  it('filters by queue and status, and pages with nextToken', async () => {
    const all = (await api.call('GET', `${JOBS}?queue=default&status=SUCCEEDED`)).json() as { items: Job[] };
    expect(all.items.length).toBeGreaterThanOrEqual(3);
    expect(all.items.every((j) => j.status === 'SUCCEEDED')).toBe(true);
    const first = (await api.call('GET', `${JOBS}?limit=1`)).json() as { items: Job[]; nextToken?: string };
    expect(first.items).toHaveLength(1);
    expect(first.nextToken).toBeDefined();
    const second = (await api.call('GET', `${JOBS}?limit=1&nextToken=${first.nextToken}`)).json() as { items: Job[] };
    expect(second.items[0]?.jobId).not.toBe(first.items[0]?.jobId);
  });

  it('answers 400 for a bad status, limit or nextToken', async () => {
    expectError(await api.call('GET', `${JOBS}?status=DONE`), 400, 'ValidationError', /query\.status must be one of/);
    expectError(await api.call('GET', `${JOBS}?limit=0`), 400, 'ValidationError', /query\.limit/);
    expectError(await api.call('GET', `${JOBS}?nextToken=bad`), 400, 'BadRequest', /nextToken/);
  });
});

describe('cancel, terminate, describe', () => {
  it('answers 404 for an unknown job', async () => {
    expectError(await api.call('GET', `${JOBS}/nope`), 404, 'NotFound');
    expectError(await api.call('POST', `${JOBS}/nope/cancel`), 404, 'NotFound');
    expectError(await api.call('POST', `${JOBS}/nope/terminate`, { body: {} }), 404, 'NotFound');
  });

  it('cancels a job waiting on a running one; refuses to cancel the running one (409); terminates it', async () => {
    const running = await submit({ command: 'sleep 60' });
    await waitFor(running.jobId, (j) => j.status === 'RUNNING');
    const waiting = await submit({ command: 'true', dependsOn: [{ jobId: running.jobId }] });
    expect(waiting.status).toBe('PENDING');
    const cancelled = await api.call('POST', `${JOBS}/${waiting.jobId}/cancel`, { body: { reason: 'not needed' } });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'FAILED', statusReason: 'not needed' });

    expectError(await api.call('POST', `${JOBS}/${running.jobId}/cancel`), 409, 'Conflict', /terminate/);
    const terminated = await api.call('POST', `${JOBS}/${running.jobId}/terminate`, { body: { reason: 'enough' } });
    expect(terminated.statusCode, terminated.body).toBe(200);
    expect(await waitFor(running.jobId, ended)).toMatchObject({ status: 'FAILED', statusReason: 'enough' });
  });

  it('terminates a job at once after submitting it, while it is still starting', async () => {
    const job = await submit({ command: 'sleep 60' });
    const res = await api.call('POST', `${JOBS}/${job.jobId}/terminate`, { body: { reason: 'changed my mind' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await waitFor(job.jobId, ended, 10_000)).toMatchObject({ status: 'FAILED', statusReason: 'changed my mind' });
  });

  it('answers 400 for a bad cancel body', async () => {
    expectError(await api.call('POST', `${JOBS}/x/cancel`, { body: { reason: 5 } }), 400, 'ValidationError', /body\.reason must be string/);
  });
});

describe('POST /api/v1/jobs/:id/progress', () => {
  it('takes progress from the job itself and from admins, not from another job (403)', async () => {
    const job = await submit({ command: 'sleep 30' });
    await waitFor(job.jobId, (j) => j.status === 'RUNNING');
    const own = await api.platform.tokens.issue({ kind: 'job', jobId: job.jobId });
    const res = await api.call('POST', `${JOBS}/${job.jobId}/progress`, { token: own, body: { percent: 50, message: 'halfway' } });
    expect(res.statusCode, res.body).toBe(200);
    expect((await describeJob(job.jobId)).progress).toMatchObject({ percent: 50, message: 'halfway' });

    expectError(await api.call('POST', `${JOBS}/${job.jobId}/progress`, { token: api.job, body: { percent: 60 } }), 403, 'Forbidden', new RegExp(api.jobId));
    const admin = await api.call('POST', `${JOBS}/${job.jobId}/progress`, { body: { percent: 75 } });
    expect(admin.statusCode, admin.body).toBe(200);
    expect((await describeJob(job.jobId)).progress).toMatchObject({ percent: 75 });
    // A job token may not use the job's other routes either.
    expectError(await api.call('GET', `${JOBS}/${job.jobId}`, { token: own }), 403, 'Forbidden');

    await api.call('POST', `${JOBS}/${job.jobId}/terminate`);
    await waitFor(job.jobId, ended);
    expectError(await api.call('POST', `${JOBS}/${job.jobId}/progress`, { body: { percent: 80 } }), 409, 'Conflict');
  });

  it('lets an array child report for itself only', async () => {
    const parent = await submit({ command: 'sleep 30', arraySize: 2 });
    const childId = `${parent.jobId}:0`;
    await waitFor(childId, (j) => j.status === 'RUNNING');
    const token = await api.platform.tokens.issue({ kind: 'job', jobId: childId });
    const res = await api.call('POST', `${JOBS}/${encodeURIComponent(childId)}/progress`, { token, body: { percent: 10 } });
    expect(res.statusCode, res.body).toBe(200);
    expectError(await api.call('POST', `${JOBS}/${encodeURIComponent(`${parent.jobId}:1`)}/progress`, { token, body: { percent: 10 } }), 403, 'Forbidden');
    expectError(await api.call('POST', `${JOBS}/${parent.jobId}/progress`, { token, body: { percent: 10 } }), 403, 'Forbidden');
    await api.call('POST', `${JOBS}/${parent.jobId}/terminate`);
    await waitFor(parent.jobId, ended);
  });

  it.each([
    ['no percent', {}, /body\.percent is required/],
    ['a percent over 100', { percent: 101 }, /body\.percent must be <= 100/],
    ['a negative percent', { percent: -1 }, /body\.percent must be >= 0/],
    ['a string percent', { percent: '50' }, /body\.percent must be number/],
  ])('answers 400 for %s', async (_what, body, message) => {
    expectError(await api.call('POST', `${JOBS}/x/progress`, { body }), 400, 'ValidationError', message);
  });

  it('answers 404 for an unknown job', async () => {
    expectError(await api.call('POST', `${JOBS}/nope/progress`, { body: { percent: 1 } }), 404, 'NotFound');
  });
});

describe('GET /api/v1/jobs/:id/logs', () => {
  it('follows a job while it writes, until it ends', async () => {
    const job = await submit({ command: 'echo hello; sleep 1; echo bye' });
    const res = await api.call('GET', `${JOBS}/${job.jobId}/logs?follow=true`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe('hello\nbye\n');
    expect((await describeJob(job.jobId)).status).toBe('SUCCEEDED');
  });

  it('reads from an offset, and answers an empty body before a job has a log', async () => {
    const done = await waitFor((await submit({ command: 'printf abcdef' })).jobId, ended);
    expect((await api.call('GET', `${JOBS}/${done.jobId}/logs?offset=2`)).body).toBe('cdef');
    expect((await api.call('GET', `${JOBS}/${done.jobId}/logs?offset=100&follow=false`)).body).toBe('');
    const blocker = await submit({ command: 'sleep 60' });
    await waitFor(blocker.jobId, (j) => j.status === 'RUNNING');
    const waiting = await submit({ command: 'true', dependsOn: [{ jobId: blocker.jobId }] });
    const empty = await api.call('GET', `${JOBS}/${waiting.jobId}/logs`);
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toBe('');
    await api.call('POST', `${JOBS}/${blocker.jobId}/terminate`);
    await waitFor(waiting.jobId, ended);
  });

  it('answers 404 for an unknown job and 400 for a bad offset', async () => {
    expectError(await api.call('GET', `${JOBS}/nope/logs`), 404, 'NotFound');
    expectError(await api.call('GET', `${JOBS}/nope/logs?follow=true`), 404, 'NotFound');
    expectError(await api.call('GET', `${JOBS}/x/logs?offset=-1`), 400, 'ValidationError', /query\.offset/);
    expectError(await api.call('GET', `${JOBS}/x/logs?follow=yes`), 400, 'ValidationError', /query\.follow must be boolean/);
  });
});
