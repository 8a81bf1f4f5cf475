/*
 * The interpreter as a pure function: feed events, compare the commands that come back.
 */
import { describe, expect, it } from 'vitest';
import type { Command, InterpreterEvent } from '../../../src/asl/interpreter/protocol.js';
import type { ExecutionState } from '../../../src/asl/interpreter/state.js';
import { step } from '../../../src/asl/interpreter/step.js';
import type { Json, StateMachineDefinition } from '../../../src/asl/types.js';

const T0 = Date.UTC(2026, 0, 1);
const context = { executionId: 'exec-1', executionName: 'e1', stateMachineId: 'sm-1', stateMachineName: 'sm' };

function start(input: Json = {}): InterpreterEvent {
  return { type: 'StartExecution', input, context };
}

function only<T extends Command['type']>(commands: Command[], type: T): Extract<Command, { type: T }>[] {
  return commands.filter((c): c is Extract<Command, { type: T }> => c.type === type);
}

const taskMachine: StateMachineDefinition = {
  StartAt: 'Work',
  States: {
    Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'x.$': '$.x' }, ResultPath: '$.r', TimeoutSeconds: 30, HeartbeatSeconds: 10, Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};

describe('step', () => {
  it('schedules a task with its timers and finishes on TaskSucceeded', async () => {
    const first = await step(taskMachine, undefined, start({ x: 7 }), T0);
    const [run] = only(first.commands, 'RunTask');
    expect(run).toMatchObject({ resource: 'arn:aws:states:::lambda:invoke', input: { x: 7 }, timeoutSeconds: 30, heartbeatSeconds: 10 });
    expect(only(first.commands, 'StartTimer').map((t) => t.fireAt).sort()).toEqual([T0 + 10_000, T0 + 30_000]);
    expect(first.state.status).toBe('RUNNING');

    const second = await step(taskMachine, first.state, { type: 'TaskSucceeded', taskId: run!.taskId, output: 'ok' }, T0 + 1000);
    expect(only(second.commands, 'CancelTimer')).toHaveLength(2);
    expect(only(second.commands, 'ExecutionSucceeded')).toEqual([{ type: 'ExecutionSucceeded', output: { x: 7, r: 'ok' } }]);
    expect(second.events.map((e) => e.type)).toEqual(['TaskSucceeded', 'TaskStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
  });

  it('numbers history events and chains previousEventId', async () => {
    const first = await step(taskMachine, undefined, start({ x: 1 }), T0);
    expect(first.events.map((e) => [e.id, e.previousEventId, e.type])).toEqual([
      [1, 0, 'ExecutionStarted'],
      [2, 1, 'TaskStateEntered'],
      [3, 2, 'TaskScheduled'],
    ]);
    expect(first.events[1]).toMatchObject({ stateEnteredEventDetails: { name: 'Work', input: '{"x":1}' } });
    expect(first.events[2]).toMatchObject({ taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke' } });
  });

  it('restarts the heartbeat timer on TaskHeartbeat and times out without one', async () => {
    const first = await step(taskMachine, undefined, start({ x: 1 }), T0);
    const taskId = only(first.commands, 'RunTask')[0]!.taskId;
    const beat = await step(taskMachine, first.state, { type: 'TaskHeartbeat', taskId }, T0 + 5000);
    expect(only(beat.commands, 'StartTimer')).toEqual([{ type: 'StartTimer', timerId: `${taskId}:heartbeat`, fireAt: T0 + 15_000 }]);
    const timeout = await step(taskMachine, beat.state, { type: 'TimerFired', timerId: `${taskId}:heartbeat` }, T0 + 15_000);
    expect(only(timeout.commands, 'CancelTask')).toEqual([{ type: 'CancelTask', taskId }]);
    expect(only(timeout.commands, 'ExecutionFailed')[0]).toMatchObject({ error: 'States.HeartbeatTimeout' });
  });

  it('ignores answers for tasks it no longer waits on', async () => {
    const first = await step(taskMachine, undefined, start({ x: 1 }), T0);
    const late = await step(taskMachine, first.state, { type: 'TaskSucceeded', taskId: 'nope', output: 1 }, T0);
    expect(late.commands).toEqual([]);
    expect(late.events).toEqual([]);
  });

  it('StopExecution aborts and cancels what is outstanding', async () => {
    const first = await step(taskMachine, undefined, start({ x: 1 }), T0);
    const stopped = await step(taskMachine, first.state, { type: 'StopExecution', error: 'User', cause: 'stop' }, T0 + 1);
    expect(stopped.state.status).toBe('ABORTED');
    expect(only(stopped.commands, 'CancelTask')).toHaveLength(1);
    expect(only(stopped.commands, 'ExecutionAborted')).toEqual([{ type: 'ExecutionAborted', error: 'User', cause: 'stop' }]);
    const after = await step(taskMachine, stopped.state, { type: 'TimerFired', timerId: 'x' }, T0 + 2);
    expect(after.commands).toEqual([]);
  });

  it('times out the whole execution after TimeoutSeconds', async () => {
    const def: StateMachineDefinition = { ...taskMachine, TimeoutSeconds: 60 };
    const first = await step(def, undefined, start({ x: 1 }), T0);
    expect(only(first.commands, 'StartTimer').map((t) => t.timerId)).toContain('execution-timeout');
    const out = await step(def, first.state, { type: 'TimerFired', timerId: 'execution-timeout' }, T0 + 60_000);
    expect(out.state.status).toBe('TIMED_OUT');
    expect(only(out.commands, 'ExecutionTimedOut')[0]).toMatchObject({ error: 'States.Timeout' });
  });

  it('turns a Wait into a timer command, not a sleep', async () => {
    const def: StateMachineDefinition = { StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } };
    const first = await step(def, undefined, start({ s: 90 }), T0);
    const [timer] = only(first.commands, 'StartTimer');
    expect(timer!.fireAt).toBe(T0 + 90_000);
    const done = await step(def, first.state, { type: 'TimerFired', timerId: timer!.timerId }, T0 + 90_000);
    expect(only(done.commands, 'ExecutionSucceeded')).toEqual([{ type: 'ExecutionSucceeded', output: { s: 90 } }]);
  });

  it('fails with States.Runtime, naming state and field, when SecondsPath or TimeoutSecondsPath is past 99,999,999 s', async () => {
    const wait: StateMachineDefinition = { StartAt: 'Nap', States: { Nap: { Type: 'Wait', SecondsPath: '$.s', End: true } } };
    const longest = await step(wait, undefined, start({ s: 99_999_999 }), T0);
    expect(only(longest.commands, 'StartTimer').map((t) => t.fireAt)).toEqual([T0 + 99_999_999_000]);
    for (const s of [100_000_000, 1e300]) {
      const failed = await step(wait, undefined, start({ s }), T0);
      expect(only(failed.commands, 'StartTimer')).toEqual([]);
      expect(only(failed.commands, 'ExecutionFailed')).toEqual([expect.objectContaining({ error: 'States.Runtime', cause: expect.stringMatching(/Wait state 'Nap': Seconds must be at most 99999999/) })]);
    }
    const task: StateMachineDefinition = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSecondsPath: '$.t', End: true } } };
    const failed = await step(task, undefined, start({ t: 1e300 }), T0);
    expect(only(failed.commands, 'RunTask')).toEqual([]);
    expect(only(failed.commands, 'ExecutionFailed')).toEqual([expect.objectContaining({ error: 'States.Runtime', cause: expect.stringMatching(/Task state 'Work': TimeoutSeconds must be at most 99999999/) })]);
  });

  it('waits at most 99,999,999 s between retries, however steep the backoff', async () => {
    const steep: StateMachineDefinition = {
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 99_999_999, BackoffRate: 1e300, MaxAttempts: 3 }], End: true } },
    };
    let result = await step(steep, undefined, start({}), T0);
    for (let attempt = 0; attempt < 2; attempt++) {
      const taskId = only(result.commands, 'RunTask')[0]!.taskId;
      result = await step(steep, result.state, { type: 'TaskFailed', taskId, error: 'Boom', cause: 'again' }, T0);
      const [timer] = only(result.commands, 'StartTimer');
      expect(timer!.fireAt).toBe(T0 + 99_999_999_000);
      result = await step(steep, result.state, { type: 'TimerFired', timerId: timer!.timerId }, T0);
    }
  });

  it('retries through a timer with exponential backoff', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: 'r', Retry: [{ ErrorEquals: ['E'], IntervalSeconds: 3, BackoffRate: 2, MaxAttempts: 2 }], End: true } },
    };
    let out = await step(def, undefined, start(), T0);
    const fireTimes: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const taskId = only(out.commands, 'RunTask')[0]!.taskId;
      out = await step(def, out.state, { type: 'TaskFailed', taskId, error: 'E', cause: 'c' }, T0);
      const timer = only(out.commands, 'StartTimer')[0];
      if (!timer) break;
      fireTimes.push(timer.fireAt - T0);
      out = await step(def, out.state, { type: 'TimerFired', timerId: timer.timerId }, timer.fireAt);
    }
    expect(fireTimes).toEqual([3000, 6000]);
    expect(only(out.commands, 'ExecutionFailed')[0]).toMatchObject({ error: 'E', cause: 'c' });
  });

  it('survives a JSON round trip of its state between every event (what a durable store does)', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'M', States: { M: { Type: 'Map', MaxConcurrency: 2, ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'double', End: true } } }, End: true } } },
            { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, End: true } } },
          ],
          End: true,
        },
      },
    };
    const drive = async (roundTrip: boolean) => {
      let out = await step(def, undefined, start([1, 2, 3, 4, 5]), T0, 7);
      let state: ExecutionState = out.state;
      const queue: InterpreterEvent[] = [];
      const pushFrom = (commands: Command[]) => {
        for (const c of commands) {
          if (c.type === 'RunTask') queue.push({ type: 'TaskSucceeded', taskId: c.taskId, output: (c.input as number) * 2 });
          if (c.type === 'StartTimer') queue.push({ type: 'TimerFired', timerId: c.timerId });
        }
      };
      pushFrom(out.commands);
      let now = T0;
      while (queue.length > 0) {
        const event = queue.shift() as InterpreterEvent;
        if (roundTrip) state = JSON.parse(JSON.stringify(state)) as ExecutionState;
        out = await step(def, state, event, (now += 1000));
        state = out.state;
        pushFrom(out.commands);
      }
      return state;
    };
    const plain = await drive(false);
    const stored = await drive(true);
    expect(plain.status).toBe('SUCCEEDED');
    expect(plain.output).toEqual([[2, 4, 6, 8, 10], [1, 2, 3, 4, 5]]);
    expect(stored).toEqual(plain);
  });

  it.each([
    { fanOut: 'Map', resultPath: null, keeps: false },
    { fanOut: 'Map', resultPath: '$.r', keeps: true },
    { fanOut: 'Parallel', resultPath: null, keeps: false },
    { fanOut: 'Parallel', resultPath: '$.r', keeps: true },
  ])('a $fanOut with ResultPath $resultPath keeps the outputs of finished children in its state: $keeps', async ({ fanOut, resultPath, keeps }) => {
    const processor = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'r', End: true } } };
    const F =
      fanOut === 'Map'
        ? { Type: 'Map', ItemsPath: '$.items', ItemProcessor: processor, ResultPath: resultPath, End: true }
        : { Type: 'Parallel', Branches: [processor, processor, processor], ResultPath: resultPath, End: true };
    const def = { StartAt: 'F', States: { F } } as unknown as StateMachineDefinition;
    let out = await step(def, undefined, start({ items: [1, 2, 3] }), T0);
    const tasks = only(out.commands, 'RunTask');
    expect(tasks).toHaveLength(3);
    // Two children finish with a large output; the third is still running.
    for (const task of tasks.slice(0, 2)) out = await step(def, out.state, { type: 'TaskSucceeded', taskId: task.taskId, output: { job: 'x'.repeat(10_000) } }, T0 + 1);
    expect(JSON.stringify(out.state).length > 20_000).toBe(keeps);
    out = await step(def, out.state, { type: 'TaskSucceeded', taskId: tasks[2]!.taskId, output: { job: 'last' } }, T0 + 2);
    const results = [{ job: 'x'.repeat(10_000) }, { job: 'x'.repeat(10_000) }, { job: 'last' }];
    expect(only(out.commands, 'ExecutionSucceeded')[0]?.output).toEqual(keeps ? { items: [1, 2, 3], r: results } : { items: [1, 2, 3] });
  });

  it('never runs more Map iterations at once than MaxConcurrency', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'M',
      States: { M: { Type: 'Map', MaxConcurrency: 3, ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'r', End: true } } }, End: true } },
    };
    let out = await step(def, undefined, start(Array.from({ length: 10 }, (_, i) => i)), T0);
    let running = only(out.commands, 'RunTask');
    expect(running).toHaveLength(3);
    let maxSeen = running.length;
    let results = 0;
    while (running.length > 0) {
      const [first, ...rest] = running;
      out = await step(def, out.state, { type: 'TaskSucceeded', taskId: first!.taskId, output: first!.input }, T0);
      results++;
      running = [...rest, ...only(out.commands, 'RunTask')];
      maxSeen = Math.max(maxSeen, running.length);
    }
    expect(results).toBe(10);
    expect(maxSeen).toBe(3);
    expect(out.state.output).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('is deterministic: the same seed and events give the same UUIDs and random numbers', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'P',
      States: { P: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()', 'n.$': 'States.MathRandom(1, 1000)' }, End: true } },
    };
    const a = await step(def, undefined, start(), T0, 99);
    const b = await step(def, undefined, start(), T0, 99);
    const c = await step(def, undefined, start(), T0, 100);
    expect(a.state.output).toEqual(b.state.output);
    expect(a.state.output).not.toEqual(c.state.output);
  });

  it('redrives a failed execution from the state that failed, keeping what came before', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Result: 'prepared', ResultPath: '$.p', Next: 'Work' },
        Work: { Type: 'Task', Resource: 'r', End: true },
      },
    };
    const first = await step(def, undefined, start({ id: 1 }), T0);
    const taskId = only(first.commands, 'RunTask')[0]!.taskId;
    const failed = await step(def, first.state, { type: 'TaskFailed', taskId, error: 'Boom', cause: 'c' }, T0 + 1);
    expect(failed.state.status).toBe('FAILED');
    const redriven = await step(def, failed.state, { type: 'RedriveExecution' }, T0 + 2);
    expect(redriven.state.status).toBe('RUNNING');
    expect(redriven.events.map((e) => e.type)).toEqual(['ExecutionRedriven', 'TaskStateEntered', 'TaskScheduled']);
    const [again] = only(redriven.commands, 'RunTask');
    expect(again!.input).toEqual({ id: 1, p: 'prepared' });
    const done = await step(def, redriven.state, { type: 'TaskSucceeded', taskId: again!.taskId, output: 'ok' }, T0 + 3);
    expect(done.state.status).toBe('SUCCEEDED');
    expect(done.state.context.Execution.RedriveCount).toBe(1);
    // A succeeded execution cannot be redriven.
    const ignored = await step(def, done.state, { type: 'RedriveExecution' }, T0 + 4);
    expect(ignored.events).toEqual([]);
  });
});
