/* The Pass state: input passthrough, Result, Parameters, ResultPath. */
import type { ConformanceCase } from '../case.js';
import { chain, single } from '../helpers.js';

export const cases: ConformanceCase[] = [
  {
    name: 'A Pass state without fields passes its input to its output',
    definition: single({ Type: 'Pass' }),
    input: { a: 1, b: { c: [1, 2] } },
    expected: { status: 'SUCCEEDED', output: { a: 1, b: { c: [1, 2] } } },
    expectEvents: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
  },
  {
    name: 'Result replaces the input when ResultPath is absent',
    definition: single({ Type: 'Pass', Result: { 'x-datum': 0.381018, 'y-datum': 622.2269926397355 } }),
    input: { georefOf: 'Home' },
    expected: { status: 'SUCCEEDED', output: { 'x-datum': 0.381018, 'y-datum': 622.2269926397355 } },
  },
  {
    name: 'Result is placed into the input by ResultPath',
    definition: single({ Type: 'Pass', Result: { 'x-datum': 0.381018, 'y-datum': 622.2269926397355 }, ResultPath: '$.coords' }),
    input: { georefOf: 'Home' },
    expected: { status: 'SUCCEEDED', output: { georefOf: 'Home', coords: { 'x-datum': 0.381018, 'y-datum': 622.2269926397355 } } },
  },
  {
    name: 'Result may be a scalar or an array',
    definition: chain([
      ['Str', { Type: 'Pass', Result: 'text', ResultPath: '$.s' }],
      ['Num', { Type: 'Pass', Result: 0, ResultPath: '$.n' }],
      ['Bool', { Type: 'Pass', Result: false, ResultPath: '$.b' }],
      ['Arr', { Type: 'Pass', Result: [1, [2], { three: 3 }], ResultPath: '$.a' }],
    ]),
    expected: { status: 'SUCCEEDED', output: { s: 'text', n: 0, b: false, a: [1, [2], { three: 3 }] } },
  },
  {
    name: 'Result with ResultPath null leaves the input unchanged',
    definition: single({ Type: 'Pass', Result: { ignored: true }, ResultPath: null }),
    input: { kept: 'yes' },
    expected: { status: 'SUCCEEDED', output: { kept: 'yes' } },
  },
  {
    name: 'Result is not evaluated as a template: ".$" keys stay literal',
    definition: single({ Type: 'Pass', Result: { 'key.$': '$.a', plain: '$.a' } }),
    input: { a: 'would-be-selected' },
    expected: { status: 'SUCCEEDED', output: { 'key.$': '$.a', plain: '$.a' } },
  },
  {
    name: 'Parameters without Result become the Pass output',
    definition: single({ Type: 'Pass', Parameters: { 'who.$': '$.name', fixed: 1 } }),
    input: { name: 'Ada', other: 'dropped' },
    expected: { status: 'SUCCEEDED', output: { who: 'Ada', fixed: 1 } },
  },
  {
    name: 'Parameters output is placed by ResultPath',
    definition: single({ Type: 'Pass', Parameters: { 'copy.$': '$.v' }, ResultPath: '$.made' }),
    input: { v: [1, 2] },
    expected: { status: 'SUCCEEDED', output: { v: [1, 2], made: { copy: [1, 2] } } },
  },
  {
    name: 'InputPath without Result makes the selection the output',
    definition: single({ Type: 'Pass', InputPath: '$.inner' }),
    input: { inner: { x: 1 }, outer: 2 },
    expected: { status: 'SUCCEEDED', output: { x: 1 } },
  },
  {
    name: 'OutputPath selects from the merged result',
    definition: single({ Type: 'Pass', Result: { v: 'r' }, ResultPath: '$.res', OutputPath: '$.res.v' }),
    input: { a: 1 },
    expected: { status: 'SUCCEEDED', output: 'r' },
  },
];
