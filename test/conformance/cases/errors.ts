/*
 * Errors raised where AWS raises them, and how they propagate: task errors, unknown resources,
 * States.Runtime (never caught, not even by States.ALL on an enclosing Parallel), errors from
 * inside Map iterations and Parallel branches.
 */
import { TaskFailure } from '../../../src/engine/task-registry.js';
import type { ConformanceCase } from '../case.js';
import { fn, single } from '../helpers.js';

export const cases: ConformanceCase[] = [
  {
    name: 'A task error fails the execution with the task error name and cause',
    definition: single({ Type: 'Task', Resource: fn('fail') }),
    tasks: {
      [fn('fail')]: () => {
        throw new TaskFailure('CustomError', 'This is a custom error!');
      },
    },
    expected: { status: 'FAILED', error: 'CustomError', cause: 'This is a custom error!' },
    expectEvents: ['TaskStateEntered', 'TaskScheduled', 'TaskFailed', 'ExecutionFailed'],
  },
  {
    name: 'A Task whose resource has no handler fails, naming the resource',
    definition: single({ Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:does-not-exist' }),
    expected: { status: 'FAILED', error: /.+/, cause: /does-not-exist/ },
  },
  {
    name: 'A task error after earlier states still ends the execution',
    definition: {
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Result: { ready: true }, Next: 'Call' },
        Call: { Type: 'Task', Resource: fn('fail'), Next: 'Unreached' },
        Unreached: { Type: 'Pass', End: true },
      },
    },
    tasks: {
      [fn('fail')]: () => {
        throw new TaskFailure('Service.Unavailable', 'try later');
      },
    },
    expected: { status: 'FAILED', error: 'Service.Unavailable', cause: 'try later' },
  },
  {
    name: 'States.Runtime from Parameters is not caught by States.ALL',
    definition: {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: fn('echo'),
          Parameters: { 'address.$': '$.application.address' },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Rescue' }],
          End: true,
        },
        Rescue: { Type: 'Pass', Result: 'rescued', End: true },
      },
    },
    input: { flagged: false },
    tasks: { [fn('echo')]: (i: unknown) => i },
    expected: { status: 'FAILED', error: 'States.Runtime', cause: /\$\.application\.address/ },
    expectCalls: { [fn('echo')]: 0 },
  },
  {
    name: 'States.Runtime from OutputPath is not caught by States.ALL',
    definition: {
      StartAt: 'Call',
      States: {
        Call: { Type: 'Task', Resource: fn('echo'), OutputPath: '$.Payload', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Rescue' }], End: true },
        Rescue: { Type: 'Pass', Result: 'rescued', End: true },
      },
    },
    input: { StatusCode: 200 },
    tasks: { [fn('echo')]: (i: unknown) => i },
    expected: { status: 'FAILED', error: 'States.Runtime' },
    expectCalls: { [fn('echo')]: 1 },
  },
  {
    name: 'States.Runtime is not retried by a States.ALL retrier',
    definition: single({
      Type: 'Task',
      Resource: fn('echo'),
      InputPath: '$.missing',
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 10, MaxAttempts: 3 }],
    }),
    input: {},
    tasks: { [fn('echo')]: (i: unknown) => i },
    expected: { status: 'FAILED', error: 'States.Runtime' },
    expectCalls: { [fn('echo')]: 0 },
    maxElapsedSeconds: 0,
  },
  {
    name: 'States.Runtime inside a Parallel branch is not caught by the Parallel States.ALL catcher',
    definition: {
      StartAt: 'Fork',
      States: {
        Fork: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'Bad', States: { Bad: { Type: 'Pass', InputPath: '$.nope', End: true } } }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Rescue' }],
          End: true,
        },
        Rescue: { Type: 'Pass', Result: 'rescued', End: true },
      },
    },
    expected: { status: 'FAILED', error: 'States.Runtime' },
  },
  {
    name: 'States.NoChoiceMatched inside a Map iteration fails the Map with that error',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: {
        StartAt: 'Route',
        States: {
          Route: { Type: 'Choice', Choices: [{ Variable: '$.kind', StringEquals: 'known', Next: 'Ok' }] },
          Ok: { Type: 'Succeed' },
        },
      },
    }),
    input: { items: [{ kind: 'known' }, { kind: 'unknown' }] },
    expected: { status: 'FAILED', error: 'States.NoChoiceMatched' },
  },
  {
    name: 'States.NoChoiceMatched from a Map iteration can be caught on the Map',
    definition: {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            StartAt: 'Route',
            States: {
              Route: { Type: 'Choice', Choices: [{ Variable: '$.kind', StringEquals: 'known', Next: 'Ok' }] },
              Ok: { Type: 'Succeed' },
            },
          },
          Catch: [{ ErrorEquals: ['States.NoChoiceMatched'], ResultPath: '$.routing', Next: 'Report' }],
          End: true,
        },
        Report: { Type: 'Pass', OutputPath: '$.routing.Error', End: true },
      },
    },
    input: { items: [{ kind: 'unknown' }] },
    expected: { status: 'SUCCEEDED', output: 'States.NoChoiceMatched' },
  },
  {
    name: 'A task error inside a nested Map propagates through both Maps',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.outer',
      ItemProcessor: {
        StartAt: 'Inner',
        States: {
          Inner: { Type: 'Map', ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: fn('check'), End: true } } }, End: true },
        },
      },
    }),
    input: { outer: [[1, 2], [3, -1]] },
    tasks: {
      [fn('check')]: (n: number) => {
        if (n < 0) throw new TaskFailure('Negative', `got ${n}`);
        return n;
      },
    },
    expected: { status: 'FAILED', error: 'Negative', cause: 'got -1' },
  },
  {
    name: 'States.IntrinsicFailure in a Task Parameters can be caught',
    definition: {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: fn('echo'),
          Parameters: { 'parsed.$': 'States.StringToJson($.raw)' },
          Catch: [{ ErrorEquals: ['States.IntrinsicFailure'], ResultPath: '$.err', Next: 'Report' }],
          End: true,
        },
        Report: { Type: 'Pass', Parameters: { 'error.$': '$.err.Error', 'raw.$': '$.raw' }, End: true },
      },
    },
    input: { raw: '{broken' },
    tasks: { [fn('echo')]: (i: unknown) => i },
    expected: { status: 'SUCCEEDED', output: { error: 'States.IntrinsicFailure', raw: '{broken' } },
    expectCalls: { [fn('echo')]: 0 },
  },
];
