/*
 * No execution can stop the others: a runaway loop ends at the history limit while others
 * run; an execution the interpreter cannot step, or whose writes the database refuses, ends
 * on its own; a stop stops even that. Each case with 100 (or 20) other executions started
 * at the same time, which must all finish.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/asl/interpreter/protocol.js';
import { openPlatform, type OpenPlatform, type PlatformOptions } from '../../src/engine/platform.js';
import type { TaskRegistry } from '../../src/engine/task-registry.js';
import type { ExecutionInfo } from '../../src/engine/types.js';
import { BadRequestError } from '../../src/errors.js';
import { backends, until, type BackendHandle } from '../support/backends.js';
import { growing, nested, quick, runaway, wrapper } from './fixtures/unruly-machines.js';

const napping = { StartAt: 'N', States: { N: { Type: 'Wait', Seconds: 3600, End: true } } };

async function allHistory(p: OpenPlatform, id: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await p.executions.history(id, { limit: 1000, ...(nextToken ? { nextToken } : {}) });
    events.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

describe.each(backends)('execution isolation on $name', (backend) => {
  let handle: BackendHandle | undefined;
  const open: OpenPlatform[] = [];

  async function start(options: Partial<PlatformOptions> = {}): Promise<OpenPlatform> {
    handle ??= await backend.create();
    const platform = await openPlatform({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl, pollMs: 50, leaseMs: 900, ...options });
    open.push(platform);
    return platform;
  }

  afterEach(async () => {
    for (const p of open.splice(0)) await p.close();
    await handle?.cleanup();
    handle = undefined;
  });

  const done = (p: OpenPlatform, id: string, timeoutMs = 60_000) =>
    until(async () => {
      const e = await p.executions.describe(id);
      return e.status === 'RUNNING' ? undefined : e;
    }, timeoutMs);

  async function startOthers(p: OpenPlatform, n: number): Promise<string[]> {
    await p.stateMachines.create({ name: 'quick', definition: quick });
    const started = await Promise.all(Array.from({ length: n }, () => p.executions.start({ stateMachine: 'quick' })));
    return started.map((s) => s.execution.id);
  }

  async function expectAllSucceeded(p: OpenPlatform, ids: string[]): Promise<ExecutionInfo[]> {
    const ended = await Promise.all(ids.map((id) => done(p, id)));
    expect(ended.map((e) => e.status)).toEqual(ids.map(() => 'SUCCEEDED'));
    return ended;
  }

  it('fails a looping execution at 25,000 history events with States.Runtime', async () => {
    const p = await start();
    await p.stateMachines.create({ name: 'runaway', definition: runaway });
    const loop = await p.executions.start({ stateMachine: 'runaway', input: {} });
    const final = await done(p, loop.execution.id);
    expect(final.status).toBe('FAILED');
    expect(final.error).toBe('States.Runtime');
    expect(final.cause).toContain('maximum number of history events (25000)');
    const history = await allHistory(p, loop.execution.id);
    // The limit holds to within one state's events (Pass: entered and exited).
    expect(history.length).toBeGreaterThanOrEqual(24_990);
    expect(history.length).toBeLessThanOrEqual(25_002);
    expect(history.at(-1)?.type).toBe('ExecutionFailed');
    expect(history.map((e) => e.id)).toEqual(history.map((_, i) => i + 1));
  });

  it('runs 100 executions to their end while a looping one runs, and stops the loop on request', async () => {
    const p = await start({ engine: { maxHistoryEvents: 5_000_000 } });
    await p.stateMachines.create({ name: 'runaway', definition: runaway });
    const loop = await p.executions.start({ stateMachine: 'runaway', input: {} });
    await until(async () => (await p.executions.history(loop.execution.id, { limit: 2000 })).items.length >= 2000);
    const others = await startOthers(p, 100);
    await expectAllSucceeded(p, others);
    expect((await p.executions.describe(loop.execution.id)).status).toBe('RUNNING');
    const stopped = await p.executions.stop(loop.execution.id, { error: 'Enough', cause: 'looping' });
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Enough' });
  });

  it('takes its history limit from the options and from SKYBATCH_MAX_HISTORY_EVENTS', async () => {
    const p = await start({ engine: { maxHistoryEvents: 200 } });
    await p.stateMachines.create({ name: 'runaway', definition: runaway });
    const loop = await p.executions.start({ stateMachine: 'runaway', input: {} });
    const final = await done(p, loop.execution.id);
    expect(final.cause).toContain('(200)');
    expect((await allHistory(p, loop.execution.id)).length).toBeLessThanOrEqual(202);
    const { maxHistoryEventsFromEnv } = await import('../../src/engine/platform.js');
    expect(maxHistoryEventsFromEnv({ SKYBATCH_MAX_HISTORY_EVENTS: '1000' })).toBe(1000);
    expect(maxHistoryEventsFromEnv({})).toBeUndefined();
    for (const bad of ['many', '5', '1.5', '-1']) expect(() => maxHistoryEventsFromEnv({ SKYBATCH_MAX_HISTORY_EVENTS: bad })).toThrow(/SKYBATCH_MAX_HISTORY_EVENTS/);
  });

  it('keeps a long loop that does end: it yields between batches and succeeds', async () => {
    const p = await start({ engine: { stepBudget: { transitions: 50 } } });
    const counting = {
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Result: 0, ResultPath: '$.n', Next: 'Inc' },
        Inc: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Check' },
        Check: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThanEquals: 400, Next: 'Done' }], Default: 'Inc' },
        Done: { Type: 'Succeed' },
      },
    };
    await p.stateMachines.create({ name: 'counting', definition: counting });
    const { execution } = await p.executions.start({ stateMachine: 'counting', input: {} });
    const final = await done(p, execution.id);
    expect(final.status).toBe('SUCCEEDED');
    expect(final.output).toEqual({ n: 400 });
    const history = await allHistory(p, execution.id);
    expect(history.filter((e) => e.type === 'PassStateEntered')).toHaveLength(401);
    // Yielding leaves no trace in the history but more than one stored step.
    const batches = await p.store.db.selectFrom('history').select('first_event_id').where('execution_id', '=', execution.id).execute();
    expect(batches.length).toBeGreaterThan(10);
  });

  it('launches a large Map a budget at a time, with every result in order', async () => {
    const p = await start({ engine: { stepBudget: { transitions: 200 } } });
    const doubling = { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { StartAt: 'D', States: { D: { Type: 'Pass', Parameters: { 'v.$': 'States.MathAdd($, $)' }, OutputPath: '$.v', End: true } } }, End: true } } };
    await p.stateMachines.create({ name: 'doubling', definition: doubling });
    const items = Array.from({ length: 3000 }, (_, i) => i);
    const { execution } = await p.executions.start({ stateMachine: 'doubling', input: items });
    let largest = 0;
    const final = await until(async () => {
      const row = await p.store.db.selectFrom('executions').select(['state', 'status']).where('id', '=', execution.id).executeTakeFirstOrThrow();
      if (row.state !== '') largest = Math.max(largest, Object.keys((JSON.parse(row.state) as { frames: object }).frames).length);
      return row.status === 'RUNNING' ? undefined : p.executions.describe(execution.id);
    }, 60_000, 5);
    expect(final.status).toBe('SUCCEEDED');
    expect(final.output).toEqual(items.map((i) => 2 * i));
    // Stored between batches: the Map and no more iterations than a budget lets run.
    expect(largest).toBeLessThanOrEqual(202);
    const history = await allHistory(p, execution.id);
    expect(history.filter((e) => e.type === 'MapIterationStarted')).toHaveLength(3000);
    expect(history.filter((e) => e.type === 'PassStateEntered')).toHaveLength(3000);
  });

  it('resumes a parked execution after a restart', async () => {
    const first = await start({ engine: { stepBudget: { transitions: 20 } } });
    await first.stateMachines.create({ name: 'runaway', definition: runaway });
    const loop = await first.executions.start({ stateMachine: 'runaway', input: {} });
    await until(async () => (await allHistory(first, loop.execution.id)).length > 100);
    await first.close();
    open.splice(open.indexOf(first), 1);
    const second = await start({ engine: { maxHistoryEvents: 2000 } });
    const final = await done(second, loop.execution.id);
    expect(final.cause).toContain('(2000)');
    const history = await allHistory(second, loop.execution.id);
    expect(history.map((e) => e.id)).toEqual(history.map((_, i) => i + 1));
  });

  it('refuses an input nested deeper than 500 levels, and fails a machine whose outputs grow past it', async () => {
    const p = await start();
    await p.stateMachines.create({ name: 'wrapper', definition: wrapper });
    await expect(p.executions.start({ stateMachine: 'wrapper', input: nested(4000) as never })).rejects.toThrow(BadRequestError);
    await expect(p.executions.start({ stateMachine: 'wrapper', input: nested(501) as never })).rejects.toThrow(/deeper than 500 levels/);
    const fine = await p.executions.start({ stateMachine: 'wrapper', input: nested(400) as never });
    expect((await done(p, fine.execution.id)).status).toBe('SUCCEEDED');
    await p.stateMachines.create({ name: 'growing', definition: growing });
    const grows = await p.executions.start({ stateMachine: 'growing', input: {} });
    const final = await done(p, grows.execution.id);
    expect(final.status).toBe('FAILED');
    expect(final.error).toBe('States.Runtime');
    expect(final.cause).toMatch(/nests deeper than 500 levels/);
  });

  // An older version, or another tool, may have stored what this one refuses.
  it.each([
    ['4,000', 4000],
    ['100,000', 100_000],
  ])('fails an execution stored with an input of %s nested arrays, and 20 others finish', async (_label, levels) => {
    const setup = await start({ run: false });
    await setup.stateMachines.create({ name: 'wrapper', definition: wrapper });
    const poisoned = await setup.executions.start({ stateMachine: 'wrapper', input: {} });
    const others = await startOthers(setup, 20);
    const row = await setup.store.db.selectFrom('inbox').select(['id', 'event']).where('execution_id', '=', poisoned.execution.id).executeTakeFirstOrThrow();
    const event = JSON.parse(row.event) as { input: unknown };
    const text = JSON.stringify({ ...event, input: '\u0000' }).replace('"\\u0000"', '['.repeat(levels) + ']'.repeat(levels));
    await setup.store.db.updateTable('inbox').set({ event: text }).where('id', '=', row.id).execute();
    await setup.close();
    open.splice(open.indexOf(setup), 1);

    const p = await start();
    const final = await done(p, poisoned.execution.id);
    expect(final.status).toBe('FAILED');
    expect(final.error).toBe('States.Runtime');
    expect(final.cause).toMatch(/deeper than 500 levels|Maximum call stack size exceeded/);
    await expectAllSucceeded(p, others);
    // Nothing of it is left to step.
    expect(await p.store.db.selectFrom('inbox').select('id').where('execution_id', '=', poisoned.execution.id).execute()).toEqual([]);
  });

  it('stops, or fails when its timer fires, an execution whose stored state cannot be read', async () => {
    const p = await start();
    await p.stateMachines.create({ name: 'napping', definition: napping });
    const a = await p.executions.start({ stateMachine: 'napping' });
    const b = await p.executions.start({ stateMachine: 'napping' });
    for (const id of [a.execution.id, b.execution.id]) {
      await until(async () => (await p.executions.history(id)).items.some((e) => e.type === 'WaitStateEntered'));
      await p.store.db.updateTable('executions').set({ state: '{"status":"RUNNING", truncated' }).where('id', '=', id).execute();
    }
    const stopped = await p.executions.stop(a.execution.id, { error: 'Operator', cause: 'broken row' });
    expect(stopped.status).toBe('ABORTED');
    expect(stopped.error).toBe('Operator');
    // B's timer is made due now: the step that fires it fails B alone.
    await p.store.db.updateTable('inbox').set({ available_at: Date.now() }).where('execution_id', '=', b.execution.id).execute();
    p.engine.wake();
    const failed = await done(p, b.execution.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('States.Runtime');
    expect(failed.cause).toMatch(/could not be stepped: SyntaxError/);
    const last = (await p.executions.history(b.execution.id, { reverse: true, limit: 1 })).items[0];
    expect(last?.type).toBe('ExecutionFailed');
  });

  it('ends an execution whose writes the database refuses twice, without holding up the batch it was in', async () => {
    const registry: TaskRegistry = (r) => (r === 'slow' ? () => new Promise((resolve) => setTimeout(() => resolve('late'), 1500)) : undefined);
    const p = await start({ registry });
    await p.stateMachines.create({ name: 'slow', definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'slow', End: true } } } });
    const victim = await p.executions.start({ stateMachine: 'slow' });
    await until(async () => (await p.executions.history(victim.execution.id)).items.some((e) => e.type === 'TaskScheduled'));
    // A history row in the way of its next step: every write of that step fails on the key.
    const { last_event_id } = await p.store.db.selectFrom('executions').select('last_event_id').where('id', '=', victim.execution.id).executeTakeFirstOrThrow();
    await p.store.db.insertInto('history').values({ execution_id: victim.execution.id, first_event_id: last_event_id + 1, last_event_id: last_event_id + 1, events: '[]' }).execute();
    const others = await startOthers(p, 20);
    const final = await done(p, victim.execution.id);
    expect(final.status).toBe('FAILED');
    expect(final.error).toBe('States.Runtime');
    expect(final.cause).toMatch(/could not be stepped/);
    await expectAllSucceeded(p, others);
  });

  it('fails a task whose output cannot be recorded (too deep, or not JSON) and goes on with the others', async () => {
    const registry: TaskRegistry = (r) => (r === 'deep' ? async () => nested(100_000) as never : r === 'bigint' ? async () => ({ n: 10n }) as never : undefined);
    const p = await start({ registry });
    // States.Runtime ends the execution: no Catch may take it, as on AWS.
    const machine = (resource: string) => ({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: resource, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true }, Caught: { Type: 'Pass', End: true } },
    });
    await p.stateMachines.create({ name: 'deep', definition: machine('deep') });
    await p.stateMachines.create({ name: 'bigint', definition: machine('bigint') });
    const deep = await p.executions.start({ stateMachine: 'deep' });
    const big = await p.executions.start({ stateMachine: 'bigint' });
    const others = await startOthers(p, 20);
    const deepEnd = await done(p, deep.execution.id);
    expect(deepEnd).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(deepEnd.cause).toMatch(/output cannot be recorded: it nests deeper than 500 levels/);
    const bigEnd = await done(p, big.execution.id);
    expect(bigEnd).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(bigEnd.cause).toMatch(/output cannot be recorded: it is not JSON \(.*BigInt/);
    await expectAllSucceeded(p, others);
    expect(await p.store.db.selectFrom('tasks').select('task_id').execute()).toEqual([]);
  });
});
