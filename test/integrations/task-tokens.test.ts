/*
 * `.waitForTaskToken` with SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat through the
 * platform service, on each backend: the base integration runs, the task then waits without
 * a lease (across a restart too) until its token is answered or its timers fire.
 */
import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/asl/types.js';
import type { OpenPlatform } from '../../src/engine/platform.js';
import { TaskFailure, type TaskRegistry } from '../../src/engine/task-registry.js';
import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../../src/errors.js';
import type { TaskTokenError } from '../../src/integrations/task-tokens.js';
import { backends, until } from '../support/backends.js';
import { finished, harness, taskRows } from './helpers.js';

/** A Task on `resource` that hands the token to its base, with a Catch recording the error. */
function callbackMachine(resource: string, extra: Record<string, unknown> = {}): object {
  return {
    StartAt: 'Ask',
    States: {
      Ask: {
        Type: 'Task',
        Resource: resource,
        Parameters: { 'token.$': '$$.Task.Token', 'who.$': '$.who' },
        ResultPath: '$.answer',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
        End: true,
        ...extra,
      },
      Caught: { Type: 'Pass', End: true },
    },
  };
}

/** A base integration `notify` that records the tokens it was given, as a mail or SNS would deliver them. */
function notifier() {
  const tokens: string[] = [];
  const registry: TaskRegistry = (resource) =>
    resource === 'notify'
      ? async (input) => {
          tokens.push((input as { token: string }).token);
          return 'sent';
        }
      : undefined;
  return { tokens, registry, token: () => until(async () => tokens[tokens.length - 1]) };
}

async function expectTokenError(work: Promise<unknown>, name: 'TaskTimedOut' | 'InvalidToken'): Promise<void> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NotFoundError);
  expect((err as TaskTokenError).details).toEqual({ error: name });
  expect((err as Error).message).toMatch(name === 'TaskTimedOut' ? /^Task Timed Out/ : /^Invalid Token/);
}

