/*
 * A published function reached from a running state machine on the platform, by
 * lambda:invoke and by its plain ARN, with Catch on the function's own error type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPlatform, type OpenPlatform } from '../../src/engine/platform.js';
import { tempDir, until } from '../support/backends.js';

let platform: OpenPlatform;
beforeAll(async () => {
  platform = await openPlatform({ dataDir: tempDir(), pollMs: 50 });
  await platform.functions!.publish({
    name: 'square',
    code: 'export const handler = async (e) => { if (e.n < 0) { const err = new Error("negative"); err.name = "NegativeInput"; throw err; } return { sq: e.n * e.n }; };',
  });
});
afterAll(async () => {
  await platform.close();
});

describe('functions from workflows on the platform', () => {
  it('invokes by lambda:invoke and by the plain ARN, and catches the error type', async () => {
    await platform.stateMachines.create({
      name: 'squares',
      definition: {
        StartAt: 'Invoke',
        States: {
          Invoke: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'square', 'Payload.$': '$' }, ResultSelector: { 'sq.$': '$.Payload.sq' }, ResultPath: '$.viaInvoke', Next: 'Plain' },
          Plain: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:local:000000000000:function:square',
            ResultPath: '$.viaArn',
            Catch: [{ ErrorEquals: ['NegativeInput'], ResultPath: '$.caught', Next: 'Done' }],
            Next: 'Done',
          },
          Done: { Type: 'Succeed' },
        },
      },
    });
    const run = async (n: number) => {
      const { execution } = await platform.executions.start({ stateMachine: 'squares', input: { n } });
      return until(async () => {
        const e = await platform.executions.describe(execution.id);
        return e.status === 'RUNNING' ? undefined : e;
      });
    };
    expect(await run(3)).toMatchObject({ status: 'SUCCEEDED', output: { n: 3, viaInvoke: { sq: 9 }, viaArn: { sq: 9 } } });
    // lambda:invoke has no Catch: the function's error type fails the execution.
    expect(await run(-2)).toMatchObject({ status: 'FAILED', error: 'NegativeInput' });
    // The plain ARN's Catch matches the error type and gets its message in the cause.
    await platform.stateMachines.update('squares', { definition: { StartAt: 'Plain', States: { Plain: { Type: 'Task', Resource: 'arn:aws:lambda:local:000000000000:function:square', Catch: [{ ErrorEquals: ['NegativeInput'], ResultPath: '$.caught', Next: 'Done' }], End: true }, Done: { Type: 'Succeed' } } } });
    const caught = await run(-2);
    expect(caught.status).toBe('SUCCEEDED');
    const error = (caught.output as { caught: { Error: string; Cause: string } }).caught;
    expect(error.Error).toBe('NegativeInput');
    expect(JSON.parse(error.Cause)).toMatchObject({ errorMessage: 'negative', errorType: 'NegativeInput' });
  });
});
