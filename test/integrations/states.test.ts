/*
 * arn:aws:states:::states:startExecution[.sync[:2]]: child workflows through the platform's
 * own registry, with the output shapes of Step Functions and idempotent re-delivery.
 */
import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/asl/types.js';
import type { OpenPlatform } from '../../src/engine/platform.js';
import { childName, statesIntegration } from '../../src/integrations/states.js';
import { backends, until } from '../support/backends.js';
import { finished, harness } from './helpers.js';

const START = 'arn:aws:states:::states:startExecution';
const ARN = 'arn:aws:states:local:000000000000';

const child = { StartAt: 'Greet', States: { Greet: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('hello {}', $.who)" }, End: true } } };
const slowChild = { StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 1, Next: 'Done' }, Done: { Type: 'Pass', Result: 'rested', End: true } } };
const failingChild = { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Child.Broke', Cause: 'on purpose' } } };

/** A parent whose one task runs `resource`; a Catch (replaceable through `extra`) leads to Caught. */
function parent(resource: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}): object {
  return {
    StartAt: 'T',
    States: {
      T: { Type: 'Task', Resource: resource, Parameters: params, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], Next: 'Done', ...extra },
      Done: { Type: 'Pass', End: true },
      Caught: { Type: 'Pass', End: true },
    },
  };
}

async function run(p: OpenPlatform, definition: object, input: Json = {}, timeoutMs?: number) {
  const name = `parent${Math.random().toString(36).slice(2, 8)}`;
  await p.stateMachines.create({ name, definition });
  const { execution } = await p.executions.start({ stateMachine: name, input });
  return finished(p, execution.id, timeoutMs);
}

