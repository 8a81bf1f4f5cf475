/*
 * The durable platform against each backend: revisions, idempotent starts, timers and tasks
 * that survive a restart, stop, redrive, timeouts, MaxConcurrency, history pagination.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/asl/interpreter/protocol.js';
import type { Json } from '../../src/asl/types.js';
import { openPlatform, type OpenPlatform, type PlatformOptions } from '../../src/engine/platform.js';
import { TaskFailure, type TaskRegistry } from '../../src/engine/task-registry.js';
import type { ExecutionInfo } from '../../src/engine/types.js';
import { backends, until, type BackendHandle } from '../support/backends.js';

const waitMapParallel = {
  StartAt: 'Hold',
  States: {
    Hold: { Type: 'Wait', Seconds: 1, Next: 'Both' },
    Both: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 2, ItemProcessor: { StartAt: 'Double', States: { Double: { Type: 'Task', Resource: 'double', End: true } } }, End: true } } },
        { StartAt: 'Pause', States: { Pause: { Type: 'Wait', Seconds: 1, Next: 'Tag' }, Tag: { Type: 'Pass', Result: 'tagged', End: true } } },
      ],
      End: true,
    },
  },
};

/** Every state entered once: no Entered event twice for one (iteration, state). */
function enteredTwice(events: HistoryEvent[]): string[] {
  const ids = new Set<number>();
  const dupes: string[] = [];
  for (const e of events) {
    if (ids.has(e.id)) dupes.push(`event id ${e.id} repeated`);
    ids.add(e.id);
  }
  const sorted = [...ids].sort((a, b) => a - b);
  sorted.forEach((id, i) => {
    if (id !== i + 1) dupes.push(`gap before event ${id}`);
  });
  return dupes;
}

