/*
 * POST /api/v1/task-tokens/{success,failure,heartbeat} through fastify's inject, with the
 * token coming the way it does in production: a parent's startExecution.waitForTaskToken
 * hands $$.Task.Token to a child execution, and the child's input holds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../api/helpers.js';
import { expectError, startApi, waitForExecution } from '../api/helpers.js';
import { until } from '../support/backends.js';

let api: Api;

const child = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
const parent = {
  StartAt: 'Ask',
  States: {
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.waitForTaskToken',
      Parameters: { StateMachineArn: 'child', Input: { 'token.$': '$$.Task.Token' } },
      HeartbeatSeconds: 60,
      End: true,
    },
  },
};

beforeAll(async () => {
  api = await startApi();
  await api.platform.stateMachines.create({ name: 'child', definition: child });
  await api.platform.stateMachines.create({ name: 'parent', definition: parent });
});
afterAll(async () => {
  await api.close();
});

/** Starts a parent and returns its id and the token its child received. */
async function waiting(): Promise<{ id: string; token: string }> {
  const { execution } = await api.platform.executions.start({ stateMachine: 'parent' });
  const token = await until(async () => {
    for (const item of (await api.platform.executions.list({ stateMachine: 'child' })).items) {
      const input = (await api.platform.executions.describe(item.id)).input as { token?: string };
      const [arn] = Buffer.from(input.token ?? '', 'base64url').toString().split('\n');
      if (arn === execution.executionArn) return input.token;
    }
    return undefined;
  });
  return { id: execution.id, token };
}

const post = (path: string, body: unknown, token?: string) => api.call('POST', `/api/v1/task-tokens/${path}`, { body, ...(token === undefined ? {} : { token }) });

describe('task token routes', () => {
  it('let a job token complete a task; a second answer is "Task Timed Out"', async () => {
    const { id, token } = await waiting();
    const res = await post('heartbeat', { taskToken: token }, api.job);
    expect(res.statusCode, res.body).toBe(204);
    expect((await post('success', { taskToken: token, output: { done: [1, 2] } }, api.job)).statusCode).toBe(204);
    const done = await waitForExecution(api, id, (e) => e.status !== 'RUNNING');
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: { done: [1, 2] } });

    const again = expectError(await post('success', { taskToken: token, output: 1 }), 404, 'NotFound', /^Task Timed Out/);
    expect(again.details).toEqual({ error: 'TaskTimedOut' });
    expectError(await post('heartbeat', { taskToken: token }), 404, 'NotFound', /^Task Timed Out/);
  });

  it('fail a task with the error and cause given', async () => {
    const { id, token } = await waiting();
    expect((await post('failure', { taskToken: token, error: 'Denied', cause: 'by a human' }, api.job)).statusCode).toBe(204);
    expect(await waitForExecution(api, id, (e) => e.status !== 'RUNNING')).toMatchObject({ status: 'FAILED', error: 'Denied', cause: 'by a human' });
  });

  it('answer "Invalid Token" to a token that never was one', async () => {
    const res = expectError(await post('success', { taskToken: 'bogus', output: {} }), 404, 'NotFound', /^Invalid Token/);
    expect(res.details).toEqual({ error: 'InvalidToken' });
    expectError(await post('failure', { taskToken: 'bogus' }), 404, 'NotFound', /^Invalid Token/);
  });

  it('refuse malformed requests before looking for the task', async () => {
    expectError(await post('success', { output: {} }), 400, 'ValidationError', /taskToken/);
    expectError(await post('success', { taskToken: 'x' }), 400, 'ValidationError', /output/);
    expectError(await post('success', { taskToken: '', output: {} }), 400, 'ValidationError');
    expectError(await post('success', { taskToken: 'x', output: {}, extra: 1 }), 400, 'ValidationError');
    expectError(await post('failure', { taskToken: 'x', error: 'e'.repeat(257) }), 400, 'ValidationError', /error/);
    expectError(await post('failure', { taskToken: 'x', cause: 7 }), 400, 'ValidationError', /cause/);
    expectError(await post('heartbeat', { taskToken: 'x'.repeat(1025) }), 400, 'ValidationError');
    expectError(await post('heartbeat', '{not json'), 400, 'BadRequest');
  });

  it('refuse an output over 256 KiB with 413 and keep the task waiting', async () => {
    const { id, token } = await waiting();
    expectError(await post('success', { taskToken: token, output: 'x'.repeat(256 * 1024) }), 413, 'PayloadTooLarge');
    expect((await post('success', { taskToken: token, output: 'fits' })).statusCode).toBe(204);
    expect(await waitForExecution(api, id, (e) => e.status !== 'RUNNING')).toMatchObject({ status: 'SUCCEEDED', output: 'fits' });
  });

  it('need a token, but any valid one', async () => {
    expectError(await api.call('POST', '/api/v1/task-tokens/success', { body: { taskToken: 'x', output: 1 }, token: null }), 401, 'Unauthorized');
    expectError(await api.call('POST', '/api/v1/task-tokens/heartbeat', { body: { taskToken: 'x' }, token: 'unknown' }), 401, 'Unauthorized');
    expectError(await post('heartbeat', { taskToken: 'x' }, api.job), 404, 'NotFound');
  });
});
