/*
 * The Map state (inline mode): ItemsPath, ItemSelector, legacy Parameters and Iterator,
 * MaxConcurrency, results in item order, failures, Retry and Catch, nesting.
 */
import { TaskFailure } from '../../../src/engine/task-registry.js';
import type { ConformanceCase } from '../case.js';
import { chain, fn, single } from '../helpers.js';

const passProcessor = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };

export const cases: ConformanceCase[] = [
  {
    name: 'Each item is the input of one iteration and the outputs form an array',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.numbers',
      ItemProcessor: { StartAt: 'Square', States: { Square: { Type: 'Task', Resource: fn('square'), End: true } } },
    }),
    input: { numbers: [1, 2, 3, 4] },
    tasks: { [fn('square')]: (n: number) => n * n },
    expected: { status: 'SUCCEEDED', output: [1, 4, 9, 16] },
    expectCalls: { [fn('square')]: 4 },
    expectEvents: ['MapStateEntered', 'MapStateStarted', 'MapIterationStarted', 'MapIterationSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded'],
  },
  {
    name: 'Without ItemsPath the input itself is the array',
    definition: single({ Type: 'Map', ItemProcessor: passProcessor }),
    input: ['a', 'b'],
    expected: { status: 'SUCCEEDED', output: ['a', 'b'] },
  },
  {
    name: 'An empty array produces an empty array',
    definition: single({ Type: 'Map', ItemsPath: '$.items', ItemProcessor: passProcessor }),
    input: { items: [] },
    expected: { status: 'SUCCEEDED', output: [] },
  },
  {
    name: 'Results keep the item order even when iterations finish out of order',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.delays',
      ItemProcessor: {
        StartAt: 'Sleep',
        States: { Sleep: { Type: 'Wait', SecondsPath: '$.s', Next: 'Out' }, Out: { Type: 'Pass', InputPath: '$.id', End: true } },
      },
    }),
    input: { delays: [{ id: 'a', s: 30 }, { id: 'b', s: 10 }, { id: 'c', s: 20 }] },
    expected: { status: 'SUCCEEDED', output: ['a', 'b', 'c'] },
    minElapsedSeconds: 30,
    maxElapsedSeconds: 30,
  },
  {
    name: 'ItemSelector combines each item with fields of the state input',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.detail.shipped',
      ItemSelector: { 'parcel.$': '$$.Map.Item.Value', 'courier.$': '$.delivery-partner' },
      ItemProcessor: passProcessor,
    }),
    input: { 'delivery-partner': 'UQS', detail: { shipped: [{ prod: 'R31', 'dest-code': 9511 }, { prod: 'S39', 'dest-code': 9511 }] } },
    expected: {
      status: 'SUCCEEDED',
      output: [
        { parcel: { prod: 'R31', 'dest-code': 9511 }, courier: 'UQS' },
        { parcel: { prod: 'S39', 'dest-code': 9511 }, courier: 'UQS' },
      ],
    },
  },
  {
    name: 'Legacy Parameters and Iterator work like ItemSelector and ItemProcessor',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      Parameters: { 'pos.$': '$$.Map.Item.Index', 'val.$': '$$.Map.Item.Value' },
      Iterator: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
    }),
    input: { items: ['x', 'y'] },
    expected: { status: 'SUCCEEDED', output: [{ pos: 0, val: 'x' }, { pos: 1, val: 'y' }] },
  },
  {
    name: 'MaxConcurrency 1 runs the iterations one at a time in item order',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 1,
      ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: fn('seq'), End: true } } },
    }),
    input: { items: ['a', 'b', 'c'] },
    tasks: { [fn('seq')]: (item: string, calls: number) => ({ item, call: calls }) },
    expected: {
      status: 'SUCCEEDED',
      output: [
        { item: 'a', call: 1 },
        { item: 'b', call: 2 },
        { item: 'c', call: 3 },
      ],
    },
  },
  {
    name: 'MaxConcurrency 1 makes the waits of the iterations add up',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 1,
      ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, End: true } } },
    }),
    input: { items: [1, 2, 3] },
    expected: { status: 'SUCCEEDED', output: [1, 2, 3] },
    minElapsedSeconds: 15,
  },
  {
    name: 'MaxConcurrencyPath reads the limit from the input',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrencyPath: '$.limit',
      ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: fn('seq'), End: true } } },
    }),
    input: { items: ['a', 'b'], limit: 1 },
    tasks: { [fn('seq')]: (item: string, calls: number) => `${item}${calls}` },
    expected: { status: 'SUCCEEDED', output: ['a1', 'b2'] },
  },
  {
    name: 'ResultPath places the results array into the input',
    definition: single({ Type: 'Map', ItemsPath: '$.items', ResultPath: '$.results', ItemProcessor: passProcessor }),
    input: { items: [1, 2], id: 'batch-1' },
    expected: { status: 'SUCCEEDED', output: { items: [1, 2], id: 'batch-1', results: [1, 2] } },
  },
  {
    name: 'An iteration may run several states with a Choice per item',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.values',
      ItemProcessor: {
        StartAt: 'Sign',
        States: {
          Sign: { Type: 'Choice', Choices: [{ Variable: '$', NumericLessThan: 0, Next: 'Neg' }], Default: 'Pos' },
          Neg: { Type: 'Pass', Result: 'negative', End: true },
          Pos: { Type: 'Pass', Result: 'non-negative', End: true },
        },
      },
    }),
    input: { values: [3, -1, 0] },
    expected: { status: 'SUCCEEDED', output: ['non-negative', 'negative', 'non-negative'] },
  },
  {
    name: 'Map states nest: a Map inside a Map iteration',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.matrix',
      ItemProcessor: {
        StartAt: 'Row',
        States: {
          Row: {
            Type: 'Map',
            ItemProcessor: { StartAt: 'Cell', States: { Cell: { Type: 'Task', Resource: fn('double'), End: true } } },
            End: true,
          },
        },
      },
    }),
    input: { matrix: [[1, 2], [3], []] },
    tasks: { [fn('double')]: (n: number) => n * 2 },
    expected: { status: 'SUCCEEDED', output: [[2, 4], [6], []] },
    expectCalls: { [fn('double')]: 3 },
  },
  {
    name: 'ItemsPath selecting a non-array fails with States.Runtime',
    definition: single({ Type: 'Map', ItemsPath: '$.items', ItemProcessor: passProcessor }),
    input: { items: { not: 'an array' } },
    expected: { status: 'FAILED', error: 'States.Runtime' },
  },
  {
    name: 'ItemsPath to a missing field fails with States.Runtime',
    definition: single({ Type: 'Map', ItemsPath: '$.nothing', ItemProcessor: passProcessor }),
    input: { items: [1] },
    expected: { status: 'FAILED', error: 'States.Runtime' },
  },
  {
    name: 'A failing iteration fails the Map with the iteration error',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: {
        StartAt: 'Check',
        States: {
          Check: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: false, Next: 'Bad' }], Default: 'Good' },
          Bad: { Type: 'Fail', Error: 'ItemInvalid', Cause: 'an item was not ok' },
          Good: { Type: 'Pass', End: true },
        },
      },
    }),
    input: { items: [{ ok: true }, { ok: false }, { ok: true }] },
    expected: { status: 'FAILED', error: 'ItemInvalid', cause: 'an item was not ok' },
    expectEvents: ['MapStateEntered', 'MapStateStarted', 'MapIterationFailed', 'MapStateFailed', 'ExecutionFailed'],
  },
  {
    name: 'Catch on a Map state handles an iteration failure',
    definition: {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: fn('check'), End: true } } },
          Catch: [{ ErrorEquals: ['Item.Bad'], ResultPath: '$.failure', Next: 'Handle' }],
          End: true,
        },
        Handle: { Type: 'Pass', End: true },
      },
    },
    input: { items: [1, 13, 2] },
    tasks: {
      [fn('check')]: (n: number) => {
        if (n === 13) throw new TaskFailure('Item.Bad', 'unlucky number');
        return n;
      },
    },
    expected: { status: 'SUCCEEDED', output: { items: [1, 13, 2], failure: { Error: 'Item.Bad', Cause: 'unlucky number' } } },
  },
  {
    name: 'Retry on a Map state reruns the whole Map',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 1,
      ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: fn('once-flaky'), End: true } } },
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 3, MaxAttempts: 2 }],
    }),
    input: { items: ['a', 'b'] },
    tasks: {
      [fn('once-flaky')]: (item: string, calls: number) => {
        if (calls === 1) throw new TaskFailure('Flaky', 'first call fails');
        return item.toUpperCase();
      },
    },
    expected: { status: 'SUCCEEDED', output: ['A', 'B'] },
    expectCalls: { [fn('once-flaky')]: 3 },
    minElapsedSeconds: 3,
  },
  {
    name: 'Map output flows into the next state',
    definition: chain([
      ['Each', { Type: 'Map', ItemsPath: '$.words', ItemProcessor: { StartAt: 'Len', States: { Len: { Type: 'Task', Resource: fn('len'), End: true } } } }],
      ['Sum', { Type: 'Pass', Parameters: { 'lengths.$': '$', 'count.$': 'States.ArrayLength($)' } }],
    ]),
    input: { words: ['map', 'state'] },
    tasks: { [fn('len')]: (w: string) => w.length },
    expected: { status: 'SUCCEEDED', output: { lengths: [3, 5], count: 2 } },
  },
];