describe.each(backends)('waitForTaskToken on $name', (backend) => {
  const h = harness(backend);

  async function startWaiting(p: OpenPlatform, n: ReturnType<typeof notifier>, extra: Record<string, unknown> = {}) {
    await p.stateMachines.create({ name: 'cb', definition: callbackMachine('notify.waitForTaskToken', extra) });
    const { execution } = await p.executions.start({ stateMachine: 'cb', input: { who: 'ada' } });
    return { id: execution.id, token: await n.token() };
  }

  it('waits after the base ran, without a lease, and completes with the output sent', async () => {
    const n = notifier();
    const p = await h.open(n.registry);
    const { id, token } = await startWaiting(p, n);
    const rows = await until(async () => {
      const r = await taskRows(p, id);
      return r[0]?.status === 'WAITING' ? r : undefined;
    });
    expect(rows[0]).toMatchObject({ lease_owner: null, lease_expires: null, resource: 'notify.waitForTaskToken' });
    expect((await p.executions.describe(id)).status).toBe('RUNNING');

    await p.taskTokens.success(token, { approved: true });
    const done = await finished(p, id);
    expect(done.status).toBe('SUCCEEDED');
    // The callback's output, not the base's 'sent'.
    expect(done.output).toEqual({ who: 'ada', answer: { approved: true } });
    expect(await taskRows(p, id)).toEqual([]);
    await expectTokenError(p.taskTokens.success(token, {}), 'TaskTimedOut');
    await expectTokenError(p.taskTokens.heartbeat(token), 'TaskTimedOut');
  });

  it('fails the task with the error and cause sent, which a Catch sees', async () => {
    const n = notifier();
    const p = await h.open(n.registry);
    const { id, token } = await startWaiting(p, n);
    await p.taskTokens.failure(token, { error: 'Rejected', cause: 'not today' });
    const done = await finished(p, id);
    expect(done.output).toEqual({ who: 'ada', error: { Error: 'Rejected', Cause: 'not today' } });
    await expectTokenError(p.taskTokens.failure(token, { error: 'Again' }), 'TaskTimedOut');
  });

  it('stays alive on heartbeats and times out without them', async () => {
    const n = notifier();
    const p = await h.open(n.registry);
    const { id, token } = await startWaiting(p, n, { HeartbeatSeconds: 1 });
    for (let i = 0; i < 8; i++) {
      await p.taskTokens.heartbeat(token);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect((await p.executions.describe(id)).status).toBe('RUNNING');
    await p.taskTokens.success(token, 'ok');
    expect((await finished(p, id)).output).toEqual({ who: 'ada', answer: 'ok' });

    const { execution } = await p.executions.start({ stateMachine: 'cb', input: { who: 'bob' } });
    const silent = await until(async () => (n.tokens.length === 2 ? n.tokens[1] : undefined));
    const done = await finished(p, execution.id);
    expect(done.output).toMatchObject({ who: 'bob', error: { Error: 'States.HeartbeatTimeout' } });
    await expectTokenError(p.taskTokens.success(silent, 'late'), 'TaskTimedOut');
  });

  it('keeps waiting across a restart and takes the answer afterwards', async () => {
    const n = notifier();
    const first = await h.open(n.registry);
    const { id, token } = await startWaiting(first, n);
    await until(async () => (await taskRows(first, id))[0]?.status === 'WAITING');
    await h.close(first);

    const again = await h.open(n.registry);
    // Not dispatched again: the base ran once.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(n.tokens).toHaveLength(1);
    await again.taskTokens.success(token, 'after restart');
    expect((await finished(again, id)).output).toEqual({ who: 'ada', answer: 'after restart' });
  });

  it('refuses unknown, malformed and empty tokens', async () => {
    const p = await h.open();
    await expectTokenError(p.taskTokens.success('not-a-token', {}), 'InvalidToken');
    const forged = Buffer.from('arn:aws:states:local:000000000000:execution:none:none\nt1').toString('base64url');
    await expectTokenError(p.taskTokens.failure(forged), 'InvalidToken');
    await expectTokenError(p.taskTokens.heartbeat('x'.repeat(2000)), 'InvalidToken');
    await expect(p.taskTokens.success('', {})).rejects.toBeInstanceOf(BadRequestError);
  });

  it('takes exactly one of two answers sent at once', async () => {
    const n = notifier();
    const p = await h.open(n.registry);
    const { id, token } = await startWaiting(p, n);
    const results = await Promise.allSettled([p.taskTokens.success(token, 'one'), p.taskTokens.success(token, 'two')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const done = await finished(p, id);
    expect(['one', 'two']).toContain((done.output as { answer: Json }).answer);
  });

  it('refuses an output over 256 KiB and leaves the task waiting', async () => {
    const n = notifier();
    const p = await h.open(n.registry);
    const { id, token } = await startWaiting(p, n);
    await expect(p.taskTokens.success(token, 'x'.repeat(256 * 1024))).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(p.taskTokens.failure(token, { error: 'e'.repeat(257) })).rejects.toBeInstanceOf(BadRequestError);
    await p.taskTokens.success(token, 'small');
    expect((await finished(p, id)).output).toEqual({ who: 'ada', answer: 'small' });
  });
});

describe.each(backends.filter((b) => b.name === 'sqlite'))('waitForTaskToken edge cases on $name', (backend) => {
  const h = harness(backend);

  it('fails with the error of a base integration that fails', async () => {
    const registry: TaskRegistry = (r) => (r === 'notify' ? async () => Promise.reject(new TaskFailure('Mail.Bounced', 'no such mailbox')) : undefined);
    const p = await h.open(registry);
    await p.stateMachines.create({ name: 'cb', definition: callbackMachine('notify.waitForTaskToken') });
    const { execution } = await p.executions.start({ stateMachine: 'cb', input: { who: 'ada' } });
    expect((await finished(p, execution.id)).output).toEqual({ who: 'ada', error: { Error: 'Mail.Bounced', Cause: 'no such mailbox' } });
    expect(await taskRows(p, execution.id)).toEqual([]);
  });

  it('fails as before when the base resource has no integration', async () => {
    const p = await h.open();
    await p.stateMachines.create({ name: 'cb', definition: callbackMachine('nothing.waitForTaskToken') });
    const { execution } = await p.executions.start({ stateMachine: 'cb', input: { who: 'ada' } });
    expect((await finished(p, execution.id)).output).toEqual({ who: 'ada', error: { Error: 'States.TaskFailed', Cause: 'no integration can run resource "nothing"' } });
  });

  it('takes an answer that arrives before the base integration returned', async () => {
    const ref: { platform?: OpenPlatform } = {};
    const registry: TaskRegistry = (r) =>
      r === 'notify'
        ? async (input) => {
            await ref.platform?.taskTokens.success((input as { token: string }).token, 'fast');
            return 'sent';
          }
        : undefined;
    const p = await h.open(registry);
    ref.platform = p;
    await p.stateMachines.create({ name: 'cb', definition: callbackMachine('notify.waitForTaskToken') });
    const { execution } = await p.executions.start({ stateMachine: 'cb', input: { who: 'ada' } });
    expect((await finished(p, execution.id)).output).toEqual({ who: 'ada', answer: 'fast' });
    expect(await taskRows(p, execution.id)).toEqual([]);
  });

  it('does not let a token answer a task that does not wait for one', async () => {
    const seen: string[] = [];
    const registry: TaskRegistry = (r) =>
      r === 'slow'
        ? (_input, invocation) =>
            new Promise((resolve) => {
              seen.push(invocation.taskToken);
              setTimeout(() => resolve('done'), 800);
            })
        : undefined;
    const p = await h.open(registry);
    await p.stateMachines.create({ name: 'plain', definition: { StartAt: 'S', States: { S: { Type: 'Task', Resource: 'slow', End: true } } } });
    const { execution } = await p.executions.start({ stateMachine: 'plain' });
    const token = await until(async () => seen[0]);
    await expectTokenError(p.taskTokens.success(token, 'hijack'), 'InvalidToken');
    expect((await finished(p, execution.id)).output).toBe('done');
  });
});