describe.each(backends)('platform on $name', (backend) => {
  let handle: BackendHandle | undefined;
  const open: OpenPlatform[] = [];

  async function start(options: Partial<PlatformOptions> = {}, registry?: TaskRegistry): Promise<OpenPlatform> {
    handle ??= await backend.create();
    const platform = await openPlatform({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl, pollMs: 50, leaseMs: 900, ...options, ...(registry ? { registry } : {}) });
    open.push(platform);
    return platform;
  }

  async function close(platform: OpenPlatform): Promise<void> {
    open.splice(open.indexOf(platform), 1);
    await platform.close();
  }

  afterEach(async () => {
    for (const p of open.splice(0)) await p.close();
    await handle?.cleanup();
    handle = undefined;
  });

  const done = (p: OpenPlatform, id: string) =>
    until(async () => {
      const e = await p.executions.describe(id);
      return e.status === 'RUNNING' ? undefined : e;
    });

  const double: TaskRegistry = (r) => (r === 'double' ? async (i) => (i as number) * 2 : undefined);

  it('runs Wait, Map and Parallel with tasks to the right output and a history without repeats', async () => {
    const p = await start({}, double);
    await p.stateMachines.create({ name: 'wmp', definition: waitMapParallel });
    const { execution } = await p.executions.start({ stateMachine: 'wmp', input: { items: [1, 2, 3] } });
    const final = await done(p, execution.id);
    expect(final.status).toBe('SUCCEEDED');
    expect(final.output).toEqual([[2, 4, 6], 'tagged']);
    const history = (await p.executions.history(execution.id)).items;
    expect(enteredTwice(history)).toEqual([]);
    expect(history.filter((e) => e.type === 'TaskScheduled')).toHaveLength(3);
    expect(history.at(-1)?.type).toBe('ExecutionSucceeded');
  });

  it('keeps each execution on the revision it started with', async () => {
    const p = await start();
    await p.stateMachines.create({ name: 'rev', definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'R' }, R: { Type: 'Pass', Result: 'one', End: true } } } });
    const first = await p.executions.start({ stateMachine: 'rev' });
    const updated = await p.stateMachines.update('rev', { definition: { StartAt: 'R', States: { R: { Type: 'Pass', Result: 'two', End: true } } } });
    expect(updated.revision).toBe(2);
    const second = await p.executions.start({ stateMachine: 'rev' });
    expect((await done(p, first.execution.id)).output).toBe('one');
    expect((await done(p, second.execution.id)).output).toBe('two');
    expect((await p.stateMachines.revisions('rev')).map((r) => r.revision)).toEqual([1, 2]);
    expect((await p.stateMachines.describe('rev', 1)).definition.StartAt).toBe('W');
  });

  it('returns the first execution for a repeated name, even when the starts race', async () => {
    const p = await start();
    await p.stateMachines.create({ name: 'idem', definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 30, End: true } } } });
    const results = await Promise.all(Array.from({ length: 8 }, () => p.executions.start({ stateMachine: 'idem', name: 'once', input: { n: 1 } })));
    expect(new Set(results.map((r) => r.execution.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await p.executions.list({ stateMachine: 'idem' })).items).toHaveLength(1);
  });

  it('fires a stored timer after a restart', async () => {
    const p = await start();
    await p.stateMachines.create({ name: 'timer', definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 2, Next: 'E' }, E: { Type: 'Pass', Result: 'woke', End: true } } } });
    const { execution } = await p.executions.start({ stateMachine: 'timer' });
    await until(async () => (await p.executions.history(execution.id)).items.some((e) => e.type === 'WaitStateEntered'));
    await close(p);
    const again = await start();
    const final = await done(again, execution.id);
    expect(final.output).toBe('woke');
    expect(enteredTwice((await again.executions.history(execution.id)).items)).toEqual([]);
  });

  it('runs again a task whose server stopped while it ran', async () => {
    let calls = 0;
    let release: () => void = () => {};
    const hanging: TaskRegistry = () => async () => {
      calls++;
      await new Promise<void>((resolve) => (release = resolve));
      return 'late';
    };
    const p = await start({}, hanging);
    await p.stateMachines.create({ name: 'task', definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'slow', End: true } } } });
    const { execution } = await p.executions.start({ stateMachine: 'task' });
    await until(async () => calls === 1);
    await close(p);
    release();
    const again = await start({}, () => async () => 'redelivered');
    const final = await done(again, execution.id);
    expect(final.output).toBe('redelivered');
  });

  it('stops an execution: ABORTED, and its timers never fire', async () => {
    const p = await start();
    await p.stateMachines.create({ name: 'stop', definition: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, End: true } } } });
    const { execution } = await p.executions.start({ stateMachine: 'stop' });
    await until(async () => (await p.executions.history(execution.id)).items.length > 1);
    const stopped = await p.executions.stop(execution.id, { error: 'Operator', cause: 'enough' });
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'enough' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await p.executions.describe(execution.id);
    expect(after.status).toBe('ABORTED');
    const types = (await p.executions.history(execution.id)).items.map((e) => e.type);
    expect(types).not.toContain('WaitStateExited');
    await expect(p.executions.stop(execution.id)).rejects.toMatchObject({ code: 'Conflict' });
  });

  it('redrives a failed execution from the failed state', async () => {
    let fail = true;
    const flaky: TaskRegistry = () => async () => {
      if (fail) throw new TaskFailure('Boom', 'first time');
      return 'fixed';
    };
    const p = await start({}, flaky);
    await p.stateMachines.create({ name: 'redrive', definition: { StartAt: 'A', States: { A: { Type: 'Pass', Result: 1, ResultPath: '$.a', Next: 'T' }, T: { Type: 'Task', Resource: 'x', ResultPath: '$.t', End: true } } } });
    const { execution } = await p.executions.start({ stateMachine: 'redrive', input: { n: 1 } });
    expect(await done(p, execution.id)).toMatchObject({ status: 'FAILED', error: 'Boom', cause: 'first time' });
    fail = false;
    const redriven = await p.executions.redrive(execution.id);
    expect(redriven.status).toBe('RUNNING');
    const final = await done(p, execution.id);
    expect(final).toMatchObject({ status: 'SUCCEEDED', output: { n: 1, a: 1, t: 'fixed' }, redriveCount: 1 });
    const types = (await p.executions.history(execution.id)).items.map((e) => e.type);
    expect(types.filter((t) => t === 'PassStateEntered')).toHaveLength(1);
    expect(types).toContain('ExecutionRedriven');
    await expect(p.executions.redrive(execution.id)).rejects.toMatchObject({ code: 'Conflict' });
  });

  it('times out an execution after its TimeoutSeconds', async () => {
    const p = await start();
    await p.stateMachines.create({ name: 'slow', definition: { TimeoutSeconds: 1, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } } });
    const { execution } = await p.executions.start({ stateMachine: 'slow' });
    expect(await done(p, execution.id)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  });

  it('never runs more Map iterations at once than MaxConcurrency', async () => {
    let running = 0;
    let peak = 0;
    const counted: TaskRegistry = () => async (input) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 30));
      running--;
      return input;
    };
    const p = await start({}, counted);
    await p.stateMachines.create({ name: 'mc', definition: { StartAt: 'M', States: { M: { Type: 'Map', MaxConcurrency: 3, ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'x', End: true } } }, End: true } } } });
    const items = Array.from({ length: 12 }, (_, i) => i);
    const { execution } = await p.executions.start({ stateMachine: 'mc', input: items });
    expect((await done(p, execution.id)).output).toEqual(items);
    expect(peak).toBe(3);
  });

  it('pages through history and executions', async () => {
    const p = await start();
    const states: Record<string, Json> = {};
    for (let i = 0; i < 30; i++) states[`S${i}`] = i < 29 ? { Type: 'Pass', Next: `S${i + 1}` } : { Type: 'Pass', End: true };
    await p.stateMachines.create({ name: 'long', definition: { StartAt: 'S0', States: states } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await p.executions.start({ stateMachine: 'long' })).execution.id);
    for (const id of ids) await done(p, id);
    const all: HistoryEvent[] = [];
    let token: string | undefined;
    do {
      const page = await p.executions.history(ids[0] as string, { limit: 7, ...(token ? { nextToken: token } : {}) });
      all.push(...page.items);
      token = page.nextToken;
    } while (token);
    expect(all.map((e) => e.id)).toEqual(Array.from({ length: 62 }, (_, i) => i + 1));
    const reversed = await p.executions.history(ids[0] as string, { limit: 3, reverse: true });
    expect(reversed.items.map((e) => e.id)).toEqual([62, 61, 60]);
    const seen: ExecutionInfo['id'][] = [];
    token = undefined;
    do {
      const page = await p.executions.list({ stateMachine: 'long', limit: 2, ...(token ? { nextToken: token } : {}) });
      seen.push(...page.items.map((e) => e.id));
      token = page.nextToken;
    } while (token);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it.runIf(backend.name === 'sqlite')('lets one server at a time use a SQLite data directory', async () => {
    const p = await start();
    await expect(openPlatform({ dataDir: handle!.dataDir })).rejects.toThrow(/another Skybatch server/);
    await close(p);
    const again = await start();
    expect((await again.health()).store).toBe('sqlite');
  });

  it('rejects bad requests with user-facing errors', async () => {
    const p = await start();
    await expect(p.stateMachines.create({ name: 'bad name!', definition: {} })).rejects.toMatchObject({ code: 'BadRequest' });
    await expect(p.stateMachines.create({ name: 'x', definition: { StartAt: 'Nope', States: { A: { Type: 'Pass', End: true } } } })).rejects.toMatchObject({
      code: 'InvalidDefinition',
      problems: expect.arrayContaining([expect.stringContaining('StartAt')]),
    });
    await expect(p.stateMachines.create({ name: 'y', definition: 'StartAt: [' })).rejects.toMatchObject({ code: 'InvalidDefinition' });
    await p.stateMachines.create({ name: 'ok', definition: { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } } });
    await expect(p.stateMachines.create({ name: 'ok', definition: { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } } })).rejects.toMatchObject({ code: 'Conflict' });
    await expect(p.executions.start({ stateMachine: 'missing' })).rejects.toMatchObject({ code: 'NotFound' });
    await expect(p.executions.start({ stateMachine: 'ok', input: { big: 'x'.repeat(300 * 1024) } })).rejects.toMatchObject({ code: 'PayloadTooLarge' });
    await expect(p.executions.describe('nope')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(p.executions.history('nope')).rejects.toMatchObject({ code: 'NotFound' });
  });
});
