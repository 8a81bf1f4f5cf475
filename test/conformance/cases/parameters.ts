/*
 * Parameters (JSONPath payload templates): static values, "key.$" fields resolved by a path
 * against the effective input, nesting inside objects and arrays.
 */
import type { ConformanceCase } from '../case.js';
import { chain, echo, fn, single } from '../helpers.js';

const product = {
  comment: 'Example for Parameters.',
  product: {
    details: { color: 'blue', size: 'small', material: 'cotton' },
    availability: 'in stock',
    sku: '2317',
    cost: '$23',
  },
};

export const cases: ConformanceCase[] = [
  {
    name: 'Parameters mixes static values and ".$" paths in nested objects',
    definition: single({
      Type: 'Pass',
      Parameters: {
        comment: 'Selecting what I care about.',
        MyDetails: { 'size.$': '$.product.details.size', 'exists.$': '$.product.availability', StaticValue: 'foo' },
      },
    }),
    input: product,
    expected: {
      status: 'SUCCEEDED',
      output: { comment: 'Selecting what I care about.', MyDetails: { size: 'small', exists: 'in stock', StaticValue: 'foo' } },
    },
  },
  {
    name: 'Static values of every JSON type pass through unchanged',
    definition: single({
      Type: 'Pass',
      Parameters: { s: 'x', n: 1.5, i: -3, b: false, z: null, arr: [1, 'a', { k: [] }], obj: { k: 'v', e: {} } },
    }),
    input: { ignored: true },
    expected: { status: 'SUCCEEDED', output: { s: 'x', n: 1.5, i: -3, b: false, z: null, arr: [1, 'a', { k: [] }], obj: { k: 'v', e: {} } } },
  },
  {
    name: 'A string that looks like a path is a literal unless its key ends with ".$"',
    definition: single({ Type: 'Pass', Parameters: { price: '$23', path: '$.a', 'real.$': '$.a' } }),
    input: { a: 'resolved' },
    expected: { status: 'SUCCEEDED', output: { price: '$23', path: '$.a', real: 'resolved' } },
  },
  {
    name: 'A ".$" path that selects several nodes yields an array',
    definition: single({ Type: 'Pass', Parameters: { 'ids.$': '$.items[*].id' } }),
    input: { items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] },
    expected: { status: 'SUCCEEDED', output: { ids: ['a', 'b', 'c'] } },
  },
  {
    name: 'A ".$" path may select objects, arrays, numbers, booleans and null',
    definition: single({
      Type: 'Pass',
      Parameters: { 'o.$': '$.o', 'a.$': '$.a', 'n.$': '$.n', 'b.$': '$.b', 'z.$': '$.z', 'first.$': '$.a[0]' },
    }),
    input: { o: { k: 1 }, a: [3, 4], n: 0, b: true, z: null },
    expected: { status: 'SUCCEEDED', output: { o: { k: 1 }, a: [3, 4], n: 0, b: true, z: null, first: 3 } },
  },
  {
    name: 'A ".$" path of "$" selects the whole effective input',
    definition: single({ Type: 'Pass', Parameters: { 'all.$': '$', tag: 't' } }),
    input: { x: [1] },
    expected: { status: 'SUCCEEDED', output: { all: { x: [1] }, tag: 't' } },
  },
  {
    name: '".$" fields inside array elements are resolved',
    definition: single({ Type: 'Pass', Parameters: { list: [{ 'a.$': '$.x' }, 'literal', [{ 'b.$': '$.y' }]] } }),
    input: { x: 1, y: 2 },
    expected: { status: 'SUCCEEDED', output: { list: [{ a: 1 }, 'literal', [{ b: 2 }]] } },
  },
  {
    name: '".$" fields are resolved at any depth',
    definition: single({ Type: 'Pass', Parameters: { l1: { l2: { l3: { 'v.$': '$.deep.value' }, s: 's' } } } }),
    input: { deep: { value: 'found' } },
    expected: { status: 'SUCCEEDED', output: { l1: { l2: { l3: { v: 'found' }, s: 's' } } } },
  },
  {
    name: 'Bracket notation selects keys with spaces',
    definition: single({ Type: 'Pass', Parameters: { 'my key.$': "$['my field']" } }),
    input: { 'my field': 5 },
    expected: { status: 'SUCCEEDED', output: { 'my key': 5 } },
  },
  {
    name: 'Parameters are resolved against the InputPath selection',
    definition: single({ Type: 'Pass', InputPath: '$.inner', Parameters: { 'v.$': '$.v' } }),
    input: { v: 'outer', inner: { v: 'inner' } },
    expected: { status: 'SUCCEEDED', output: { v: 'inner' } },
  },
  {
    name: 'Parameters of a Task state are the task input',
    definition: single({ Type: 'Task', Resource: fn('echo'), Parameters: { 'FunctionInput.$': '$.payload', Mode: 'sync' } }),
    input: { payload: { a: 1 }, noise: 'dropped' },
    tasks: { [fn('echo')]: echo },
    expected: { status: 'SUCCEEDED', output: { FunctionInput: { a: 1 }, Mode: 'sync' } },
  },
  {
    name: 'Parameters replace the input even when the result is discarded by ResultPath null',
    definition: single({ Type: 'Task', Resource: fn('record'), Parameters: { fixed: 1 }, ResultPath: null }),
    input: { original: true },
    tasks: {
      [fn('record')]: (i: unknown) => {
        if (JSON.stringify(i) !== '{"fixed":1}') throw new Error(`unexpected task input ${JSON.stringify(i)}`);
        return 'ok';
      },
    },
    expected: { status: 'SUCCEEDED', output: { original: true } },
    expectCalls: { [fn('record')]: 1 },
  },
  {
    name: 'A ".$" path to a missing field fails the execution with States.Runtime',
    // The ASL documentation names States.ParameterPathFailure; the service records States.Runtime
    // ("The JSONPath '$.x' specified for the field 'x.$' could not be found in the input '{}'").
    definition: single({ Type: 'Pass', Parameters: { 'x.$': '$.missing' } }),
    input: {},
    expected: { status: 'FAILED', error: 'States.Runtime', cause: /\$\.missing/ },
  },
  {
    name: 'Parameters build the input of each state of a chain',
    definition: chain([
      ['Shape', { Type: 'Pass', Parameters: { 'name.$': '$.user.name', greeting: 'Hi' } }],
      ['Greet', { Type: 'Task', Resource: fn('greet'), Parameters: { 'text.$': '$.greeting', 'to.$': '$.name' } }],
    ]),
    input: { user: { name: 'Ada' } },
    tasks: { [fn('greet')]: (i: { text: string; to: string }) => ({ message: `${i.text}, ${i.to}` }) },
    expected: { status: 'SUCCEEDED', output: { message: 'Hi, Ada' } },
  },
];
