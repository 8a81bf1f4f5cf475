/*
 * Compute environments, job queues and job definitions through the REST API, on a real
 * platform: happy paths, the 400/404/409 answers, job tokens refused, 503 without batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/api/server.js';
import type { Platform } from '../../src/engine/types.js';
import { expectError, startApi, type Api } from './helpers.js';

let api: Api;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

const CE = '/api/v1/compute-environments';
const JQ = '/api/v1/job-queues';
const JD = '/api/v1/job-definitions';

describe('compute environments', () => {
  it('has `local` on a fresh server', async () => {
    const res = await api.call('GET', CE);
    expect(res.statusCode).toBe(200);
    const { items } = res.json() as { items: { computeEnvironmentName: string; maxVcpus: number }[] };
    expect(items.map((c) => c.computeEnvironmentName)).toContain('local');
  });

  it('creates (201), describes by name and ARN, updates and deletes', async () => {
    const created = await api.call('POST', CE, { body: { name: 'small', maxVcpus: 2, maxMemoryMiB: 512, capacityType: 'SPOT' } });
    expect(created.statusCode, created.body).toBe(201);
    const ce = created.json() as { computeEnvironmentArn: string };
    expect(ce).toMatchObject({ computeEnvironmentName: 'small', maxVcpus: 2, maxMemoryMiB: 512, capacityType: 'SPOT', state: 'ENABLED', executor: 'local' });
    const byArn = await api.call('GET', `${CE}/${encodeURIComponent(ce.computeEnvironmentArn)}`);
    expect(byArn.json()).toMatchObject({ computeEnvironmentName: 'small' });
    const updated = await api.call('PUT', `${CE}/small`, { body: { state: 'DISABLED', maxVcpus: 3 } });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({ state: 'DISABLED', maxVcpus: 3, maxMemoryMiB: 512 });
    expect((await api.call('DELETE', `${CE}/small`)).statusCode).toBe(204);
    expectError(await api.call('GET', `${CE}/small`), 404, 'NotFound', /small/);
  });

  it('answers 409 for a taken name and for deleting one a queue uses', async () => {
    expectError(await api.call('POST', CE, { body: { name: 'local' } }), 409, 'Conflict');
    expectError(await api.call('DELETE', `${CE}/local`), 409, 'Conflict', /default/);
  });

  it('answers 404 for updating or deleting an unknown one', async () => {
    expectError(await api.call('PUT', `${CE}/nope`, { body: { maxVcpus: 1 } }), 404, 'NotFound');
    expectError(await api.call('DELETE', `${CE}/nope`), 404, 'NotFound');
  });

  it.each([
    ['no name', { maxVcpus: 1 }, /body\.name is required/],
    ['a bad name', { name: 'a b' }, /body\.name may contain only/],
    ['zero vCPUs', { name: 'x', maxVcpus: 0 }, /body\.maxVcpus must be >= 1/],
    ['a bad capacity type', { name: 'x', capacityType: 'CHEAP' }, /body\.capacityType must be one of ON_DEMAND, SPOT/],
    ['an unknown field', { name: 'x', vcpus: 1 }, /body\.vcpus is not a known field/],
  ])('answers 400 for %s', async (_what, body, message) => {
    expectError(await api.call('POST', CE, { body }), 400, 'ValidationError', message);
  });

  it('refuses job tokens (403)', async () => {
    expectError(await api.call('GET', CE, { token: api.job }), 403, 'Forbidden');
    expectError(await api.call('POST', CE, { token: api.job, body: { name: 'x' } }), 403, 'Forbidden');
  });
});

describe('job queues', () => {
  it('has `default` on `local`', async () => {
    const res = await api.call('GET', `${JQ}/default`);
    expect(res.json()).toMatchObject({ jobQueueName: 'default', state: 'ENABLED', schedulingPolicy: 'FIFO', computeEnvironmentOrder: [{ order: 1, computeEnvironment: 'local' }] });
  });

  it('creates, lists, updates and deletes', async () => {
    const created = await api.call('POST', JQ, { body: { name: 'high', priority: 10, computeEnvironments: ['local'], schedulingPolicy: 'FAIR_SHARE' } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ jobQueueName: 'high', priority: 10, schedulingPolicy: 'FAIR_SHARE' });
    const names = ((await api.call('GET', JQ)).json() as { items: { jobQueueName: string }[] }).items.map((q) => q.jobQueueName);
    expect(names).toEqual(expect.arrayContaining(['default', 'high']));
    const updated = await api.call('PUT', `${JQ}/high`, { body: { priority: 20, state: 'DISABLED' } });
    expect(updated.json()).toMatchObject({ priority: 20, state: 'DISABLED', schedulingPolicy: 'FAIR_SHARE' });
    expect((await api.call('DELETE', `${JQ}/high`)).statusCode).toBe(204);
    expectError(await api.call('GET', `${JQ}/high`), 404, 'NotFound');
  });

  it('answers 404 for an unknown compute environment', async () => {
    expectError(await api.call('POST', JQ, { body: { name: 'q2', computeEnvironments: ['nowhere'] } }), 404, 'NotFound', /nowhere/);
  });

  it.each([
    ['a priority over 1000', { name: 'q', priority: 1001 }, /body\.priority must be <= 1000/],
    ['no compute environments', { name: 'q', computeEnvironments: [] }, /body\.computeEnvironments must NOT have fewer than 1/],
    ['a bad policy', { name: 'q', schedulingPolicy: 'LIFO' }, /body\.schedulingPolicy must be one of/],
  ])('answers 400 for %s', async (_what, body, message) => {
    expectError(await api.call('POST', JQ, { body }), 400, 'ValidationError', message);
  });
});

describe('job definitions', () => {
  it('registers revisions, lists, describes NAME and NAME:REV, deregisters', async () => {
    const first = await api.call('POST', JD, { body: { name: 'hello', command: 'echo hello', environment: { A: '1' }, retryStrategy: { attempts: 2 }, timeoutSeconds: 60 } });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      jobDefinitionName: 'hello',
      revision: 1,
      status: 'ACTIVE',
      containerProperties: { command: ['echo hello'], environment: [{ name: 'A', value: '1' }] },
      retryStrategy: { attempts: 2 },
      timeout: { attemptDurationSeconds: 60 },
    });
    const second = await api.call('POST', JD, { body: { name: 'hello', command: ['echo', 'again'], environment: [{ name: 'B', value: '2' }], vcpus: 0.5, memory: 64 } });
    expect(second.json()).toMatchObject({ revision: 2, containerProperties: { command: ['echo', 'again'], vcpus: 0.5, memory: 64 } });

    const listed = (await api.call('GET', `${JD}?name=hello`)).json() as { items: { revision: number }[] };
    expect(listed.items.map((d) => d.revision)).toEqual([1, 2]);
    expect((await api.call('GET', `${JD}/hello:1`)).json()).toMatchObject({ revision: 1 });
    expect((await api.call('GET', `${JD}/hello`)).json()).toMatchObject({ revision: 2 });

    expect((await api.call('DELETE', `${JD}/hello:1`)).statusCode).toBe(204);
    expect((await api.call('GET', `${JD}/hello:1`)).json()).toMatchObject({ status: 'INACTIVE' });
    const active = (await api.call('GET', `${JD}?name=hello&status=ACTIVE`)).json() as { items: { revision: number }[] };
    expect(active.items.map((d) => d.revision)).toEqual([2]);
  });

  it('answers 404 for an unknown definition or revision', async () => {
    expectError(await api.call('GET', `${JD}/nope`), 404, 'NotFound');
    expectError(await api.call('GET', `${JD}/hello:99`), 404, 'NotFound');
    expectError(await api.call('DELETE', `${JD}/nope`), 404, 'NotFound');
  });

  it('answers 400 for a bad revision', async () => {
    expectError(await api.call('GET', `${JD}/hello:x`), 400, 'BadRequest', /revision/);
  });

  it.each([
    ['no command', { name: 'd' }, 'BadRequest', /command/],
    ['a numeric command', { name: 'd', command: 5 }, 'ValidationError', /body\.command must be string or array/],
    ['0 attempts', { name: 'd', command: 'true', retryStrategy: { attempts: 0 } }, 'ValidationError', /body\.retryStrategy\.attempts must be >= 1/],
    ['11 attempts', { name: 'd', command: 'true', retryStrategy: { attempts: 11 } }, 'ValidationError', /attempts must be <= 10/],
    ['a bad evaluateOnExit action', { name: 'd', command: 'true', retryStrategy: { attempts: 2, evaluateOnExit: [{ onExitCode: '1', action: 'MAYBE' }] } }, 'ValidationError', /action must be one of RETRY, EXIT/],
    ['an evaluateOnExit rule without a condition', { name: 'd', command: 'true', retryStrategy: { attempts: 2, evaluateOnExit: [{ action: 'RETRY' }] } }, 'BadRequest', /needs onExitCode/],
    ['3 MiB of memory', { name: 'd', command: 'true', memory: 3 }, 'BadRequest', /^memory: must be a whole number of MiB, at least 4, not 3$/],
    ['a zero timeout', { name: 'd', command: 'true', timeoutSeconds: 0 }, 'ValidationError', /timeoutSeconds must be >= 1/],
    ['a non-string environment value', { name: 'd', command: 'true', environment: { A: 1 } }, 'ValidationError', /environment/],
  ])('answers 400 for %s', async (_what, body, code, message) => {
    expectError(await api.call('POST', JD, { body }), 400, code, message);
  });

  it('answers 400 for a bad status filter', async () => {
    expectError(await api.call('GET', `${JD}?status=GONE`), 400, 'ValidationError', /query\.status/);
  });
});

describe('without a batch service', () => {
  it('answers 503 Unavailable on every batch route, after authentication', async () => {
    const { batch: _batch, ...rest } = api.platform;
    const app = await createServer(rest as Platform);
    try {
      const headers = { authorization: `Bearer ${api.admin}` };
      for (const url of [CE, JQ, JD, '/api/v1/jobs', '/api/v1/jobs/x', '/api/v1/jobs/x/logs']) {
        const res = await app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, url).toBe(503);
        expect(res.json()).toMatchObject({ error: { code: 'Unavailable' } });
      }
      expect((await app.inject({ method: 'GET', url: CE })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
