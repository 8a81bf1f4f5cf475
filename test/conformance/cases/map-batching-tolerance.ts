/*
 * Distributed Map features: ItemBatcher (MaxItemsPerBatch, BatchInput) and tolerated failures
 * (ToleratedFailureCount / ToleratedFailurePercentage and their *Path forms).
 *
 * What a tolerated failed item contributes to the Map output (without ResultWriter) is not
 * documented, so the tolerance cases that succeed discard the result with ResultPath null.
 */
import type { ConformanceCase } from '../case.js';
import { fn, single } from '../helpers.js';

const distributed = { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' };

/** An item processor that fails an item whose `fail` field is true. */
const failingProcessor = {
  ProcessorConfig: distributed,
  StartAt: 'Check',
  States: {
    Check: { Type: 'Choice', Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'Broken' }], Default: 'Fine' },
    Broken: { Type: 'Fail', Error: 'ItemFailed', Cause: 'item asked to fail' },
    Fine: { Type: 'Pass', End: true },
  },
};

const passThrough = { ProcessorConfig: distributed, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };

const oneOfFour = { items: [{ fail: false }, { fail: true }, { fail: false }, { fail: false }] };
const twoOfFour = { items: [{ fail: true }, { fail: true }, { fail: false }, { fail: false }] };

function tolerant(extra: Record<string, unknown>): object {
  return single({ Type: 'Map', ItemsPath: '$.items', ItemProcessor: failingProcessor, ResultPath: null, ...extra });
}

