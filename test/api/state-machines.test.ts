import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, passMachine, startApi, type Api } from './helpers.js';

const URL = '/api/v1/state-machines';
let api: Api;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

describe('POST /api/v1/state-machines', () => {
  it('creates from an object and answers 201 with the state machine', async () => {
    const res = await api.call('POST', URL, { body: { name: 'obj', definition: passMachine } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'obj', revision: 1, definition: passMachine, stateMachineArn: expect.stringContaining(':stateMachine:obj') });
  });

  it('creates from JSON text and from YAML text, keeping the roleArn', async () => {
    const json = await api.call('POST', URL, { body: { name: 'json-text', definition: JSON.stringify(passMachine) } });
    expect(json.statusCode).toBe(201);
    expect(json.json()).toMatchObject({ definition: passMachine });
    const yaml = 'StartAt: P\nStates:\n  P:\n    Type: Pass\n    End: true\n';
    const res = await api.call('POST', URL, { body: { name: 'yaml_text', definition: yaml, roleArn: 'arn:aws:iam::1:role/r' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ definition: passMachine, roleArn: 'arn:aws:iam::1:role/r' });
  });

  it('refuses an invalid definition with problems naming state and field', async () => {
    const definition = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' }, B: { Type: 'Succeed' } } };
    const error = expectError(await api.call('POST', URL, { body: { name: 'bad', definition } }), 400, 'InvalidDefinition');
    const problems = (error.details as { problems: string[] }).problems;
    expect(problems).toContainEqual(expect.stringMatching(/^States\.A\.Next: .*Nowhere/));
  });

  it('refuses definition text that does not parse', async () => {
    const error = expectError(await api.call('POST', URL, { body: { name: 'bad', definition: '{"StartAt": ' } }), 400, 'InvalidDefinition', /JSON/);
    expect((error.details as { problems: string[] }).problems).toHaveLength(1);
  });

  it('answers 409 for a name already taken', async () => {
    await api.call('POST', URL, { body: { name: 'dup', definition: passMachine } });
    expectError(await api.call('POST', URL, { body: { name: 'dup', definition: passMachine } }), 409, 'Conflict', /dup/);
  });

  it.each([
    ['no name', { definition: passMachine }, /body\.name is required/],
    ['no definition', { name: 'x' }, /body\.definition is required/],
    ['a numeric name', { name: 123, definition: passMachine }, /body\.name must be string/],
    ['a name with a space', { name: 'a b', definition: passMachine }, /body\.name may contain only letters/],
    ['an empty name', { name: '', definition: passMachine }, /body\.name/],
    ['an 81-character name', { name: 'n'.repeat(81), definition: passMachine }, /body\.name must NOT have more than 80/],
    ['a numeric definition', { name: 'x', definition: 5 }, /body\.definition must be object or string/],
    ['an unknown field', { name: 'x', definition: passMachine, tags: [] }, /body\.tags is not a known field/],
    ['a roleArn of the wrong type', { name: 'x', definition: passMachine, roleArn: true }, /body\.roleArn must be string/],
    ['an array body', [], /body must be object/],
  ])('answers 400 for %s', async (_what, body, message) => {
    const error = expectError(await api.call('POST', URL, { body }), 400, 'ValidationError', message);
    expect(error.details).toMatchObject({ field: expect.stringMatching(/^body/) });
  });

  it('answers 400 for malformed JSON and for no body at all', async () => {
    expectError(await api.call('POST', URL, { body: '{"name": "x",' }), 400, 'BadRequest', /not valid JSON/);
    expectError(await api.call('POST', URL), 400, 'ValidationError', /body must be object/);
  });

  it('accepts a 80-character name', async () => {
    expect((await api.call('POST', URL, { body: { name: 'n'.repeat(80), definition: passMachine } })).statusCode).toBe(201);
  });

  it('takes names in any script, as AWS does, and lists, describes, runs and deletes them', async () => {
    const names = ['ステートマシン-1', 'état_2', 'Ωμέγα٣'];
    for (const name of names) {
      const res = await api.call('POST', URL, { body: { name, definition: passMachine } });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ name, stateMachineArn: `arn:aws:states:local:000000000000:stateMachine:${name}` });
    }
    const listed = (await api.call('GET', `${URL}?limit=1000`)).json() as { items: { name: string }[] };
    expect(listed.items.map((m) => m.name)).toEqual(expect.arrayContaining(names));
    expect((await api.call('GET', `${URL}/${encodeURIComponent('ステートマシン-1')}`)).json()).toMatchObject({ name: 'ステートマシン-1' });
    const started = await api.call('POST', '/api/v1/executions', { body: { stateMachine: 'état_2', name: 'exécution-一' } });
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json()).toMatchObject({ name: 'exécution-一', executionArn: 'arn:aws:states:local:000000000000:execution:état_2:exécution-一' });
    // Counted in code points: 80 characters of a script outside the BMP are 160 UTF-16 units.
    expect((await api.call('POST', URL, { body: { name: '𝒜'.repeat(80), definition: passMachine } })).statusCode).toBe(201);
    expectError(await api.call('POST', URL, { body: { name: '𝒜'.repeat(81), definition: passMachine } }), 400, 'ValidationError', /body\.name must NOT have more than 80/);
    expect((await api.call('DELETE', `${URL}/${encodeURIComponent('Ωμέγα٣')}`)).statusCode).toBe(204);
  });

  it.each([
    ['markup', '<script>'],
    ['a control character', 'tab\there'],
    ['a zero-width joiner', 'a\u200db'],
    ['a combining mark alone', '\u0301x'],
    ['an emoji', 'ok😀'],
    ['a full stop', 'a.b'],
    ['a space in another script', 'ス　テ'],
  ])('refuses a name with %s', async (_what, name) => {
    expectError(await api.call('POST', URL, { body: { name, definition: passMachine } }), 400, 'ValidationError', /body\.name may contain only letters/);
    expectError(await api.call('POST', '/api/v1/executions', { body: { stateMachine: 'état_2', name } }), 400, 'ValidationError', /body\.name may contain only letters/);
  });
});

