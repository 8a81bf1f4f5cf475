/*
 * ResultSelector: a payload template applied to the raw result of a Task, Parallel or Map state,
 * before ResultPath.
 */
import type { ConformanceCase } from '../case.js';
import { fn, single } from '../helpers.js';

const lambdaResult = {
  ExecutedVersion: '$LATEST',
  Payload: { foo: 'bar', colors: ['red', 'blue'], number: 42 },
  SdkHttpMetadata: { HttpStatusCode: 200 },
  StatusCode: 200,
};

export const cases: ConformanceCase[] = [
  {
    name: 'ResultSelector reshapes the raw task result',
    definition: single({
      Type: 'Task',
      Resource: fn('lambda'),
      ResultSelector: { 'payload.$': '$.Payload', 'code.$': '$.StatusCode', source: 'lambda' },
    }),
    tasks: { [fn('lambda')]: () => lambdaResult },
    expected: { status: 'SUCCEEDED', output: { payload: { foo: 'bar', colors: ['red', 'blue'], number: 42 }, code: 200, source: 'lambda' } },
  },
  {
    name: 'ResultSelector output is placed by ResultPath into the raw input',
    definition: single({
      Type: 'Task',
      Resource: fn('lambda'),
      ResultSelector: { 'n.$': '$.Payload.number' },
      ResultPath: '$.taskresult',
    }),
    input: { keep: 'me' },
    tasks: { [fn('lambda')]: () => lambdaResult },
    expected: { status: 'SUCCEEDED', output: { keep: 'me', taskresult: { n: 42 } } },
  },
  {
    name: 'ResultSelector is evaluated against the result, not the state input',
    definition: single({
      Type: 'Task',
      Resource: fn('lambda'),
      ResultSelector: { 'from.$': '$.StatusCode' },
      ResultPath: '$.sel',
    }),
    input: { StatusCode: 'from-input' },
    tasks: { [fn('lambda')]: () => lambdaResult },
    expected: { status: 'SUCCEEDED', output: { StatusCode: 'from-input', sel: { from: 200 } } },
  },
  {
    name: 'ResultSelector with a multi-node path yields an array',
    definition: single({ Type: 'Task', Resource: fn('rows'), ResultSelector: { 'names.$': '$.rows[*].name' } }),
    tasks: { [fn('rows')]: () => ({ rows: [{ name: 'a' }, { name: 'b' }] }) },
    expected: { status: 'SUCCEEDED', output: { names: ['a', 'b'] } },
  },
  {
    name: 'ResultSelector applies to the array produced by a Parallel state',
    definition: single({
      Type: 'Parallel',
      Branches: [
        { StartAt: 'One', States: { One: { Type: 'Pass', Result: { v: 1 }, End: true } } },
        { StartAt: 'Two', States: { Two: { Type: 'Pass', Result: { v: 2 }, End: true } } },
      ],
      ResultSelector: { 'first.$': '$[0].v', 'second.$': '$[1]' },
    }),
    expected: { status: 'SUCCEEDED', output: { first: 1, second: { v: 2 } } },
  },
  {
    name: 'ResultSelector applies to the array produced by a Map state',
    definition: single({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
      ResultSelector: { 'count.$': 'States.ArrayLength($)', 'all.$': '$' },
    }),
    input: { items: ['x', 'y', 'z'] },
    expected: { status: 'SUCCEEDED', output: { count: 3, all: ['x', 'y', 'z'] } },
  },
  {
    name: 'ResultSelector may read the context object',
    definition: single(
      { Type: 'Task', Resource: fn('lambda'), ResultSelector: { 'state.$': '$$.State.Name', 'n.$': '$.Payload.number' } },
      'Invoke',
    ),
    tasks: { [fn('lambda')]: () => lambdaResult },
    expected: { status: 'SUCCEEDED', output: { state: 'Invoke', n: 42 } },
  },
  {
    name: 'ResultSelector may call intrinsic functions',
    definition: single({
      Type: 'Task',
      Resource: fn('lambda'),
      ResultSelector: { 'label.$': "States.Format('{} has {} colors', $.Payload.foo, States.ArrayLength($.Payload.colors))" },
    }),
    tasks: { [fn('lambda')]: () => lambdaResult },
    expected: { status: 'SUCCEEDED', output: { label: 'bar has 2 colors' } },
  },
  {
    name: 'ResultSelector output is dropped by ResultPath null',
    definition: single({ Type: 'Task', Resource: fn('lambda'), ResultSelector: { 'p.$': '$.Payload' }, ResultPath: null }),
    input: { untouched: 1 },
    tasks: { [fn('lambda')]: () => lambdaResult },
    expected: { status: 'SUCCEEDED', output: { untouched: 1 } },
  },
  {
    name: 'ResultSelector path missing from the result fails with States.Runtime',
    definition: single({ Type: 'Task', Resource: fn('lambda'), ResultSelector: { 'x.$': '$.NoSuchField' } }),
    tasks: { [fn('lambda')]: () => lambdaResult },
    expected: { status: 'FAILED', error: 'States.Runtime' },
  },
];