describe.each(backends)('startExecution on $name', (backend) => {
  const h = harness(backend);

  async function platform(): Promise<OpenPlatform> {
    const p = await h.open();
    await p.stateMachines.create({ name: 'child', definition: child });
    await p.stateMachines.create({ name: 'failing', definition: failingChild });
    return p;
  }

  it('starts a child and goes on at once with its ARN and start date', async () => {
    const p = await platform();
    const done = await run(p, parent(START, { StateMachineArn: `${ARN}:stateMachine:child`, Input: { who: 'ada' }, Name: 'kid' }));
    expect(done.status).toBe('SUCCEEDED');
    const out = done.output as { ExecutionArn: string; StartDate: number };
    expect(Object.keys(out).sort()).toEqual(['ExecutionArn', 'StartDate']);
    expect(out.ExecutionArn).toBe(`${ARN}:execution:child:kid`);
    expect(typeof out.StartDate).toBe('number');
    const kid = await finished(p, out.ExecutionArn);
    expect(kid.output).toEqual({ greeting: 'hello ada' });
  });

  it('.sync waits for the child and returns DescribeExecution with JSON text', async () => {
    const p = await platform();
    const done = await run(p, parent(`${START}.sync`, { StateMachineArn: 'child', Input: '{"who":"bob"}', Name: 'synced' }));
    const kid = await p.executions.describe(`${ARN}:execution:child:synced`);
    expect(done.output).toEqual({
      ExecutionArn: `${ARN}:execution:child:synced`,
      Input: '{"who":"bob"}',
      InputDetails: { Included: true },
      Name: 'synced',
      Output: '{"greeting":"hello bob"}',
      OutputDetails: { Included: true },
      StartDate: Date.parse(kid.startDate),
      StateMachineArn: `${ARN}:stateMachine:child`,
      Status: 'SUCCEEDED',
      StopDate: Date.parse(kid.stopDate ?? ''),
    });
  });

  it('.sync:2 returns input and output as JSON values', async () => {
    const p = await platform();
    const done = await run(p, parent(`${START}.sync:2`, { StateMachineArn: 'child', 'Input.$': '$' }), { who: 'cy' });
    expect(done.output).toMatchObject({ Input: { who: 'cy' }, Output: { greeting: 'hello cy' }, Status: 'SUCCEEDED' });
  });

  it('turns a failed child into States.TaskFailed with the child described in the cause', async () => {
    const p = await platform();
    const definition = parent(`${START}.sync`, { StateMachineArn: 'failing' }, { Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Caught' }] });
    const done = await run(p, definition, { keep: 1 });
    const error = (done.output as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('States.TaskFailed');
    expect(JSON.parse(error.Cause)).toMatchObject({ Status: 'FAILED', Error: 'Child.Broke', Cause: 'on purpose', Input: '{}', InputDetails: { Included: true } });
  });

  it('fails with the Step Functions error of a missing state machine or a bad Input', async () => {
    const p = await platform();
    const catchAll = { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }] };
    const missing = await run(p, parent(`${START}.sync`, { StateMachineArn: 'nope' }, catchAll));
    expect(missing.output).toMatchObject({ error: { Error: 'StepFunctions.StateMachineDoesNotExistException' } });
    const badInput = await run(p, parent(START, { StateMachineArn: 'child', Input: '{oops' }, catchAll));
    expect(badInput.output).toMatchObject({ error: { Error: 'StepFunctions.InvalidExecutionInputException' } });
    const badName = await run(p, parent(START, { StateMachineArn: 'child', Name: 'no spaces' }, catchAll));
    expect(badName.output).toMatchObject({ error: { Error: 'StepFunctions.InvalidNameException' } });
  });
});

describe.each(backends.filter((b) => b.name === 'sqlite'))('startExecution delivery on $name', (backend) => {
  const h = harness(backend);

  it('names the child after the task, so a second delivery finds the first child', async () => {
    const p = await h.open();
    await p.stateMachines.create({ name: 'child', definition: child });
    const handler = statesIntegration({ executions: p.executions, watch: p.executionWatch })(START);
    const invocation = { resource: START, stateName: 'T', taskToken: 'tok', taskId: 'b0b5e5a4-1111-4222-8333-444455556666/t7', signal: new AbortController().signal, heartbeat: () => {} };
    const a = await handler?.({ StateMachineArn: 'child', Input: { who: 'x' } }, invocation);
    const b = await handler?.({ StateMachineArn: 'child', Input: { who: 'x' } }, invocation);
    expect(a).toEqual(b);
    expect((a as { ExecutionArn: string }).ExecutionArn).toBe(`${ARN}:execution:child:b0b5e5a4-1111-4222-8333-444455556666-t7`);
    expect((await p.executions.list({ stateMachine: 'child' })).items).toHaveLength(1);
  });

  it('keeps names within 80 characters of [A-Za-z0-9_-], distinct for distinct long ids', () => {
    const long = `${'x'.repeat(100)}/t1`;
    expect(childName(long)).toMatch(/^[A-Za-z0-9_-]{80}$/);
    expect(childName(long)).not.toBe(childName(`${'x'.repeat(100)}/t2`));
  });

  it('re-delivered after a restart, a .sync task waits on the same child', async () => {
    const first = await h.open();
    await first.stateMachines.create({ name: 'slow', definition: slowChild });
    await first.stateMachines.create({ name: 'parent', definition: parent(`${START}.sync:2`, { StateMachineArn: 'slow' }) });
    const { execution } = await first.executions.start({ stateMachine: 'parent' });
    await until(async () => (await first.executions.list({ stateMachine: 'slow' })).items.length === 1);
    await h.close(first);

    const again = await h.open();
    const done = await finished(again, execution.id);
    expect(done.output).toMatchObject({ Status: 'SUCCEEDED', Output: 'rested' });
    expect((await again.executions.list({ stateMachine: 'slow' })).items).toHaveLength(1);
  });

  it('stops waiting when the task is cancelled', async () => {
    const p = await h.open();
    await p.stateMachines.create({ name: 'long', definition: { ...slowChild, States: { ...slowChild.States, Nap: { Type: 'Wait', Seconds: 5, Next: 'Done' } } } });
    const definition = parent(`${START}.sync`, { StateMachineArn: 'long' }, { TimeoutSeconds: 1, Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Caught' }] });
    const done = await run(p, definition);
    expect(done.output).toMatchObject({ error: { Error: 'States.Timeout' } });
    await until(async () => p.executionWatch.watched === 0);
  });
});
