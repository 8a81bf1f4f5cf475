/*
 * Catch: the error output {Error, Cause}, the catcher's ResultPath, catcher order, the
 * predefined wildcards, and what States.ALL does not catch.
 */
import { TaskFailure } from '../../../src/engine/task-registry.js';
import { HANG, type ConformanceCase } from '../case.js';
import { fn } from '../helpers.js';

const T = fn('fails');

function throws(error: string, cause: string): () => never {
  return () => {
    throw new TaskFailure(error, cause);
  };
}

/** Work (a failing task with the given catchers) -> handlers named in `handlers`. */
function caught(catchers: unknown[], handlers: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}): object {
  const states: Record<string, unknown> = { Work: { Type: 'Task', Resource: T, Catch: catchers, End: true, ...extra } };
  for (const [name, state] of Object.entries(handlers)) states[name] = { End: true, ...state };
  return { StartAt: 'Work', States: states };
}

export const cases: ConformanceCase[] = [
  {
    name: 'Without ResultPath the error output replaces the input',
    definition: caught([{ ErrorEquals: ['HandledError'], Next: 'Fallback' }], { Fallback: { Type: 'Pass' } }),
    input: { order: 1 },
    tasks: { [T]: throws('HandledError', 'it broke') },
    expected: { status: 'SUCCEEDED', output: { Error: 'HandledError', Cause: 'it broke' } },
    expectEvents: ['TaskStateEntered', 'TaskScheduled', 'TaskFailed', 'TaskStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
  },
  {
    name: 'ResultPath adds the error output to the input',
    definition: caught([{ ErrorEquals: ['java.lang.Exception'], ResultPath: '$.error-info', Next: 'Recovery' }], { Recovery: { Type: 'Pass' } }),
    input: { order: 1, lines: ['a'] },
    tasks: { [T]: throws('java.lang.Exception', 'NullPointerException') },
    expected: { status: 'SUCCEEDED', output: { order: 1, lines: ['a'], 'error-info': { Error: 'java.lang.Exception', Cause: 'NullPointerException' } } },
  },
  {
    name: 'ResultPath null keeps the input and drops the error output',
    definition: caught([{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'Recovery' }], { Recovery: { Type: 'Pass' } }),
    input: { order: 2 },
    tasks: { [T]: throws('Any', 'thing') },
    expected: { status: 'SUCCEEDED', output: { order: 2 } },
  },
  {
    name: 'A catcher ResultPath may create nested objects',
    definition: caught([{ ErrorEquals: ['States.ALL'], ResultPath: '$.diag.last', Next: 'Recovery' }], { Recovery: { Type: 'Pass' } }),
    input: { diag: { count: 1 } },
    tasks: { [T]: throws('E', 'c') },
    expected: { status: 'SUCCEEDED', output: { diag: { count: 1, last: { Error: 'E', Cause: 'c' } } } },
  },
  {
    name: 'A catcher ResultPath applies to the raw input, not the InputPath selection',
    definition: caught([{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'Recovery' }], { Recovery: { Type: 'Pass' } }, { InputPath: '$.payload' }),
    input: { payload: { p: 1 }, id: 'x' },
    tasks: { [T]: throws('E', 'c') },
    expected: { status: 'SUCCEEDED', output: { payload: { p: 1 }, id: 'x', err: { Error: 'E', Cause: 'c' } } },
  },
  {
    name: 'Catchers are tried in order and the first match wins',
    definition: caught(
      [
        { ErrorEquals: ['Other'], Next: 'WrongHandler' },
        { ErrorEquals: ['Specific'], Next: 'RightHandler' },
        { ErrorEquals: ['States.ALL'], Next: 'CatchAll' },
      ],
      {
        WrongHandler: { Type: 'Pass', Result: 'wrong' },
        RightHandler: { Type: 'Pass', Result: 'right' },
        CatchAll: { Type: 'Pass', Result: 'catch-all' },
      },
    ),
    tasks: { [T]: throws('Specific', 'c') },
    expected: { status: 'SUCCEEDED', output: 'right' },
  },
  {
    name: 'States.ALL catches any task error',
    definition: caught([{ ErrorEquals: ['Specific'], Next: 'A' }, { ErrorEquals: ['States.ALL'], Next: 'B' }], {
      A: { Type: 'Pass', Result: 'a' },
      B: { Type: 'Pass', Result: 'b' },
    }),
    tasks: { [T]: throws('Unexpected.Error', 'surprise') },
    expected: { status: 'SUCCEEDED', output: 'b' },
  },
  {
    name: 'States.TaskFailed catches a task error of any name',
    definition: caught([{ ErrorEquals: ['States.TaskFailed'], Next: 'Fallback' }], { Fallback: { Type: 'Pass', Result: 'Hello, AWS Step Functions!' } }),
    tasks: { [T]: throws('Lambda.Unknown', 'unhandled') },
    expected: { status: 'SUCCEEDED', output: 'Hello, AWS Step Functions!' },
  },
  {
    name: 'A catcher may list several error names',
    definition: caught([{ ErrorEquals: ['A', 'B', 'C'], Next: 'Fallback' }], { Fallback: { Type: 'Pass', OutputPath: '$.Error' } }),
    tasks: { [T]: throws('B', 'second') },
    expected: { status: 'SUCCEEDED', output: 'B' },
  },
  {
    name: 'An error no catcher matches fails the execution',
    definition: caught([{ ErrorEquals: ['Other'], Next: 'Fallback' }], { Fallback: { Type: 'Pass' } }),
    tasks: { [T]: throws('Unmatched', 'nobody catches this') },
    expected: { status: 'FAILED', error: 'Unmatched', cause: 'nobody catches this' },
  },
  {
    name: 'States.Timeout can be caught',
    definition: caught([{ ErrorEquals: ['States.Timeout'], Next: 'Fallback' }], { Fallback: { Type: 'Pass', Parameters: { 'error.$': '$.Error' } } }, { TimeoutSeconds: 2 }),
    tasks: { [T]: () => HANG },
    expected: { status: 'SUCCEEDED', output: { error: 'States.Timeout' } },
    minElapsedSeconds: 2,
  },
  {
    name: 'States.ALL does not catch States.Runtime',
    definition: caught([{ ErrorEquals: ['States.ALL'], Next: 'Fallback' }], { Fallback: { Type: 'Pass' } }, { InputPath: '$.missing' }),
    input: { present: true },
    tasks: { [T]: () => 'never called' },
    expected: { status: 'FAILED', error: 'States.Runtime' },
    expectCalls: { [T]: 0 },
  },
  {
    name: 'States.ALL catches States.ResultPathMatchFailure',
    definition: caught([{ ErrorEquals: ['States.ALL'], Next: 'Fallback' }], { Fallback: { Type: 'Pass', OutputPath: '$.Error' } }, { ResultPath: '$.x' }),
    input: 'a string input',
    tasks: { [T]: () => 'result' },
    expected: { status: 'SUCCEEDED', output: 'States.ResultPathMatchFailure' },
  },
  {
    name: 'The state after a Catch continues the execution normally',
    definition: {
      StartAt: 'Work',
      States: {
        Work: { Type: 'Task', Resource: T, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'Log' }], Next: 'Unreached' },
        Unreached: { Type: 'Pass', Result: 'not here', End: true },
        Log: { Type: 'Task', Resource: fn('log'), ResultPath: '$.logged', Next: 'Finish' },
        Finish: { Type: 'Pass', OutputPath: '$.logged', End: true },
      },
    },
    input: { id: 9 },
    tasks: { [T]: throws('E', 'c'), [fn('log')]: (i: { id: number; err: { Error: string } }) => `${i.id}:${i.err.Error}` },
    expected: { status: 'SUCCEEDED', output: '9:E' },
    expectCalls: { [T]: 1, [fn('log')]: 1 },
  },
  {
    name: 'Catch on a Map state with States.ALL',
    definition: {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Iteration.Failed', Cause: 'always' } } },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', End: true },
      },
    },
    input: { items: [1] },
    expected: { status: 'SUCCEEDED', output: { Error: 'Iteration.Failed', Cause: 'always' } },
  },
];