describe('GET /api/v1/state-machines', () => {
  beforeAll(async () => {
    for (const name of ['list-a', 'list-b', 'list-c']) await api.call('POST', URL, { body: { name, definition: passMachine } });
  });

  it('lists state machines', async () => {
    const res = await api.call('GET', URL);
    expect(res.statusCode).toBe(200);
    const names = (res.json() as { items: { name: string }[] }).items.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['list-a', 'list-b', 'list-c']));
  });

  it('pages with limit and nextToken without repeating or skipping', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const res = await api.call('GET', `${URL}?limit=2${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: { name: string }[]; nextToken?: string };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((m) => m.name));
      token = page.nextToken;
    } while (token);
    const all = (await api.call('GET', `${URL}?limit=1000`)).json() as { items: { name: string }[] };
    expect(seen).toEqual(all.items.map((m) => m.name));
  });

  it.each(['limit=0', 'limit=1001', 'limit=abc', 'limit=-1', 'limit=1.5', 'limit=', 'nextToken=', 'limit=1&limit=2'])('answers 400 for %s', async (query) => {
    expectError(await api.call('GET', `${URL}?${query}`), 400, 'ValidationError', /^query\.(limit|nextToken) /);
  });

  it('answers 400 for an unknown query parameter', async () => {
    expectError(await api.call('GET', `${URL}?page=2`), 400, 'ValidationError', /query\.page is not a known field/);
  });
});

describe('GET, PUT and DELETE /api/v1/state-machines/:name, GET .../revisions', () => {
  const v2 = { StartAt: 'Q', States: { Q: { Type: 'Succeed' } } };

  beforeAll(async () => {
    await api.call('POST', URL, { body: { name: 'm', definition: passMachine } });
  });

  it('describes the latest revision', async () => {
    const res = await api.call('GET', `${URL}/m`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'm', revision: 1, definition: passMachine });
  });

  it('updates with a new revision and still describes the old one', async () => {
    const res = await api.call('PUT', `${URL}/m`, { body: { definition: v2 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'm', revision: 2, definition: v2 });
    expect((await api.call('GET', `${URL}/m?revision=1`)).json()).toMatchObject({ revision: 1, definition: passMachine });
    expect((await api.call('GET', `${URL}/m`)).json()).toMatchObject({ revision: 2 });
  });

  it('lists revisions', async () => {
    const res = await api.call('GET', `${URL}/m/revisions`);
    expect(res.statusCode).toBe(200);
    expect((res.json() as { items: { revision: number; createdAt: string }[] }).items.map((r) => r.revision)).toEqual([1, 2]);
  });

  it('answers 404 for an unknown state machine or revision', async () => {
    expectError(await api.call('GET', `${URL}/nope`), 404, 'NotFound', /nope/);
    expectError(await api.call('GET', `${URL}/m?revision=99`), 404, 'NotFound', /99/);
    expectError(await api.call('PUT', `${URL}/nope`, { body: { definition: passMachine } }), 404, 'NotFound');
    expectError(await api.call('GET', `${URL}/nope/revisions`), 404, 'NotFound');
    expectError(await api.call('DELETE', `${URL}/nope`), 404, 'NotFound');
  });

  it.each([
    ['revision=abc', /query\.revision must be integer/],
    ['revision=0', /query\.revision must be >= 1/],
  ])('answers 400 for %s', async (query, message) => {
    expectError(await api.call('GET', `${URL}/m?${query}`), 400, 'ValidationError', message);
  });

  it('answers 400 for a name that can not exist', async () => {
    expectError(await api.call('GET', `${URL}/a%20b`), 400, 'ValidationError', /path\.name may contain only/);
    expectError(await api.call('DELETE', `${URL}/${'n'.repeat(81)}`), 400, 'ValidationError', /path\.name/);
  });

  it('refuses a bad update', async () => {
    const invalid = expectError(await api.call('PUT', `${URL}/m`, { body: { definition: { StartAt: 'X', States: {} } } }), 400, 'InvalidDefinition');
    expect((invalid.details as { problems: string[] }).problems.length).toBeGreaterThan(0);
    expectError(await api.call('PUT', `${URL}/m`, { body: {} }), 400, 'ValidationError', /body\.definition is required/);
    expectError(await api.call('PUT', `${URL}/m`, { body: { definition: passMachine, name: 'other' } }), 400, 'ValidationError', /body\.name is not a known field/);
    expectError(await api.call('PUT', `${URL}/m`, { body: '{' }), 400, 'BadRequest');
    expect((await api.call('GET', `${URL}/m`)).json()).toMatchObject({ revision: 2 });
  });

  it('deletes with 204 and no body', async () => {
    await api.call('POST', URL, { body: { name: 'gone', definition: passMachine } });
    const res = await api.call('DELETE', `${URL}/gone`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectError(await api.call('GET', `${URL}/gone`), 404, 'NotFound');
  });
});