export const cases: ConformanceCase[] = [
  {
    name: 'A distributed Map without failures returns the item results in order',
    definition: single({ Type: 'Map', ItemsPath: '$.items', ItemProcessor: passThrough }),
    input: { items: [{ id: 1 }, { id: 2 }, { id: 3 }] },
    expected: { status: 'SUCCEEDED', output: [{ id: 1 }, { id: 2 }, { id: 3 }] },
    expectEvents: ['MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited'],
  },
  {
    name: 'A distributed Map applies ItemSelector to each item',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemSelector: { 'i.$': '$$.Map.Item.Index', 'v.$': '$$.Map.Item.Value', 'run.$': '$.run' },
      ItemProcessor: passThrough,
    }),
    input: { items: ['a', 'b'], run: 7 },
    expected: { status: 'SUCCEEDED', output: [{ i: 0, v: 'a', run: 7 }, { i: 1, v: 'b', run: 7 }] },
  },
  {
    name: 'ItemBatcher MaxItemsPerBatch groups items into {Items} iteration inputs',
    definition: single({ Type: 'Map', ItemsPath: '$.items', ItemBatcher: { MaxItemsPerBatch: 2 }, ItemProcessor: passThrough }),
    input: { items: [1, 2, 3, 4, 5] },
    expected: { status: 'SUCCEEDED', output: [{ Items: [1, 2] }, { Items: [3, 4] }, { Items: [5] }] },
  },
  {
    name: 'ItemBatcher BatchInput is added to every batch',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemBatcher: { MaxItemsPerBatch: 3, BatchInput: { factor: 10, 'source.$': '$.source' } },
      ItemProcessor: passThrough,
    }),
    input: { items: ['a', 'b', 'c', 'd'], source: 'inventory' },
    expected: {
      status: 'SUCCEEDED',
      output: [
        { Items: ['a', 'b', 'c'], BatchInput: { factor: 10, source: 'inventory' } },
        { Items: ['d'], BatchInput: { factor: 10, source: 'inventory' } },
      ],
    },
  },
  {
    name: 'ItemBatcher MaxItemsPerBatchPath reads the batch size from the input',
    definition: single({ Type: 'Map', ItemsPath: '$.items', ItemBatcher: { MaxItemsPerBatchPath: '$.size' }, ItemProcessor: passThrough }),
    input: { items: [1, 2, 3], size: 3 },
    expected: { status: 'SUCCEEDED', output: [{ Items: [1, 2, 3] }] },
  },
  {
    name: 'ItemSelector shapes each item before it is batched',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemSelector: { 'v.$': '$$.Map.Item.Value' },
      ItemBatcher: { MaxItemsPerBatch: 2 },
      ItemProcessor: passThrough,
    }),
    input: { items: [1, 2, 3] },
    expected: { status: 'SUCCEEDED', output: [{ Items: [{ v: 1 }, { v: 2 }] }, { Items: [{ v: 3 }] }] },
  },
  {
    name: 'A batch is processed by one child workflow run',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemBatcher: { MaxItemsPerBatch: 2 },
      ItemProcessor: { ProcessorConfig: distributed, StartAt: 'Sum', States: { Sum: { Type: 'Task', Resource: fn('sum'), End: true } } },
    }),
    input: { items: [1, 2, 3, 4, 5] },
    tasks: { [fn('sum')]: (batch: { Items: number[] }) => batch.Items.reduce((a, b) => a + b, 0) },
    expected: { status: 'SUCCEEDED', output: [3, 7, 5] },
    expectCalls: { [fn('sum')]: 3 },
  },
  {
    name: 'A failed item of a distributed Map without tolerance fails with States.ExceedToleratedFailureThreshold',
    definition: tolerant({}),
    input: oneOfFour,
    expected: { status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' },
    expectEvents: ['MapRunStarted', 'MapRunFailed', 'ExecutionFailed'],
  },
  {
    name: 'ToleratedFailureCount 1 tolerates one failed item',
    definition: tolerant({ ToleratedFailureCount: 1 }),
    input: oneOfFour,
    expected: { status: 'SUCCEEDED', output: oneOfFour },
  },
  {
    name: 'ToleratedFailureCount 1 does not tolerate two failed items',
    definition: tolerant({ ToleratedFailureCount: 1 }),
    input: twoOfFour,
    expected: { status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' },
  },
  {
    name: 'ToleratedFailurePercentage 25 tolerates one failed item out of four',
    definition: tolerant({ ToleratedFailurePercentage: 25 }),
    input: oneOfFour,
    expected: { status: 'SUCCEEDED', output: oneOfFour },
  },
  {
    name: 'ToleratedFailurePercentage 20 does not tolerate one failed item out of four',
    definition: tolerant({ ToleratedFailurePercentage: 20 }),
    input: oneOfFour,
    expected: { status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' },
  },
  {
    name: 'ToleratedFailurePercentage 100 tolerates every item failing',
    definition: tolerant({ ToleratedFailurePercentage: 100 }),
    input: { items: [{ fail: true }, { fail: true }] },
    expected: { status: 'SUCCEEDED', output: { items: [{ fail: true }, { fail: true }] } },
  },
  {
    name: 'ToleratedFailureCountPath reads the count from the input',
    definition: tolerant({ ToleratedFailureCountPath: '$.allowed' }),
    input: { ...twoOfFour, allowed: 2 },
    expected: { status: 'SUCCEEDED', output: { ...twoOfFour, allowed: 2 } },
  },
  {
    name: 'ToleratedFailurePercentagePath reads the percentage from the input',
    definition: tolerant({ ToleratedFailurePercentagePath: '$.pct' }),
    input: { ...twoOfFour, pct: 40 },
    expected: { status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' },
  },
  {
    name: 'Catch handles States.ExceedToleratedFailureThreshold',
    definition: {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: failingProcessor,
          ToleratedFailureCount: 0,
          Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], ResultPath: '$.err', Next: 'Report' }],
          End: true,
        },
        Report: { Type: 'Pass', Parameters: { 'error.$': '$.err.Error' }, End: true },
      },
    },
    input: oneOfFour,
    expected: { status: 'SUCCEEDED', output: { error: 'States.ExceedToleratedFailureThreshold' } },
  },
];
