/*
 * The Parallel state: branch outputs in branch order, shared input, Parameters, ResultPath,
 * failure of a branch, Retry and Catch on the whole Parallel state.
 */
import { TaskFailure } from '../../../src/engine/task-registry.js';
import type { ConformanceCase } from '../case.js';
import { chain, fn, single } from '../helpers.js';

function branch(states: Record<string, unknown>, startAt: string): object {
  return { StartAt: startAt, States: states };
}

export const cases: ConformanceCase[] = [
  {
    name: 'The output is an array of branch outputs in branch order, not completion order',
    definition: single({
      Type: 'Parallel',
      Branches: [
        branch({ Slow: { Type: 'Wait', Seconds: 10, Next: 'SlowDone' }, SlowDone: { Type: 'Pass', Result: 'slow', End: true } }, 'Slow'),
        branch({ Fast: { Type: 'Pass', Result: 'fast', End: true } }, 'Fast'),
      ],
    }),
    expected: { status: 'SUCCEEDED', output: ['slow', 'fast'] },
    expectEvents: ['ParallelStateEntered', 'ParallelStateStarted', 'ParallelStateSucceeded', 'ParallelStateExited', 'ExecutionSucceeded'],
  },
  {
    name: 'Branches run concurrently: the longest wait sets the duration',
    definition: single({
      Type: 'Parallel',
      Branches: [
        branch({ W10: { Type: 'Wait', Seconds: 10, End: true } }, 'W10'),
        branch({ W20: { Type: 'Wait', Seconds: 20, End: true } }, 'W20'),
      ],
    }),
    input: { x: 1 },
    expected: { status: 'SUCCEEDED', output: [{ x: 1 }, { x: 1 }] },
    minElapsedSeconds: 20,
    maxElapsedSeconds: 20,
  },
  {
    name: 'Every branch receives the same effective input',
    definition: single({
      Type: 'Parallel',
      InputPath: '$.shared',
      Branches: [
        branch({ A: { Type: 'Task', Resource: fn('lookup'), End: true } }, 'A'),
        branch({ B: { Type: 'Pass', Parameters: { 'copy.$': '$.key' }, End: true } }, 'B'),
      ],
    }),
    input: { shared: { key: 'k1' }, other: 'no' },
    tasks: { [fn('lookup')]: (i: { key: string }) => ({ found: i.key }) },
    expected: { status: 'SUCCEEDED', output: [{ found: 'k1' }, { copy: 'k1' }] },
  },
  {
    name: 'Parameters build the input handed to every branch',
    definition: single({
      Type: 'Parallel',
      Parameters: { 'n.$': '$.value', tag: 'p' },
      Branches: [
        branch({ A: { Type: 'Pass', End: true } }, 'A'),
        branch({ B: { Type: 'Pass', OutputPath: '$.n', End: true } }, 'B'),
      ],
    }),
    input: { value: 9 },
    expected: { status: 'SUCCEEDED', output: [{ n: 9, tag: 'p' }, 9] },
  },
  {
    name: 'ResultPath places the branch array into the input',
    definition: single({
      Type: 'Parallel',
      ResultPath: '$.results',
      Branches: [branch({ A: { Type: 'Pass', Result: 1, End: true } }, 'A'), branch({ B: { Type: 'Pass', Result: 2, End: true } }, 'B')],
    }),
    input: { id: 'x' },
    expected: { status: 'SUCCEEDED', output: { id: 'x', results: [1, 2] } },
  },
  {
    name: 'OutputPath selects one branch output',
    definition: single({
      Type: 'Parallel',
      OutputPath: '$[1]',
      Branches: [branch({ A: { Type: 'Pass', Result: 'a', End: true } }, 'A'), branch({ B: { Type: 'Pass', Result: 'b', End: true } }, 'B')],
    }),
    expected: { status: 'SUCCEEDED', output: 'b' },
  },
  {
    name: 'A single branch still produces an array',
    definition: single({ Type: 'Parallel', Branches: [branch({ Only: { Type: 'Pass', Result: { v: 1 }, End: true } }, 'Only')] }),
    expected: { status: 'SUCCEEDED', output: [{ v: 1 }] },
  },
  {
    name: 'A branch reaching a Fail state fails the Parallel with that error and cause',
    // AWS reports the failing branch's own error (not States.BranchFailed) on the execution.
    definition: single({
      Type: 'Parallel',
      Branches: [
        branch({ Ok: { Type: 'Pass', End: true } }, 'Ok'),
        branch({ Broken: { Type: 'Fail', Error: 'BranchError', Cause: 'branch two failed' } }, 'Broken'),
      ],
    }),
    expected: { status: 'FAILED', error: 'BranchError', cause: 'branch two failed' },
    expectEvents: ['ParallelStateEntered', 'ParallelStateStarted', 'ParallelStateFailed', 'ExecutionFailed'],
  },
  {
    name: 'A failing task in a branch fails the Parallel with the task error',
    definition: single({
      Type: 'Parallel',
      Branches: [
        branch({ Ok: { Type: 'Pass', End: true } }, 'Ok'),
        branch({ Call: { Type: 'Task', Resource: fn('boom'), End: true } }, 'Call'),
      ],
    }),
    tasks: {
      [fn('boom')]: () => {
        throw new TaskFailure('Boom.Error', 'exploded');
      },
    },
    expected: { status: 'FAILED', error: 'Boom.Error', cause: 'exploded' },
  },
  {
    name: 'Catch on a Parallel state matches the branch error name',
    definition: {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            branch({ Ok: { Type: 'Pass', End: true } }, 'Ok'),
            branch({ Broken: { Type: 'Fail', Error: 'BranchError', Cause: 'branch two failed' } }, 'Broken'),
          ],
          Catch: [{ ErrorEquals: ['BranchError'], ResultPath: '$.error', Next: 'Recover' }],
          End: true,
        },
        Recover: { Type: 'Pass', End: true },
      },
    },
    input: { order: 1 },
    expected: { status: 'SUCCEEDED', output: { order: 1, error: { Error: 'BranchError', Cause: 'branch two failed' } } },
  },
  {
    name: 'Retry on a Parallel state reruns every branch',
    definition: single({
      Type: 'Parallel',
      Branches: [
        branch({ A: { Type: 'Task', Resource: fn('a'), End: true } }, 'A'),
        branch({ B: { Type: 'Task', Resource: fn('b'), End: true } }, 'B'),
      ],
      Retry: [{ ErrorEquals: ['Transient'], IntervalSeconds: 2, MaxAttempts: 1 }],
    }),
    tasks: {
      [fn('a')]: (_i: unknown, calls: number) => {
        if (calls === 1) throw new TaskFailure('Transient', 'first try');
        return 'a ok';
      },
      [fn('b')]: () => 'b ok',
    },
    expected: { status: 'SUCCEEDED', output: ['a ok', 'b ok'] },
    expectCalls: { [fn('a')]: 2, [fn('b')]: 2 },
    minElapsedSeconds: 2,
  },
  {
    name: 'Parallel states nest',
    definition: single({
      Type: 'Parallel',
      Branches: [
        branch(
          {
            Inner: {
              Type: 'Parallel',
              Branches: [branch({ X: { Type: 'Pass', Result: 'x', End: true } }, 'X'), branch({ Y: { Type: 'Pass', Result: 'y', End: true } }, 'Y')],
              End: true,
            },
          },
          'Inner',
        ),
        branch({ Z: { Type: 'Pass', Result: 'z', End: true } }, 'Z'),
      ],
    }),
    expected: { status: 'SUCCEEDED', output: [['x', 'y'], 'z'] },
  },
  {
    name: 'A branch may hold several states, including a Choice',
    definition: chain([
      [
        'Fork',
        {
          Type: 'Parallel',
          Branches: [
            branch(
              {
                Check: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 5, Next: 'Big' }], Default: 'Small' },
                Big: { Type: 'Pass', Result: 'big', End: true },
                Small: { Type: 'Pass', Result: 'small', End: true },
              },
              'Check',
            ),
            branch({ Echo: { Type: 'Pass', InputPath: '$.n', End: true } }, 'Echo'),
          ],
        },
      ],
      ['Join', { Type: 'Pass', Parameters: { 'size.$': '$[0]', 'n.$': '$[1]' } }],
    ]),
    input: { n: 7 },
    expected: { status: 'SUCCEEDED', output: { size: 'big', n: 7 } },
  },
];
