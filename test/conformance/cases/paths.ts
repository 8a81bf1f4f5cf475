/*
 * JSONPath input and output processing: InputPath, ResultPath and OutputPath, and the order
 * in which a state applies InputPath -> Parameters -> (work) -> ResultSelector -> ResultPath -> OutputPath.
 */
import type { ConformanceCase } from '../case.js';
import { chain, echo, fn, single } from '../helpers.js';

const datasets = {
  comment: 'two datasets',
  dataset1: { val1: 1, val2: 2, val3: 3 },
  dataset2: { val1: 'a', val2: 'b', val3: 'c' },
};

export const cases: ConformanceCase[] = [
  {
    name: 'InputPath selects a sub-object as the effective input',
    definition: single({ Type: 'Task', Resource: fn('echo'), InputPath: '$.dataset2' }),
    input: datasets,
    tasks: { [fn('echo')]: echo },
    expected: { status: 'SUCCEEDED', output: { val1: 'a', val2: 'b', val3: 'c' } },
    expectCalls: { [fn('echo')]: 1 },
  },
  {
    name: 'InputPath with an array slice selects an array',
    definition: single({ Type: 'Pass', InputPath: '$.a[0:2]' }),
    input: { a: [1, 2, 3, 4] },
    expected: { status: 'SUCCEEDED', output: [1, 2] },
  },
  {
    name: 'InputPath with a filter expression selects the matching values',
    definition: single({ Type: 'Pass', InputPath: '$.items[?(@.ok == true)].n' }),
    input: { items: [{ n: 1, ok: true }, { n: 2, ok: false }, { n: 3, ok: true }] },
    expected: { status: 'SUCCEEDED', output: [1, 3] },
  },
  {
    name: 'InputPath null gives the state an empty object',
    definition: single({ Type: 'Task', Resource: fn('echo'), InputPath: null }),
    input: { secret: 'not passed' },
    tasks: { [fn('echo')]: echo },
    expected: { status: 'SUCCEEDED', output: {} },
  },
  {
    name: 'InputPath "$" passes the whole input',
    definition: single({ Type: 'Pass', InputPath: '$' }),
    input: { a: 1, b: [true, null] },
    expected: { status: 'SUCCEEDED', output: { a: 1, b: [true, null] } },
  },
  {
    name: 'InputPath selecting a scalar makes the scalar the state input',
    definition: chain([
      ['Pick', { Type: 'Pass', InputPath: '$.n' }],
      ['Twice', { Type: 'Task', Resource: fn('double') }],
    ]),
    input: { n: 21 },
    tasks: { [fn('double')]: (n: number) => n * 2 },
    expected: { status: 'SUCCEEDED', output: 42 },
  },
  {
    name: 'InputPath to a missing field fails the execution with States.Runtime',
    definition: single({ Type: 'Pass', InputPath: '$.missing' }),
    input: { present: 1 },
    expected: { status: 'FAILED', error: 'States.Runtime' },
  },
  {
    name: 'ResultPath "$" (the default) replaces the input with the result',
    definition: single({ Type: 'Task', Resource: fn('hello') }),
    input: { comment: 'This is a test', details: 'Default example', who: 'Step Functions' },
    tasks: { [fn('hello')]: (i: { who: string }) => `Hello, ${i.who}!` },
    expected: { status: 'SUCCEEDED', output: 'Hello, Step Functions!' },
  },
  {
    name: 'ResultPath null discards the result and keeps the input',
    definition: single({ Type: 'Task', Resource: fn('hello'), ResultPath: null }),
    input: { comment: 'This is a test', who: 'Step Functions' },
    tasks: { [fn('hello')]: () => 'Hello!' },
    expected: { status: 'SUCCEEDED', output: { comment: 'This is a test', who: 'Step Functions' } },
    expectCalls: { [fn('hello')]: 1 },
  },
  {
    name: 'ResultPath adds the result under a new key of the input',
    definition: single({ Type: 'Task', Resource: fn('hello'), ResultPath: '$.taskresult' }),
    input: { comment: 'This is a test', who: 'AWS' },
    tasks: { [fn('hello')]: (i: { who: string }) => `Hello, ${i.who}!` },
    expected: { status: 'SUCCEEDED', output: { comment: 'This is a test', who: 'AWS', taskresult: 'Hello, AWS!' } },
  },
  {
    name: 'ResultPath creates the missing intermediate objects',
    definition: single({ Type: 'Pass', Result: { done: true }, ResultPath: '$.x.y.z' }),
    input: { a: 1 },
    expected: { status: 'SUCCEEDED', output: { a: 1, x: { y: { z: { done: true } } } } },
  },
  {
    name: 'ResultPath merges into an existing nested object and keeps its other keys',
    definition: single({ Type: 'Pass', Result: 'new', ResultPath: '$.a.over' }),
    input: { a: { keep: 1, over: 'old' }, b: 2 },
    expected: { status: 'SUCCEEDED', output: { a: { keep: 1, over: 'new' }, b: 2 } },
  },
  {
    name: 'ResultPath overwrites an existing key, whatever its type',
    definition: single({ Type: 'Pass', Result: [1, 2], ResultPath: '$.r' }),
    input: { r: { was: 'an object' }, k: 1 },
    expected: { status: 'SUCCEEDED', output: { r: [1, 2], k: 1 } },
  },
  {
    name: 'ResultPath is applied to the raw input, not to the InputPath selection',
    definition: single({ Type: 'Task', Resource: fn('echo'), InputPath: '$.a', ResultPath: '$.res' }),
    input: { a: { v: 1 }, b: 2 },
    tasks: { [fn('echo')]: echo },
    expected: { status: 'SUCCEEDED', output: { a: { v: 1 }, b: 2, res: { v: 1 } } },
  },
  {
    name: 'ResultPath null with an InputPath passes the raw input through',
    definition: single({ Type: 'Task', Resource: fn('echo'), InputPath: '$.a', ResultPath: null }),
    input: { a: { v: 1 }, b: 2 },
    tasks: { [fn('echo')]: () => 'ignored' },
    expected: { status: 'SUCCEEDED', output: { a: { v: 1 }, b: 2 } },
  },
  {
    name: 'ResultPath into a string input fails with States.ResultPathMatchFailure',
    // ASL specification, "ResultPath": a state whose input is the string "foo" cannot apply "$.x".
    definition: single({ Type: 'Pass', Result: 1, ResultPath: '$.x' }),
    input: 'foo',
    expected: { status: 'FAILED', error: 'States.ResultPathMatchFailure' },
  },
  {
    name: 'OutputPath selects part of the state output',
    definition: single({ Type: 'Task', Resource: fn('xy'), ResultPath: '$.r', OutputPath: '$.r.y' }),
    input: { other: true },
    tasks: { [fn('xy')]: () => ({ x: 1, y: { deep: 2 } }) },
    expected: { status: 'SUCCEEDED', output: { deep: 2 } },
  },
  {
    name: 'OutputPath null sends an empty object to the next state',
    definition: chain([
      ['Drop', { Type: 'Pass', OutputPath: null }],
      ['Show', { Type: 'Pass', Parameters: { 'seen.$': '$' } }],
    ]),
    input: { a: 1 },
    expected: { status: 'SUCCEEDED', output: { seen: {} } },
  },
  {
    name: 'OutputPath to a missing field fails the execution with States.Runtime',
    definition: single({ Type: 'Task', Resource: fn('xy'), OutputPath: '$.Payload' }),
    tasks: { [fn('xy')]: () => ({ ExecutedVersion: '$LATEST', StatusCode: 200 }) },
    expected: { status: 'FAILED', error: 'States.Runtime' },
  },
  {
    name: 'InputPath, Parameters, ResultSelector, ResultPath and OutputPath apply in that order',
    definition: single({
      Type: 'Task',
      Resource: fn('price'),
      InputPath: '$.order',
      Parameters: { 'orderId.$': '$.id', 'quantity.$': '$.qty', kind: 'standard' },
      ResultSelector: { 'total.$': '$.Payload.total', 'ref.$': '$.Payload.ref', 'code.$': '$.StatusCode' },
      ResultPath: '$.order.receipt',
      OutputPath: '$.order',
    }),
    input: { order: { id: 'o-1', qty: 3 }, meta: { src: 'web' } },
    tasks: {
      [fn('price')]: (i: { orderId: string; quantity: number; kind: string }) => {
        if (Object.keys(i).length !== 3 || i.kind !== 'standard') throw new Error(`unexpected task input ${JSON.stringify(i)}`);
        return { Payload: { total: i.quantity * 10, ref: `${i.orderId}/${i.kind}` }, StatusCode: 200 };
      },
    },
    expected: { status: 'SUCCEEDED', output: { id: 'o-1', qty: 3, receipt: { total: 30, ref: 'o-1/standard', code: 200 } } },
  },
  {
    name: 'The output of one state is the input of the next',
    definition: chain([
      ['A', { Type: 'Pass', Result: { step: 1 }, ResultPath: '$.a' }],
      ['B', { Type: 'Pass', Result: { step: 2 }, ResultPath: '$.b' }],
      ['C', { Type: 'Pass', OutputPath: '$.b' }],
    ]),
    input: {},
    expected: { status: 'SUCCEEDED', output: { step: 2 } },
    expectEvents: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'PassStateEntered', 'PassStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
  },
];
