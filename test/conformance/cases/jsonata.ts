/*
 * JSONata query language: top-level and per-state QueryLanguage, Arguments and Output,
 * "{% %}" expressions, $states.input / result / errorOutput / context, Choice Condition,
 * Map Items and ItemSelector, Wait and Fail expressions, Retry and Catch.
 */
import { TaskFailure } from '../../../src/engine/task-registry.js';
import type { ConformanceCase } from '../case.js';
import { chain, echo, fn, single } from '../helpers.js';

const J = { QueryLanguage: 'JSONata' };

export const cases: ConformanceCase[] = [
  {
    name: 'Output evaluates expressions against $states.input',
    definition: single({ Type: 'Pass', Output: { sum: '{% $states.input.a + $states.input.b %}', label: 'total' } }, 'S', J),
    input: { a: 2, b: 3 },
    expected: { status: 'SUCCEEDED', output: { sum: 5, label: 'total' } },
  },
  {
    name: 'A whole-value expression may produce any JSON value',
    definition: single({ Type: 'Pass', Output: '{% $states.input.items[1] %}' }, 'S', J),
    input: { items: [{ a: 1 }, { b: [2, 3] }] },
    expected: { status: 'SUCCEEDED', output: { b: [2, 3] } },
  },
  {
    name: 'A Pass state without Output passes its input through',
    definition: single({ Type: 'Pass' }, 'S', J),
    input: { keep: true },
    expected: { status: 'SUCCEEDED', output: { keep: true } },
  },
  {
    name: 'Strings not wrapped in {% %} are literals',
    definition: single({ Type: 'Pass', Output: { a: '$states.input.a', b: '$.a', c: 'plain', 'd.$': '$.a' } }, 'S', J),
    input: { a: 1 },
    expected: { status: 'SUCCEEDED', output: { a: '$states.input.a', b: '$.a', c: 'plain', 'd.$': '$.a' } },
  },
  {
    name: 'Expressions are evaluated inside nested objects and arrays',
    definition: single(
      { Type: 'Pass', Output: { n: '{% 1 + 1 %}', nested: { up: "{% $uppercase('abc') %}" }, arr: ['{% 3 * 3 %}', 'lit', { k: '{% $states.input.k %}' }] } },
      'S',
      J,
    ),
    input: { k: 'v' },
    expected: { status: 'SUCCEEDED', output: { n: 2, nested: { up: 'ABC' }, arr: [9, 'lit', { k: 'v' }] } },
  },
  {
    name: 'JSONata functions are available in expressions',
    definition: single(
      {
        Type: 'Pass',
        Output: {
          count: '{% $count($states.input.items) %}',
          total: '{% $sum($states.input.items.price) %}',
          names: "{% $join($states.input.items.name, ', ') %}",
          doubled: '{% $map($states.input.items, function($i) { $i.price * 2 }) %}',
        },
      },
      'S',
      J,
    ),
    input: { items: [{ name: 'a', price: 2 }, { name: 'b', price: 5 }] },
    expected: { status: 'SUCCEEDED', output: { count: 2, total: 7, names: 'a, b', doubled: [4, 10] } },
  },
  {
    name: 'Arguments build the task input and the result is the default output',
    definition: single({ Type: 'Task', Resource: fn('echo'), Arguments: { id: '{% $states.input.order.id %}', fixed: 'x' } }, 'S', J),
    input: { order: { id: 'o-1' }, noise: true },
    tasks: { [fn('echo')]: echo },
    expected: { status: 'SUCCEEDED', output: { id: 'o-1', fixed: 'x' } },
  },
  {
    name: 'Without Arguments the task receives the state input',
    definition: single({ Type: 'Task', Resource: fn('echo') }, 'S', J),
    input: { whole: 'input' },
    tasks: { [fn('echo')]: echo },
    expected: { status: 'SUCCEEDED', output: { whole: 'input' } },
  },
  {
    name: 'Output may combine $states.input and $states.result',
    definition: single(
      {
        Type: 'Task',
        Resource: fn('price'),
        Arguments: { qty: '{% $states.input.qty %}' },
        Output: { order: '{% $states.input.id %}', total: '{% $states.result.total %}' },
      },
      'S',
      J,
    ),
    input: { id: 'o-9', qty: 4 },
    tasks: { [fn('price')]: (i: { qty: number }) => ({ total: i.qty * 2.5 }) },
    expected: { status: 'SUCCEEDED', output: { order: 'o-9', total: 10 } },
  },
  {
    name: '$states.context exposes the execution name and the state name',
    definition: single({ Type: 'Pass', Output: { execution: '{% $states.context.Execution.Name %}', state: '{% $states.context.State.Name %}' } }, 'Describe', J),
    executionName: 'jsonata-run',
    expected: { status: 'SUCCEEDED', output: { execution: 'jsonata-run', state: 'Describe' } },
  },
  {
    name: 'Choice follows the first rule whose Condition is true',
    definition: {
      ...J,
      StartAt: 'Decide',
      States: {
        Decide: {
          Type: 'Choice',
          Choices: [
            { Condition: '{% $states.input.n > 100 %}', Next: 'Big' },
            { Condition: "{% $states.input.n > 10 and $contains($states.input.s, 'x') %}", Next: 'Medium' },
          ],
          Default: 'Small',
        },
        Big: { Type: 'Pass', Output: 'big', End: true },
        Medium: { Type: 'Pass', Output: 'medium', End: true },
        Small: { Type: 'Pass', Output: 'small', End: true },
      },
    },
    input: { n: 50, s: 'fox' },
    expected: { status: 'SUCCEEDED', output: 'medium' },
  },
  {
    name: 'Choice takes Default when no Condition is true',
    definition: {
      ...J,
      StartAt: 'Decide',
      States: {
        Decide: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.ready %}', Next: 'Go' }], Default: 'Wait' },
        Go: { Type: 'Pass', Output: 'go', End: true },
        Wait: { Type: 'Pass', Output: 'wait', End: true },
      },
    },
    input: { ready: false },
    expected: { status: 'SUCCEEDED', output: 'wait' },
  },
  {
    name: 'Choice with no true Condition and no Default fails with States.NoChoiceMatched',
    definition: {
      ...J,
      StartAt: 'Decide',
      States: {
        Decide: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n = 1 %}', Next: 'One' }] },
        One: { Type: 'Succeed' },
      },
    },
    input: { n: 2 },
    expected: { status: 'FAILED', error: 'States.NoChoiceMatched' },
  },
  {
    name: 'Map iterates over Items given by an expression',
    definition: single(
      {
        Type: 'Map',
        Items: '{% $states.input.numbers %}',
        ItemProcessor: { StartAt: 'Double', States: { Double: { Type: 'Pass', Output: '{% $states.input * 2 %}', End: true } } },
      },
      'S',
      J,
    ),
    input: { numbers: [1, 2, 3] },
    expected: { status: 'SUCCEEDED', output: [2, 4, 6] },
  },
  {
    name: 'Map Items may be a literal array',
    definition: single({ Type: 'Map', Items: ['a', 'b'], ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } }, 'S', J),
    expected: { status: 'SUCCEEDED', output: ['a', 'b'] },
  },
  {
    name: 'Map ItemSelector reads $states.context.Map.Item',
    definition: single(
      {
        Type: 'Map',
        Items: '{% $states.input.colors %}',
        ItemSelector: { index: '{% $states.context.Map.Item.Index %}', value: '{% $states.context.Map.Item.Value %}', shop: '{% $states.input.shop %}' },
        ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
      },
      'S',
      J,
    ),
    input: { colors: ['red', 'blue'], shop: 'north' },
    expected: {
      status: 'SUCCEEDED',
      output: [
        { index: 0, value: 'red', shop: 'north' },
        { index: 1, value: 'blue', shop: 'north' },
      ],
    },
  },
  {
    name: 'Map Output may aggregate $states.result',
    definition: single(
      {
        Type: 'Map',
        Items: '{% $states.input.prices %}',
        ItemProcessor: { StartAt: 'Tax', States: { Tax: { Type: 'Task', Resource: fn('tax'), End: true } } },
        Output: { total: '{% $sum($states.result) %}', count: '{% $count($states.result) %}' },
      },
      'S',
      J,
    ),
    input: { prices: [10, 20] },
    tasks: { [fn('tax')]: (p: number) => p * 1.5 },
    expected: { status: 'SUCCEEDED', output: { total: 45, count: 2 } },
  },
  {
    name: 'Parallel Arguments are the input of every branch and Output shapes the result',
    definition: single(
      {
        Type: 'Parallel',
        Arguments: { n: '{% $states.input.value %}' },
        Branches: [
          { StartAt: 'Inc', States: { Inc: { Type: 'Pass', Output: '{% $states.input.n + 1 %}', End: true } } },
          { StartAt: 'Dec', States: { Dec: { Type: 'Pass', Output: '{% $states.input.n - 1 %}', End: true } } },
        ],
        Output: { up: '{% $states.result[0] %}', down: '{% $states.result[1] %}' },
      },
      'S',
      J,
    ),
    input: { value: 10 },
    expected: { status: 'SUCCEEDED', output: { up: 11, down: 9 } },
  },
  {
    name: 'Wait Seconds may be an expression',
    definition: single({ Type: 'Wait', Seconds: '{% $states.input.delay * 2 %}' }, 'S', J),
    input: { delay: 4 },
    expected: { status: 'SUCCEEDED', output: { delay: 4 } },
    minElapsedSeconds: 8,
    maxElapsedSeconds: 8,
  },
  {
    name: 'Wait Timestamp may be an expression',
    definition: single({ Type: 'Wait', Timestamp: '{% $states.input.at %}' }, 'S', J),
    input: { at: '2026-01-01T00:00:45Z' },
    expected: { status: 'SUCCEEDED', output: { at: '2026-01-01T00:00:45Z' } },
    minElapsedSeconds: 45,
    maxElapsedSeconds: 45,
  },
  {
    name: 'Fail Error and Cause may be expressions',
    definition: single({ Type: 'Fail', Error: "{% 'Order.' & $states.input.code %}", Cause: "{% 'order ' & $string($states.input.id) & ' rejected' %}" }, 'S', J),
    input: { code: 'Rejected', id: 17 },
    expected: { status: 'FAILED', error: 'Order.Rejected', cause: 'order 17 rejected' },
  },
  {
    name: 'Without Output a Catch passes the error output',
    definition: {
      ...J,
      StartAt: 'Work',
      States: {
        Work: { Type: 'Task', Resource: fn('boom'), Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }], End: true },
        Handled: { Type: 'Pass', End: true },
      },
    },
    tasks: {
      [fn('boom')]: () => {
        throw new TaskFailure('Boom', 'went off');
      },
    },
    expected: { status: 'SUCCEEDED', output: { Error: 'Boom', Cause: 'went off' } },
  },
  {
    name: 'A Catch Output may combine $states.input and $states.errorOutput',
    definition: {
      ...J,
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: fn('boom'),
          Catch: [{ ErrorEquals: ['Boom'], Output: "{% $merge([$states.input, {'error': $states.errorOutput.Error, 'why': $states.errorOutput.Cause}]) %}", Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', End: true },
      },
    },
    input: { job: 3 },
    tasks: {
      [fn('boom')]: () => {
        throw new TaskFailure('Boom', 'went off');
      },
    },
    expected: { status: 'SUCCEEDED', output: { job: 3, error: 'Boom', why: 'went off' } },
  },
  {
    name: 'Retry works the same in a JSONata state',
    definition: single(
      {
        Type: 'Task',
        Resource: fn('flaky'),
        Arguments: { attempt: 'x' },
        Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 }],
        Output: '{% $states.result.ok %}',
      },
      'S',
      J,
    ),
    tasks: {
      [fn('flaky')]: (_i: unknown, calls: number) => {
        if (calls < 3) throw new TaskFailure('Flaky', `call ${calls}`);
        return { ok: calls };
      },
    },
    expected: { status: 'SUCCEEDED', output: 3 },
    expectCalls: { [fn('flaky')]: 3 },
    minElapsedSeconds: 6,
    maxElapsedSeconds: 6,
  },
  {
    name: 'An expression that fails to evaluate fails the state with States.QueryEvaluationError',
    definition: single({ Type: 'Pass', Output: { n: "{% $number('not a number') %}" } }, 'S', J),
    expected: { status: 'FAILED', error: 'States.QueryEvaluationError' },
  },
  {
    name: 'States.QueryEvaluationError can be caught',
    definition: {
      ...J,
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: fn('echo'),
          Arguments: { n: "{% $number('x') %}" },
          Catch: [{ ErrorEquals: ['States.QueryEvaluationError'], Output: '{% $states.errorOutput.Error %}', Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', End: true },
      },
    },
    tasks: { [fn('echo')]: echo },
    expected: { status: 'SUCCEEDED', output: 'States.QueryEvaluationError' },
    expectCalls: { [fn('echo')]: 0 },
  },
  {
    name: 'A JSONata state may run inside a JSONPath state machine',
    definition: chain([
      ['PathState', { Type: 'Pass', Parameters: { 'v.$': '$.value' } }],
      ['AtaState', { Type: 'Pass', QueryLanguage: 'JSONata', Output: { doubled: '{% $states.input.v * 2 %}' } }],
    ]),
    input: { value: 21 },
    expected: { status: 'SUCCEEDED', output: { doubled: 42 } },
  },
];
