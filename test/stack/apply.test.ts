/*
 * Plan, apply and destroy on both backends, through the platform's real services: the second
 * apply of a file is empty, a changed resource gets a new revision, a dropped one is deleted,
 * a resource of another stack is refused, an invalid stack changes nothing, and destroy keeps
 * a bucket with objects unless forced.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenPlatform } from '../../src/engine/platform.js';
import { StackValidationError, type StacksService } from '../../src/stack/service.js';
import type { PlanItem } from '../../src/stack/types.js';
import { openTestPlatform } from '../notify/helpers.js';
import { backends, type BackendHandle } from '../support/backends.js';

const machine = (result: string) => ({ StartAt: 'A', States: { A: { Type: 'Pass', Result: result, End: true } } });

function stackOf(overrides: Record<string, unknown> = {}) {
  return {
    name: 'app',
    computeEnvironments: { big: { maxVcpus: 4 } },
    jobQueues: { work: { computeEnvironments: ['big'], priority: 5 } },
    jobDefinitions: { Hello: { command: 'echo hello', attempts: 2 }, Bye: { command: ['echo', 'bye'] } },
    functions: { Double: { code: 'export const handler = async (n) => n * 2;\n' } },
    topics: { Done: { subscriptions: [{ protocol: 'email', endpoint: 'a@example.com' }] } },
    stateMachines: { Main: { definition: machine('one') } },
    buckets: { inbox: { lifecycle: [{ id: 'expire', expirationDays: 7 }], notifications: [{ events: ['s3:ObjectCreated:*'], prefix: 'in/', target: 'arn:aws:states:local:000000000000:stateMachine:Main' }] } },
    forms: { Start: { stateMachine: 'Main', fields: { who: { type: 'string', required: true } }, input: { who: '${who}' } } },
    ...overrides,
  };
}

const changes = (items: PlanItem[]) => items.filter((i) => i.action !== 'unchanged').map((i) => `${i.action} ${i.kind} ${i.name}${i.revision ? ` r${i.revision}` : ''}`);

describe.each(backends)('stacks on $name', (backend) => {
  let handle: BackendHandle;
  let platform: OpenPlatform;
  let stacks: StacksService;

  beforeAll(async () => {
    handle = await backend.create();
    platform = await openTestPlatform(handle);
    stacks = platform.stacks as StacksService;
  });
  afterAll(async () => {
    await platform.close();
    await handle.cleanup();
  });

  it('creates everything, then a second apply changes nothing', async () => {
    const first = await stacks.apply(stackOf());
    expect(first.failed).toEqual([]);
    expect(changes(first.items)).toEqual([
      'create compute-environment big',
      'create job-queue work',
      'create job-definition Bye',
      'create job-definition Hello',
      'create function Double',
      'create topic Done',
      'create state-machine Main',
      'create bucket inbox',
      'create form Start',
    ]);
    expect((await platform.batch!.resources.queues.describe('work')).computeEnvironmentOrder).toEqual([expect.objectContaining({ computeEnvironment: expect.stringContaining('big') })]);
    expect((await platform.batch!.resources.definitions.describe('Hello')).retryStrategy).toEqual({ attempts: 2 });
    expect((await platform.functions!.invoke('Double', 21)) as { payload: unknown }).toMatchObject({ payload: 42 });
    expect((await platform.notifications!.listSubscriptions({ topic: 'Done' })).items.map((s) => s.endpoint)).toEqual(['a@example.com']);
    expect(await platform.storage!.getLifecycle('inbox')).toEqual([expect.objectContaining({ id: 'expire', expiration: { days: 7 } })]);
    expect(await platform.storage!.getNotification('inbox')).toEqual([expect.objectContaining({ filter: { prefix: 'in/' } })]);
    expect((await platform.forms!.describe('Start')).stateMachine).toBe('Main');

    const second = await stacks.plan(stackOf());
    expect(changes(second.items)).toEqual([]);
    expect((await stacks.apply(stackOf())).items.every((i) => i.action === 'unchanged')).toBe(true);
  });

  it('gives changed job definitions, functions and state machines a new revision, and deletes what the file dropped', async () => {
    const execution = (await platform.executions.start({ stateMachine: 'Main', name: 'before-update' })).execution;
    const next = stackOf({
      jobDefinitions: { Hello: { command: 'echo hello again', attempts: 2 } },
      functions: { Double: { code: 'export const handler = async (n) => n * 3;\n' } },
      stateMachines: { Main: { definition: machine('two') } },
      topics: { Done: { subscriptions: [{ protocol: 'email', endpoint: 'b@example.com' }] } },
    });
    expect(changes((await stacks.plan(next)).items)).toEqual(['update job-definition Hello r2', 'update function Double r2', 'update topic Done', 'update state-machine Main r2', 'delete job-definition Bye']);
    const result = await stacks.apply(next);
    expect(result.failed).toEqual([]);
    expect((await platform.batch!.resources.definitions.describe('Hello')).revision).toBe(2);
    expect((await platform.batch!.resources.definitions.list({ name: 'Bye', status: 'ACTIVE' }))).toEqual([]);
    expect((await platform.functions!.invoke('Double', 2)) as { payload: unknown }).toMatchObject({ payload: 6 });
    expect((await platform.stateMachines.describe('Main')).revision).toBe(2);
    expect((await platform.notifications!.listSubscriptions({ topic: 'Done' })).items.map((s) => s.endpoint)).toEqual(['b@example.com']);
    // The execution started before the update keeps revision 1.
    expect((await platform.executions.describe(execution.id)).revision).toBe(1);
    expect(changes((await stacks.plan(next)).items)).toEqual([]);
  });

  it('makes again what was deleted behind its back, and serialises applies that race', async () => {
    await platform.stateMachines.delete('Main');
    await platform.notifications!.deleteTopic('Done');
    const next = stackOf({
      jobDefinitions: { Hello: { command: 'echo hello again', attempts: 2 } },
      functions: { Double: { code: 'export const handler = async (n) => n * 3;\n' } },
      stateMachines: { Main: { definition: machine('two') } },
      topics: { Done: { subscriptions: [{ protocol: 'email', endpoint: 'b@example.com' }] } },
    });
    expect(changes((await stacks.plan(next)).items)).toEqual(['create topic Done', 'create state-machine Main']);
    const [a, b] = await Promise.all([stacks.apply(next), stacks.apply(next)]);
    expect([...changes(a.items), ...changes(b.items)]).toEqual(['create topic Done', 'create state-machine Main']);
    expect([...a.failed, ...b.failed]).toEqual([]);
    expect((await platform.notifications!.listSubscriptions({ topic: 'Done' })).items.map((s) => s.endpoint)).toEqual(['b@example.com']);
  });

  it('refuses a resource that another stack manages, naming that stack, and changes nothing', async () => {
    const other = { name: 'other', jobDefinitions: { Fresh: { command: 'true' }, Hello: { command: 'echo mine' } } };
    await expect(stacks.apply(other)).rejects.toThrow(/job-definition Hello: already managed by stack "app"/);
    await expect(platform.batch!.resources.definitions.describe('Fresh')).rejects.toThrow(/does not exist/);
    // Side by side, with names of their own, both are fine.
    const alone = await stacks.apply({ name: 'other', jobDefinitions: { Fresh: { command: 'true' } } });
    expect(changes(alone.items)).toEqual(['create job-definition Fresh']);
    expect((await stacks.list()).map((s) => s.stack)).toEqual(['app', 'other']);
  });

  it('reports every problem of an invalid stack and changes nothing', async () => {
    const bad = stackOf({ jobDefinitions: { Hello: {} }, functions: { Double: { code: '' } }, buckets: { BAD: null }, topics: { Done: { subscriptions: [{ protocol: 'pigeon', endpoint: 'x' }] } }, extra: 1 });
    const error = await stacks.apply(bad).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(StackValidationError);
    expect((error as StackValidationError).problems).toHaveLength(5);
    expect((await platform.stateMachines.describe('Main')).definition).toEqual(machine('two'));
  });

  it('destroy keeps a bucket that has objects unless forced, and removes the rest', async () => {
    await platform.storage!.putObject({ bucket: 'inbox', key: 'keep/me', body: Readable.from([Buffer.from('x')]) });
    const kept = await stacks.destroy('app');
    expect(kept.failed).toEqual([{ kind: 'bucket', name: 'inbox', error: expect.stringMatching(/bucket "inbox" is not empty/) }]);
    await expect(platform.stateMachines.describe('Main')).rejects.toThrow(/does not exist/);
    await expect(platform.forms!.describe('Start')).rejects.toThrow(/does not exist/);
    expect((await stacks.describe('app')).resources).toEqual([{ kind: 'bucket', name: 'inbox' }]);
    const forced = await stacks.destroy('app', { force: true });
    expect(forced.failed).toEqual([]);
    expect((await platform.storage!.listBuckets()).map((b) => b.name)).not.toContain('inbox');
    expect((await stacks.describe('app')).resources).toEqual([]);
    expect((await stacks.list()).map((s) => s.stack)).toEqual(['other']);
  });
});
