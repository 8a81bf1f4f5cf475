/* The terminal states: Fail (Error, Cause, ErrorPath, CausePath) and Succeed. */
import type { ConformanceCase } from '../case.js';
import { chain, single } from '../helpers.js';

export const cases: ConformanceCase[] = [
  {
    name: 'Fail ends the execution with its Error and Cause',
    definition: single({ Type: 'Fail', Error: 'ErrorA', Cause: 'Kaiju attack' }, 'FailState'),
    input: { ignored: true },
    expected: { status: 'FAILED', error: 'ErrorA', cause: 'Kaiju attack' },
    expectEvents: ['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed'],
  },
  {
    name: 'Fail with only an Error',
    definition: single({ Type: 'Fail', Error: 'OnlyError' }),
    expected: { status: 'FAILED', error: 'OnlyError' },
  },
  {
    name: 'ErrorPath and CausePath read the error and cause from the input',
    definition: single({ Type: 'Fail', ErrorPath: '$.err.name', CausePath: '$.err.why' }),
    input: { err: { name: 'Custom.Error', why: 'the input said so' } },
    expected: { status: 'FAILED', error: 'Custom.Error', cause: 'the input said so' },
  },
  {
    name: 'CausePath may build the cause with States.Format',
    definition: single({ Type: 'Fail', Error: 'OrderFailed', CausePath: "States.Format('Order {} failed at step {}', $.id, $.step)" }),
    input: { id: 'o-17', step: 3 },
    expected: { status: 'FAILED', error: 'OrderFailed', cause: 'Order o-17 failed at step 3' },
  },
  {
    name: 'CausePath may serialise part of the input with States.JsonToString',
    definition: single({ Type: 'Fail', ErrorPath: '$.kind', CausePath: 'States.JsonToString($.details)' }),
    input: { kind: 'Validation', details: { code: 7, msg: 'bad' } },
    expected: { status: 'FAILED', error: 'Validation', cause: '{"code":7,"msg":"bad"}' },
  },
  {
    name: 'ErrorPath may build the error with States.Format',
    definition: single({ Type: 'Fail', ErrorPath: "States.Format('App.{}', $.code)", Cause: 'fixed' }),
    input: { code: 'NotFound' },
    expected: { status: 'FAILED', error: 'App.NotFound', cause: 'fixed' },
  },
  {
    name: 'A Fail state reached after other states ends the execution there',
    definition: chain([
      ['Prepare', { Type: 'Pass', Result: { stage: 'prepared' } }],
      ['Stop', { Type: 'Fail', Error: 'Stopped', Cause: 'by design' }],
    ]),
    expected: { status: 'FAILED', error: 'Stopped', cause: 'by design' },
    expectEvents: ['PassStateEntered', 'PassStateExited', 'FailStateEntered', 'ExecutionFailed'],
  },
  {
    name: 'Succeed passes its input to the execution output',
    definition: single({ Type: 'Succeed' }),
    input: { done: [1, 2, 3] },
    expected: { status: 'SUCCEEDED', output: { done: [1, 2, 3] } },
    expectEvents: ['ExecutionStarted', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded'],
  },
  {
    name: 'Succeed applies InputPath and OutputPath',
    definition: single({ Type: 'Succeed', InputPath: '$.result', OutputPath: '$.value' }),
    input: { result: { value: 'v', noise: 1 }, other: 2 },
    expected: { status: 'SUCCEEDED', output: 'v' },
  },
  {
    name: 'A Choice may end the execution through a Succeed state',
    definition: {
      StartAt: 'Decide',
      States: {
        Decide: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'Done' }], Default: 'Broken' },
        Done: { Type: 'Succeed' },
        Broken: { Type: 'Fail', Error: 'NotOk' },
      },
    },
    input: { ok: true },
    expected: { status: 'SUCCEEDED', output: { ok: true } },
  },
  {
    name: 'A Choice may end the execution through a Fail state',
    definition: {
      StartAt: 'Decide',
      States: {
        Decide: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'Done' }], Default: 'Broken' },
        Done: { Type: 'Succeed' },
        Broken: { Type: 'Fail', Error: 'NotOk', Cause: 'ok was false' },
      },
    },
    input: { ok: false },
    expected: { status: 'FAILED', error: 'NotOk', cause: 'ok was false' },
  },
  {
    name: 'Succeed inside a Parallel branch ends only that branch',
    definition: chain([
      [
        'Both',
        {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Early', States: { Early: { Type: 'Succeed' } } },
            { StartAt: 'Work', States: { Work: { Type: 'Pass', Result: 'worked', End: true } } },
          ],
        },
      ],
      ['After', { Type: 'Pass', Parameters: { 'branches.$': '$' } }],
    ]),
    input: { in: 1 },
    expected: { status: 'SUCCEEDED', output: { branches: [{ in: 1 }, 'worked'] } },
  },
];
