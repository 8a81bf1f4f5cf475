import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, failMachine, passMachine, startApi, waitForExecution, waitMachine, type Api } from './helpers.js';

const URL = '/api/v1/executions';
let api: Api;

interface Execution {
  id: string;
  executionArn: string;
  name: string;
  stateMachine: string;
  status: string;
  output?: unknown;
  error?: string;
  cause?: string;
  redriveCount: number;
}

async function start(body: Record<string, unknown>): Promise<Execution> {
  const res = await api.call('POST', URL, { body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Execution;
}

beforeAll(async () => {
  api = await startApi();
  for (const [name, definition] of Object.entries({ pass: passMachine, wait: waitMachine, fail: failMachine })) {
    await api.call('POST', '/api/v1/state-machines', { body: { name, definition } });
  }
});
afterAll(async () => {
  await api.close();
});

describe('POST /api/v1/executions', () => {
  it('starts an execution (201) that runs to its end', async () => {
    const started = await start({ stateMachine: 'pass', name: 'first', input: { x: 1 } });
    expect(started).toMatchObject({ name: 'first', stateMachine: 'pass', input: { x: 1 }, redriveCount: 0 });
    const done = await waitForExecution(api, started.id, (e) => e.status !== 'RUNNING');
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: { x: 1 } });
  });

  it('returns the existing execution with 200 for a name already started', async () => {
    const first = await start({ stateMachine: 'pass', name: 'again' });
    const res = await api.call('POST', URL, { body: { stateMachine: 'pass', name: 'again' } });
    expect(res.statusCode).toBe(200);
    expect((res.json() as Execution).id).toBe(first.id);
  });

  it('names an execution when no name is given, and accepts any JSON input', async () => {
    for (const input of ['text', 42, [1, 2], { nested: { list: [true, null] } }]) {
      const started = await start({ stateMachine: 'pass', input });
      expect(started.name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
      expect(started).toMatchObject({ input });
    }
  });

  it('accepts the state machine ARN', async () => {
    const machine = (await api.call('GET', '/api/v1/state-machines/pass')).json() as { stateMachineArn: string };
    expect((await start({ stateMachine: machine.stateMachineArn })).stateMachine).toBe('pass');
  });

  it('answers 404 for an unknown state machine', async () => {
    expectError(await api.call('POST', URL, { body: { stateMachine: 'nope' } }), 404, 'NotFound', /nope/);
  });

  it.each([
    ['no stateMachine', { input: {} }, /body\.stateMachine is required/],
    ['a numeric stateMachine', { stateMachine: 7 }, /body\.stateMachine must be string/],
    ['a name with a slash', { stateMachine: 'pass', name: 'a/b' }, /body\.name may contain only/],
    ['an 81-character name', { stateMachine: 'pass', name: 'n'.repeat(81) }, /body\.name must NOT have more than 80/],
    ['an unknown field', { stateMachine: 'pass', inputs: {} }, /body\.inputs is not a known field/],
    ['a string body', 'null', /body must be object/],
  ])('answers 400 for %s', async (_what, body, message) => {
    expectError(await api.call('POST', URL, { body }), 400, 'ValidationError', message);
  });

  it('answers 400 for malformed JSON', async () => {
    expectError(await api.call('POST', URL, { body: '{"stateMachine": pass}' }), 400, 'BadRequest', /not valid JSON/);
  });

  it('answers 413 for an input over 256 KiB, and for a body over the server limit', async () => {
    expectError(await api.call('POST', URL, { body: { stateMachine: 'pass', input: 'x'.repeat(256 * 1024) } }), 413, 'PayloadTooLarge', /262144/);
    expectError(await api.call('POST', URL, { body: { stateMachine: 'pass', input: 'x'.repeat(2 * 1024 * 1024) } }), 413, 'PayloadTooLarge');
    // Just under the limit once serialized: the two quotes make 256 KiB exactly.
    expect((await api.call('POST', URL, { body: { stateMachine: 'pass', input: 'x'.repeat(256 * 1024 - 2) } })).statusCode).toBe(201);
  });
});

describe('GET /api/v1/executions and /api/v1/executions/:id', () => {
  let done: Execution;

  beforeAll(async () => {
    done = await start({ stateMachine: 'pass', name: 'described', input: { k: 'v' } });
    await waitForExecution(api, done.id, (e) => e.status === 'SUCCEEDED');
  });

  it('describes by id, by URL-encoded ARN and by raw ARN', async () => {
    for (const key of [done.id, encodeURIComponent(done.executionArn), done.executionArn]) {
      const res = await api.call('GET', `${URL}/${key}`);
      expect(res.statusCode, key).toBe(200);
      expect(res.json()).toMatchObject({ id: done.id, status: 'SUCCEEDED', output: { k: 'v' }, stopDate: expect.any(String) });
    }
  });

  it('answers 404 for an unknown execution', async () => {
    expectError(await api.call('GET', `${URL}/no-such-id`), 404, 'NotFound');
    expectError(await api.call('GET', `${URL}/${encodeURIComponent('arn:aws:states:local:000000000000:execution:pass:none')}`), 404, 'NotFound');
  });

  it('lists with filters', async () => {
    const all = (await api.call('GET', `${URL}?stateMachine=pass&status=SUCCEEDED`)).json() as { items: Execution[] };
    expect(all.items.map((e) => e.id)).toContain(done.id);
    expect(all.items.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    const none = (await api.call('GET', `${URL}?stateMachine=fail&status=SUCCEEDED`)).json() as { items: Execution[] };
    expect(none.items).toEqual([]);
  });

  it('pages with limit and nextToken', async () => {
    const first = (await api.call('GET', `${URL}?limit=1`)).json() as { items: Execution[]; nextToken?: string };
    expect(first.items).toHaveLength(1);
    expect(first.nextToken).toBeDefined();
    const second = (await api.call('GET', `${URL}?limit=1&nextToken=${encodeURIComponent(first.nextToken ?? '')}`)).json() as { items: Execution[] };
    expect(second.items).toHaveLength(1);
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
  });

  it.each([
    ['status=DONE', 'ValidationError', /query\.status must be one of RUNNING/],
    ['limit=0', 'ValidationError', /query\.limit must be >= 1/],
    ['limit=ten', 'ValidationError', /query\.limit must be integer/],
    ['stateMachine=', 'ValidationError', /query\.stateMachine/],
    ['nextToken=garbage', 'BadRequest', /nextToken/],
  ])('answers 400 for %s', async (query, code, message) => {
    expectError(await api.call('GET', `${URL}?${query}`), 400, code, message);
  });
});

describe('GET /api/v1/executions/:id/history', () => {
  let id: string;

  beforeAll(async () => {
    id = (await start({ stateMachine: 'pass', name: 'historic' })).id;
    await waitForExecution(api, id, (e) => e.status === 'SUCCEEDED');
  });

  it('returns the events in order, or newest first', async () => {
    const forward = (await api.call('GET', `${URL}/${id}/history`)).json() as { items: { id: number; type: string }[] };
    expect(forward.items[0]?.type).toBe('ExecutionStarted');
    expect(forward.items.at(-1)?.type).toBe('ExecutionSucceeded');
    const backward = (await api.call('GET', `${URL}/${id}/history?reverse=true`)).json() as { items: { id: number }[] };
    expect(backward.items.map((e) => e.id)).toEqual(forward.items.map((e) => e.id).reverse());
    const explicit = (await api.call('GET', `${URL}/${id}/history?reverse=false`)).json() as { items: { id: number }[] };
    expect(explicit.items).toEqual(forward.items);
  });

  it('pages with limit and nextToken', async () => {
    const all = (await api.call('GET', `${URL}/${id}/history`)).json() as { items: { id: number }[] };
    const ids: number[] = [];
    let token: string | undefined;
    do {
      const res = await api.call('GET', `${URL}/${id}/history?limit=1${token ? `&nextToken=${token}` : ''}`);
      const page = res.json() as { items: { id: number }[]; nextToken?: string };
      ids.push(...page.items.map((e) => e.id));
      token = page.nextToken;
    } while (token);
    expect(ids).toEqual(all.items.map((e) => e.id));
  });

  it('answers 404 for an unknown execution and 400 for bad parameters', async () => {
    expectError(await api.call('GET', `${URL}/nope/history`), 404, 'NotFound');
    expectError(await api.call('GET', `${URL}/${id}/history?reverse=yes`), 400, 'ValidationError', /query\.reverse must be boolean/);
    expectError(await api.call('GET', `${URL}/${id}/history?limit=5000`), 400, 'ValidationError', /query\.limit must be <= 1000/);
    expectError(await api.call('GET', `${URL}/${id}/history?nextToken=abc`), 400, 'BadRequest', /nextToken/);
  });
});

describe('POST /api/v1/executions/:id/stop and /redrive', () => {
  it('stops a running execution, with or without a body', async () => {
    const waiting = await start({ stateMachine: 'wait' });
    const res = await api.call('POST', `${URL}/${waiting.id}/stop`, { body: { error: 'Operator', cause: 'not needed' } });
    expect(res.statusCode).toBe(200);
    expect(await waitForExecution(api, waiting.id, (e) => e.status !== 'RUNNING')).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'not needed' });

    const bare = await start({ stateMachine: 'wait' });
    expect((await api.call('POST', `${URL}/${bare.id}/stop`)).statusCode).toBe(200);
    const empty = await start({ stateMachine: 'wait' });
    expect((await api.call('POST', `${URL}/${empty.id}/stop`, { body: '', headers: { 'content-type': 'application/json' } })).statusCode).toBe(200);
    await waitForExecution(api, empty.id, (e) => e.status === 'ABORTED');
  });

  it('answers 409 to stop a finished execution (the platform only stops RUNNING ones)', async () => {
    const finished = await start({ stateMachine: 'pass' });
    await waitForExecution(api, finished.id, (e) => e.status === 'SUCCEEDED');
    expectError(await api.call('POST', `${URL}/${finished.id}/stop`), 409, 'Conflict', /SUCCEEDED/);
  });

  it('answers 400 for a bad stop body and 404 for an unknown execution', async () => {
    const waiting = await start({ stateMachine: 'wait' });
    expectError(await api.call('POST', `${URL}/${waiting.id}/stop`, { body: { error: 5 } }), 400, 'ValidationError', /body\.error must be string/);
    expectError(await api.call('POST', `${URL}/${waiting.id}/stop`, { body: { reason: 'x' } }), 400, 'ValidationError', /body\.reason is not a known field/);
    expectError(await api.call('POST', `${URL}/${waiting.id}/stop`, { body: { cause: 'c'.repeat(32769) } }), 400, 'ValidationError', /body\.cause/);
    expectError(await api.call('POST', `${URL}/${waiting.id}/stop`, { body: '[' }), 400, 'BadRequest');
    expectError(await api.call('POST', `${URL}/nope/stop`), 404, 'NotFound');
    expect((await api.call('GET', `${URL}/${waiting.id}`)).json()).toMatchObject({ status: 'RUNNING' });
  });

  it('redrives a failed execution', async () => {
    const failed = await start({ stateMachine: 'fail' });
    expect(await waitForExecution(api, failed.id, (e) => e.status !== 'RUNNING')).toMatchObject({ status: 'FAILED', error: 'Boom' });
    const res = await api.call('POST', `${URL}/${failed.id}/redrive`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: failed.id, redriveCount: 1 });
  });

  it('answers 409 to redrive an execution that did not fail, 404 for an unknown one', async () => {
    const running = await start({ stateMachine: 'wait' });
    expectError(await api.call('POST', `${URL}/${running.id}/redrive`), 409, 'Conflict', /RUNNING/);
    expectError(await api.call('POST', `${URL}/nope/redrive`), 404, 'NotFound');
  });
});
