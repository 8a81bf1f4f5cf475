/*
 * Retry: MaxAttempts, IntervalSeconds, BackoffRate, MaxDelaySeconds, JitterStrategy, retrier
 * selection and per-retrier counters, the predefined wildcards, and Retry followed by Catch.
 */
import { TaskFailure } from '../../../src/engine/task-registry.js';
import { HANG, type ConformanceCase } from '../case.js';
import { fn, single } from '../helpers.js';

const T = fn('flaky');

/** A handler failing with `error` on the first `failures` calls, then returning `{ok: calls}`. */
function failTimes(failures: number, error = 'Err'): (input: unknown, calls: number) => unknown {
  return (_input, calls) => {
    if (calls <= failures) throw new TaskFailure(error, `failure ${calls}`);
    return { ok: calls };
  };
}

/** A handler failing with the given errors in order, then succeeding. */
function failSequence(errors: string[]): (input: unknown, calls: number) => unknown {
  return (_input, calls) => {
    const error = errors[calls - 1];
    if (error !== undefined) throw new TaskFailure(error, `failure ${calls}`);
    return { ok: calls };
  };
}

function task(retry: unknown[], extra: Record<string, unknown> = {}): object {
  return single({ Type: 'Task', Resource: T, Retry: retry, ...extra }, 'Work');
}

