/*
 * Workflow variables: Assign (JSONata and JSONPath), when assignments take effect, what Assign
 * sees ($states.result, $states.errorOutput), and scopes: outer variables are readable inside
 * Parallel branches and inline Map iterations, inner assignments are not visible outside.
 */
import { TaskFailure } from '../../../src/engine/task-registry.js';
import type { ConformanceCase } from '../case.js';
import { chain, fn } from '../helpers.js';

const J = { QueryLanguage: 'JSONata' };

export const cases: ConformanceCase[] = [
  {
    name: 'A variable assigned in one state is read by a later state',
    definition: chain(
      [
        ['Store', { Type: 'Pass', Assign: { productName: 'product1', count: 42, available: true } }],
        ['Other', { Type: 'Pass', Output: { unrelated: true } }],
        ['Use', { Type: 'Pass', Output: { name: '{% $productName %}', twice: '{% $count * 2 %}', ok: '{% $available %}' } }],
      ],
      J,
    ),
    expected: { status: 'SUCCEEDED', output: { name: 'product1', twice: 84, ok: true } },
  },
  {
    name: 'Assign expressions read the state input',
    definition: chain(
      [
        ['Store', { Type: 'Pass', Assign: { user: '{% $states.input.user %}' }, Output: {} }],
        ['Use', { Type: 'Pass', Output: '{% $user.name %}' }],
      ],
      J,
    ),
    input: { user: { name: 'Ada' } },
    expected: { status: 'SUCCEEDED', output: 'Ada' },
  },
  {
    name: 'Assign and Output of a Task both see $states.result',
    definition: chain(
      [
        [
          'Fetch',
          {
            Type: 'Task',
            Resource: fn('fetch'),
            Assign: { fetched: '{% $states.result.value %}' },
            Output: { fromOutput: '{% $states.result.value %}' },
          },
        ],
        ['Use', { Type: 'Pass', Output: { fromOutput: '{% $states.input.fromOutput %}', fromVariable: '{% $fetched %}' } }],
      ],
      J,
    ),
    tasks: { [fn('fetch')]: () => ({ value: 'v1' }) },
    expected: { status: 'SUCCEEDED', output: { fromOutput: 'v1', fromVariable: 'v1' } },
  },
  {
    name: 'An assignment is not visible in the Output of the same state',
    definition: chain(
      [
        ['First', { Type: 'Pass', Assign: { v: 1 } }],
        ['Second', { Type: 'Pass', Assign: { v: 2 }, Output: { seen: '{% $v %}' } }],
        ['Third', { Type: 'Pass', Output: { before: '{% $states.input.seen %}', after: '{% $v %}' } }],
      ],
      J,
    ),
    expected: { status: 'SUCCEEDED', output: { before: 1, after: 2 } },
  },
  {
    name: 'The assignments of one Assign are evaluated with the values from before the state',
    definition: chain(
      [
        ['First', { Type: 'Pass', Assign: { a: 'old-a', b: 'old-b' } }],
        ['Swap', { Type: 'Pass', Assign: { a: '{% $b %}', b: '{% $a %}' } }],
        ['Show', { Type: 'Pass', Output: { a: '{% $a %}', b: '{% $b %}' } }],
      ],
      J,
    ),
    expected: { status: 'SUCCEEDED', output: { a: 'old-b', b: 'old-a' } },
  },
  {
    name: 'A later Assign overwrites a variable',
    definition: chain(
      [
        ['Init', { Type: 'Pass', Assign: { counter: 0 } }],
        ['Inc1', { Type: 'Pass', Assign: { counter: '{% $counter + 1 %}' } }],
        ['Inc2', { Type: 'Pass', Assign: { counter: '{% $counter + 1 %}' } }],
        ['Show', { Type: 'Pass', Output: '{% $counter %}' }],
      ],
      J,
    ),
    expected: { status: 'SUCCEEDED', output: 2 },
  },
  {
    name: 'JSONPath Assign takes ".$" paths and intrinsics, and "$name" reads a variable',
    definition: chain([
      ['Store', { Type: 'Pass', Assign: { 'total.$': '$.order.total', 'ref.$': "States.Format('{}-{}', $.order.id, $.order.total)", currency: 'EUR' } }],
      ['Forget', { Type: 'Pass', Result: {} }],
      ['Use', { Type: 'Pass', Parameters: { 'total.$': '$total', 'ref.$': '$ref', 'currency.$': '$currency' } }],
    ]),
    input: { order: { id: 'o-5', total: 12 } },
    expected: { status: 'SUCCEEDED', output: { total: 12, ref: 'o-5-12', currency: 'EUR' } },
  },
  {
    name: 'A JSONPath path may select a field inside a variable',
    definition: chain([
      ['Store', { Type: 'Pass', Assign: { 'cfg.$': '$.config' } }],
      ['Use', { Type: 'Pass', Parameters: { 'region.$': '$cfg.region', 'first.$': '$cfg.zones[0]' } }],
    ]),
    input: { config: { region: 'eu-west-1', zones: ['a', 'b'] } },
    expected: { status: 'SUCCEEDED', output: { region: 'eu-west-1', first: 'a' } },
  },
  {
    name: 'A JSONPath Choice rule may test a variable',
    definition: {
      StartAt: 'Store',
      States: {
        Store: { Type: 'Pass', Assign: { 'limit.$': '$.limit' }, Next: 'Decide' },
        Decide: { Type: 'Choice', Choices: [{ Variable: '$limit', NumericGreaterThan: 10, Next: 'High' }], Default: 'Low' },
        High: { Type: 'Pass', Result: 'high', End: true },
        Low: { Type: 'Pass', Result: 'low', End: true },
      },
    },
    input: { limit: 11 },
    expected: { status: 'SUCCEEDED', output: 'high' },
  },
  {
    name: 'A JSONPath Choice rule may compare two variables',
    definition: {
      StartAt: 'Setup',
      States: {
        Setup: { Type: 'Pass', Assign: { guess: 'g1', answer: 'a1' }, Next: 'Check' },
        Check: { Type: 'Choice', Choices: [{ Variable: '$guess', StringEqualsPath: '$answer', Next: 'Correct' }], Default: 'Wrong' },
        Correct: { Type: 'Pass', Result: 'correct', End: true },
        Wrong: { Type: 'Pass', Assign: { 'guess.$': '$answer' }, Result: 'wrong', Next: 'Check' },
      },
    },
    expected: { status: 'SUCCEEDED', output: 'correct' },
    expectEvents: ['ChoiceStateEntered', 'ChoiceStateExited', 'PassStateEntered', 'PassStateExited', 'ChoiceStateEntered', 'ChoiceStateExited', 'PassStateEntered'],
  },
  {
    name: 'A JSONPath InputPath may select a variable',
    definition: chain([
      ['Store', { Type: 'Pass', Assign: { 'saved.$': '$.payload' } }],
      ['Replace', { Type: 'Pass', Result: 'replaced' }],
      ['Restore', { Type: 'Pass', InputPath: '$saved' }],
    ]),
    input: { payload: { p: [1, 2] } },
    expected: { status: 'SUCCEEDED', output: { p: [1, 2] } },
  },
  {
    name: 'A Choice rule Assign sets a variable when the rule is taken',
    definition: {
      ...J,
      StartAt: 'Decide',
      States: {
        Decide: {
          Type: 'Choice',
          Choices: [{ Condition: '{% $states.input.n > 0 %}', Assign: { sign: 'positive' }, Next: 'Show' }],
          Default: 'Zero',
        },
        Zero: { Type: 'Pass', Output: 'zero', End: true },
        Show: { Type: 'Pass', Output: '{% $sign %}', End: true },
      },
    },
    input: { n: 3 },
    expected: { status: 'SUCCEEDED', output: 'positive' },
  },
  {
    name: 'A Catch Assign sees $states.errorOutput',
    definition: {
      ...J,
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: fn('boom'),
          Catch: [{ ErrorEquals: ['States.ALL'], Assign: { lastError: '{% $states.errorOutput.Error %}' }, Output: {}, Next: 'Report' }],
          End: true,
        },
        Report: { Type: 'Pass', Output: { error: '{% $lastError %}' }, End: true },
      },
    },
    tasks: {
      [fn('boom')]: () => {
        throw new TaskFailure('Disk.Full', 'no space');
      },
    },
    expected: { status: 'SUCCEEDED', output: { error: 'Disk.Full' } },
  },
  {
    name: 'Outer variables are readable inside Parallel branches',
    definition: chain(
      [
        ['Store', { Type: 'Pass', Assign: { base: 100 } }],
        [
          'Fork',
          {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% $base + 1 %}', End: true } } },
              { StartAt: 'B', States: { B: { Type: 'Pass', Output: '{% $base + 2 %}', End: true } } },
            ],
          },
        ],
      ],
      J,
    ),
    expected: { status: 'SUCCEEDED', output: [101, 102] },
  },
  {
    name: 'Outer variables are readable inside inline Map iterations',
    definition: chain(
      [
        ['Store', { Type: 'Pass', Assign: { factor: 3 } }],
        [
          'Each',
          {
            Type: 'Map',
            Items: '{% $states.input.values %}',
            ItemProcessor: { StartAt: 'Scale', States: { Scale: { Type: 'Pass', Output: '{% $states.input * $factor %}', End: true } } },
          },
        ],
      ],
      J,
    ),
    input: { values: [1, 2, 3] },
    expected: { status: 'SUCCEEDED', output: [3, 6, 9] },
  },
  {
    name: 'Variables assigned inside a Parallel branch are not visible after the Parallel state',
    definition: chain(
      [
        [
          'Fork',
          {
            Type: 'Parallel',
            Branches: [
              {
                StartAt: 'Set',
                States: {
                  Set: { Type: 'Pass', Assign: { inner: 'secret' }, Next: 'Read' },
                  Read: { Type: 'Pass', Output: '{% $inner %}', End: true },
                },
              },
            ],
            Assign: { fromBranch: '{% $states.result[0] %}' },
          },
        ],
        ['After', { Type: 'Pass', Output: { innerVisible: '{% $exists($inner) %}', viaResult: '{% $fromBranch %}' } }],
      ],
      J,
    ),
    expected: { status: 'SUCCEEDED', output: { innerVisible: false, viaResult: 'secret' } },
  },
  {
    name: 'A Map state Assign sees the results array',
    definition: chain(
      [
        [
          'Each',
          {
            Type: 'Map',
            Items: [1, 2, 3, 4],
            ItemProcessor: { StartAt: 'Sq', States: { Sq: { Type: 'Pass', Output: '{% $states.input * $states.input %}', End: true } } },
            Assign: { sumOfSquares: '{% $sum($states.result) %}' },
            Output: {},
          },
        ],
        ['Show', { Type: 'Pass', Output: '{% $sumOfSquares %}' }],
      ],
      J,
    ),
    expected: { status: 'SUCCEEDED', output: 30 },
  },
];
