/*
 * The context object ($$ in JSONPath): Execution, State, StateMachine, Task and Map nodes.
 * The virtual clock starts at 2026-01-01T00:00:00Z, so times are deterministic.
 */
import { TaskFailure } from '../../../src/engine/task-registry.js';
import type { ConformanceCase } from '../case.js';
import { chain, fn, single } from '../helpers.js';

/** Collects `param` into $.v, then checks it with a Choice rule and ends with a fixed output. */
function checked(param: string, rule: Record<string, unknown>, top: Record<string, unknown> = {}): object {
  return {
    ...top,
    StartAt: 'Collect',
    States: {
      Collect: { Type: 'Pass', Parameters: { 'v.$': param }, Next: 'Check' },
      Check: { Type: 'Choice', Choices: [{ Variable: '$.v', ...rule, Next: 'Good' }], Default: 'Bad' },
      Good: { Type: 'Pass', Result: 'matched', End: true },
      Bad: { Type: 'Fail', Error: 'Mismatch', Cause: 'the context value did not match' },
    },
  };
}

export const cases: ConformanceCase[] = [
  {
    name: '$$.Execution.Name is the name the execution was started with',
    definition: single({ Type: 'Pass', Parameters: { 'name.$': '$$.Execution.Name' } }),
    executionName: 'exec-42',
    expected: { status: 'SUCCEEDED', output: { name: 'exec-42' } },
  },
  {
    name: '$$.StateMachine.Name is the state machine name',
    definition: single({ Type: 'Pass', Parameters: { 'machine.$': '$$.StateMachine.Name' } }),
    stateMachineName: 'Orders',
    expected: { status: 'SUCCEEDED', output: { machine: 'Orders' } },
  },
  {
    name: '$$.Execution.Id is an execution ARN ending with the machine and execution names',
    definition: checked('$$.Execution.Id', { StringMatches: 'arn:*:states:*:execution:Orders:exec-42' }),
    executionName: 'exec-42',
    stateMachineName: 'Orders',
    expected: { status: 'SUCCEEDED', output: 'matched' },
  },
  {
    name: '$$.StateMachine.Id is a state machine ARN ending with the machine name',
    definition: checked('$$.StateMachine.Id', { StringMatches: 'arn:*:states:*:stateMachine:Orders' }),
    stateMachineName: 'Orders',
    expected: { status: 'SUCCEEDED', output: 'matched' },
  },
  {
    name: '$$.Execution.Input is the original execution input, whatever the states did',
    definition: chain([
      ['Replace', { Type: 'Pass', Result: { replaced: true } }],
      ['Recall', { Type: 'Pass', Parameters: { 'now.$': '$', 'original.$': '$$.Execution.Input' } }],
    ]),
    input: { order: 7, items: ['a'] },
    expected: { status: 'SUCCEEDED', output: { now: { replaced: true }, original: { order: 7, items: ['a'] } } },
  },
  {
    name: 'InputPath may select from the context object',
    definition: chain([
      ['Replace', { Type: 'Pass', Result: 'gone' }],
      ['Restore', { Type: 'Pass', InputPath: '$$.Execution.Input.keep' }],
    ]),
    input: { keep: { k: 1 } },
    expected: { status: 'SUCCEEDED', output: { k: 1 } },
  },
  {
    name: '$$.Execution.StartTime is an ISO 8601 timestamp of the start',
    definition: {
      StartAt: 'Collect',
      States: {
        Collect: { Type: 'Pass', Parameters: { 'v.$': '$$.Execution.StartTime' }, Next: 'Check' },
        Check: {
          Type: 'Choice',
          Choices: [{ And: [{ Variable: '$.v', IsTimestamp: true }, { Variable: '$.v', StringMatches: '2026-01-01T00:00:00*' }], Next: 'Good' }],
          Default: 'Bad',
        },
        Good: { Type: 'Pass', Result: 'matched', End: true },
        Bad: { Type: 'Fail', Error: 'Mismatch' },
      },
    },
    expected: { status: 'SUCCEEDED', output: 'matched' },
  },
  {
    name: '$$.State.EnteredTime is when the current state was entered',
    definition: {
      StartAt: 'Pause',
      States: {
        Pause: { Type: 'Wait', Seconds: 30, Next: 'Collect' },
        Collect: { Type: 'Pass', Parameters: { 'v.$': '$$.State.EnteredTime', 's.$': '$$.Execution.StartTime' }, Next: 'Check' },
        Check: {
          Type: 'Choice',
          Choices: [
            {
              And: [
                { Variable: '$.v', StringMatches: '2026-01-01T00:00:30*' },
                { Variable: '$.v', TimestampGreaterThanPath: '$.s' },
              ],
              Next: 'Good',
            },
          ],
          Default: 'Bad',
        },
        Good: { Type: 'Pass', Result: 'matched', End: true },
        Bad: { Type: 'Fail', Error: 'Mismatch' },
      },
    },
    expected: { status: 'SUCCEEDED', output: 'matched' },
    minElapsedSeconds: 30,
  },
  {
    name: '$$.State.Name is the name of the state being run',
    definition: chain([
      ['First State', { Type: 'Pass', Parameters: { 'a.$': '$$.State.Name' } }],
      ['Second', { Type: 'Pass', Parameters: { 'a.$': '$.a', 'b.$': '$$.State.Name' } }],
    ]),
    expected: { status: 'SUCCEEDED', output: { a: 'First State', b: 'Second' } },
  },
  {
    name: '$$.State.RetryCount counts the retries of the current state',
    definition: single(
      {
        Type: 'Task',
        Resource: fn('flaky'),
        Parameters: { 'rc.$': '$$.State.RetryCount' },
        Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 5 }],
      },
      'Work',
    ),
    tasks: {
      [fn('flaky')]: (i: { rc: number }, calls: number) => {
        if (i.rc !== calls - 1) return { wrongRetryCount: i.rc, calls };
        if (calls < 3) throw new TaskFailure('Flaky', `attempt ${calls}`);
        return i;
      },
    },
    expected: { status: 'SUCCEEDED', output: { rc: 2 } },
    expectCalls: { [fn('flaky')]: 3 },
  },
  {
    name: '$$.Task.Token is available to a .waitForTaskToken task',
    definition: single({
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', MessageBody: { 'token.$': '$$.Task.Token' } },
    }),
    tasks: {
      'arn:aws:states:::sqs:sendMessage.waitForTaskToken': (i: { MessageBody: { token: unknown } }) => ({
        tokenIsString: typeof i.MessageBody.token === 'string' && i.MessageBody.token.length > 0,
      }),
    },
    expected: { status: 'SUCCEEDED', output: { tokenIsString: true } },
  },
  {
    name: '$$.Map.Item.Index and $$.Map.Item.Value are available in ItemSelector',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.colors',
      ItemSelector: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'shared.$': '$.shared' },
      ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
    }),
    input: { colors: ['red', 'green'], shared: 's' },
    expected: {
      status: 'SUCCEEDED',
      output: [
        { index: 0, value: 'red', shared: 's' },
        { index: 1, value: 'green', shared: 's' },
      ],
    },
  },
  {
    name: 'A Choice Variable may read the context object',
    definition: {
      StartAt: 'Decide',
      States: {
        Decide: { Type: 'Choice', Choices: [{ Variable: '$$.Execution.Input.flag', BooleanEquals: true, Next: 'Yes' }], Default: 'No' },
        Yes: { Type: 'Pass', Result: 'yes', End: true },
        No: { Type: 'Pass', Result: 'no', End: true },
      },
    },
    input: { flag: true },
    expected: { status: 'SUCCEEDED', output: 'yes' },
  },
  {
    name: 'Inside a Map iteration $$.Execution.Input is still the execution input',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: {
        StartAt: 'Inner',
        States: { Inner: { Type: 'Pass', Parameters: { 'item.$': '$', 'run.$': '$$.Execution.Input.run', 'state.$': '$$.State.Name' }, End: true } },
      },
    }),
    input: { run: 'r1', items: [1, 2] },
    expected: {
      status: 'SUCCEEDED',
      output: [
        { item: 1, run: 'r1', state: 'Inner' },
        { item: 2, run: 'r1', state: 'Inner' },
      ],
    },
  },
  {
    name: 'Inside a Parallel branch $$.State.Name is the branch state name',
    definition: single({
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Pass', Parameters: { 'n.$': '$$.State.Name' }, End: true } } },
        { StartAt: 'Right', States: { Right: { Type: 'Pass', Parameters: { 'n.$': '$$.State.Name' }, End: true } } },
      ],
    }),
    expected: { status: 'SUCCEEDED', output: [{ n: 'Left' }, { n: 'Right' }] },
  },
];