export const cases: ConformanceCase[] = [
  {
    name: 'Defaults retry three times after 1, 2 and 4 seconds',
    definition: task([{ ErrorEquals: ['Err'] }]),
    tasks: { [T]: failTimes(3) },
    expected: { status: 'SUCCEEDED', output: { ok: 4 } },
    expectCalls: { [T]: 4 },
    minElapsedSeconds: 7,
    maxElapsedSeconds: 7,
    expectEvents: ['TaskScheduled', 'TaskFailed', 'TaskScheduled', 'TaskFailed', 'TaskScheduled', 'TaskFailed', 'TaskScheduled', 'TaskSucceeded'],
  },
  {
    name: 'When the retries are exhausted the execution fails with the task error',
    definition: task([{ ErrorEquals: ['Err'] }]),
    tasks: { [T]: failTimes(100) },
    expected: { status: 'FAILED', error: 'Err', cause: 'failure 4' },
    expectCalls: { [T]: 4 },
    minElapsedSeconds: 7,
  },
  {
    name: 'MaxAttempts 0 never retries',
    definition: task([{ ErrorEquals: ['Err'], MaxAttempts: 0 }]),
    tasks: { [T]: failTimes(1) },
    expected: { status: 'FAILED', error: 'Err', cause: 'failure 1' },
    expectCalls: { [T]: 1 },
    maxElapsedSeconds: 0,
  },
  {
    name: 'IntervalSeconds and BackoffRate set the waits: 3 then 4.5 seconds',
    definition: task([{ ErrorEquals: ['Err'], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 1.5 }]),
    tasks: { [T]: failTimes(2) },
    expected: { status: 'SUCCEEDED', output: { ok: 3 } },
    expectCalls: { [T]: 3 },
    minElapsedSeconds: 7.5,
    maxElapsedSeconds: 7.5,
  },
  {
    name: 'BackoffRate 1 keeps the interval constant',
    definition: task([{ ErrorEquals: ['Err'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 1 }]),
    tasks: { [T]: failTimes(3) },
    expected: { status: 'SUCCEEDED', output: { ok: 4 } },
    minElapsedSeconds: 6,
    maxElapsedSeconds: 6,
  },
  {
    name: 'MaxDelaySeconds caps each wait',
    definition: task([{ ErrorEquals: ['Err'], IntervalSeconds: 4, MaxAttempts: 3, BackoffRate: 3, MaxDelaySeconds: 5 }]),
    tasks: { [T]: failTimes(3) },
    expected: { status: 'SUCCEEDED', output: { ok: 4 } },
    expectCalls: { [T]: 4 },
    minElapsedSeconds: 14,
    maxElapsedSeconds: 14,
  },
  {
    name: 'JitterStrategy NONE waits the computed intervals exactly',
    definition: task([{ ErrorEquals: ['Err'], IntervalSeconds: 10, MaxAttempts: 2, JitterStrategy: 'NONE' }]),
    tasks: { [T]: failTimes(2) },
    expected: { status: 'SUCCEEDED', output: { ok: 3 } },
    minElapsedSeconds: 30,
    maxElapsedSeconds: 30,
  },
  {
    name: 'JitterStrategy FULL waits no longer than the computed intervals',
    definition: task([{ ErrorEquals: ['Err'], IntervalSeconds: 10, MaxAttempts: 2, JitterStrategy: 'FULL' }]),
    tasks: { [T]: failTimes(2) },
    expected: { status: 'SUCCEEDED', output: { ok: 3 } },
    expectCalls: { [T]: 3 },
    maxElapsedSeconds: 30,
  },
  {
    name: 'An error not listed in any retrier is not retried',
    definition: task([{ ErrorEquals: ['Other'] }]),
    tasks: { [T]: failTimes(1, 'Err') },
    expected: { status: 'FAILED', error: 'Err' },
    expectCalls: { [T]: 1 },
  },
  {
    name: 'A retrier may list several error names',
    definition: task([{ ErrorEquals: ['ErrA', 'ErrB'], IntervalSeconds: 1, BackoffRate: 1 }]),
    tasks: { [T]: failSequence(['ErrB', 'ErrA']) },
    expected: { status: 'SUCCEEDED', output: { ok: 3 } },
    expectCalls: { [T]: 3 },
    minElapsedSeconds: 2,
  },
  {
    name: 'The first retrier whose ErrorEquals matches is used',
    definition: task([
      { ErrorEquals: ['Other'], IntervalSeconds: 100 },
      { ErrorEquals: ['Err'], IntervalSeconds: 5, MaxAttempts: 1 },
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 50 },
    ]),
    tasks: { [T]: failTimes(1) },
    expected: { status: 'SUCCEEDED', output: { ok: 2 } },
    minElapsedSeconds: 5,
    maxElapsedSeconds: 5,
  },
  {
    name: 'An exhausted retrier does not fall through to a later matching retrier',
    definition: task([
      { ErrorEquals: ['Err'], IntervalSeconds: 1, MaxAttempts: 1 },
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 5 },
    ]),
    tasks: { [T]: failTimes(10) },
    expected: { status: 'FAILED', error: 'Err' },
    expectCalls: { [T]: 2 },
  },
  {
    name: 'Each retrier keeps its own attempt counter across the visits of one state',
    // ASL specification, "Complex retry scenarios": ErrorA, ErrorB match the first retrier (waits 1
    // and 2 s), ErrorC the second (5 s); the next ErrorB finds the first retrier exhausted -> Catch.
    definition: {
      StartAt: 'X',
      States: {
        X: {
          Type: 'Task',
          Resource: T,
          Next: 'Y',
          Retry: [
            { ErrorEquals: ['ErrorA', 'ErrorB'], IntervalSeconds: 1, BackoffRate: 2.0, MaxAttempts: 2 },
            { ErrorEquals: ['ErrorC'], IntervalSeconds: 5 },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Z' }],
        },
        Y: { Type: 'Pass', Result: 'succeeded', End: true },
        Z: { Type: 'Pass', End: true },
      },
    },
    tasks: { [T]: failSequence(['ErrorA', 'ErrorB', 'ErrorC', 'ErrorB', 'ErrorB']) },
    expected: { status: 'SUCCEEDED', output: { Error: 'ErrorB', Cause: 'failure 4' } },
    expectCalls: { [T]: 4 },
    minElapsedSeconds: 8,
    maxElapsedSeconds: 8,
  },
  {
    name: 'States.ALL retries any task error',
    definition: task([{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2 }]),
    tasks: { [T]: failSequence(['Some.Error', 'java.lang.Exception']) },
    expected: { status: 'SUCCEEDED', output: { ok: 3 } },
    expectCalls: { [T]: 3 },
  },
  {
    name: 'States.TaskFailed retries a task error of any name',
    definition: task([{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 2 }]),
    tasks: { [T]: failSequence(['HandledError', 'Lambda.Unknown']) },
    expected: { status: 'SUCCEEDED', output: { ok: 3 } },
    expectCalls: { [T]: 3 },
  },
  {
    name: 'States.TaskFailed does not match States.Timeout',
    definition: task([{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 3 }], { TimeoutSeconds: 5 }),
    tasks: { [T]: () => HANG },
    expected: { status: 'FAILED', error: 'States.Timeout' },
    expectCalls: { [T]: 1 },
    minElapsedSeconds: 5,
  },
  {
    name: 'States.Timeout can be retried explicitly',
    definition: task([{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }], { TimeoutSeconds: 2 }),
    tasks: { [T]: (_i: unknown, calls: number) => (calls < 3 ? HANG : { ok: calls }) },
    expected: { status: 'SUCCEEDED', output: { ok: 3 } },
    expectCalls: { [T]: 3 },
    minElapsedSeconds: 7,
    maxElapsedSeconds: 7,
  },
  {
    name: 'A Retry that keeps failing hands the error to Catch',
    definition: {
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: T,
          Retry: [{ ErrorEquals: ['Err'], IntervalSeconds: 1, MaxAttempts: 2 }],
          Catch: [{ ErrorEquals: ['Err'], ResultPath: '$.error', Next: 'Fallback' }],
          End: true,
        },
        Fallback: { Type: 'Pass', End: true },
      },
    },
    input: { job: 'j1' },
    tasks: { [T]: failTimes(100) },
    expected: { status: 'SUCCEEDED', output: { job: 'j1', error: { Error: 'Err', Cause: 'failure 3' } } },
    expectCalls: { [T]: 3 },
    minElapsedSeconds: 3,
  },
  {
    name: 'Retry counters start again when the state is entered again',
    definition: {
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Result: 0, ResultPath: '$.n', Next: 'Work' },
        Work: { Type: 'Task', Resource: T, ResultPath: null, Retry: [{ ErrorEquals: ['Err'], MaxAttempts: 1 }], Next: 'Count' },
        Count: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Again' },
        Again: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: 2, Next: 'Work' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    },
    tasks: {
      [T]: (_i: unknown, calls: number) => {
        if (calls % 2 === 1) throw new TaskFailure('Err', `odd call ${calls}`);
        return 'even';
      },
    },
    expected: { status: 'SUCCEEDED', output: { n: 2 } },
    expectCalls: { [T]: 4 },
  },
];
