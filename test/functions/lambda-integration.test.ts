/*
 * The Lambda Task resources through the interpreter (runExecution) with a registry built
 * from lambdaHandlers: outputs shaped as Step Functions', and function errors that Retry and
 * Catch match by the names AWS uses.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../../src/asl/types.js';
import { runExecution, virtualClock, type RunResult } from '../../src/engine/local-runner.js';
import { lambdaHandlers } from '../../src/integrations/lambda.js';
import { code, openFunctions, type Harness } from './helpers.js';

const INVOKE = 'arn:aws:states:::lambda:invoke';
const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

let h: Harness;
let run: (definition: object, input?: Json) => Promise<RunResult>;

beforeAll(async () => {
  h = await openFunctions();
  const lambda = lambdaHandlers(h.functions);
  run = (definition, input = {}) => runExecution(definition, input, { registry: (resource) => lambda.resolve(resource), clock: virtualClock() });
  await h.functions.publish({ name: 'add', code: code.sync });
  await h.functions.publish({ name: 'add', code: 'export const handler = (e) => e.a + e.b + 1000;' });
  await h.functions.createAlias('add', 'prod', 1);
  await h.functions.publish({ name: 'custom', code: code.custom });
  await h.functions.publish({ name: 'forever', code: code.loop, timeoutSeconds: 1 });
  // Fails until it has been called `times` times, counting in a file: retries may land on other threads.
  await h.functions.publish({
    name: 'flaky',
    code: `import { existsSync, readFileSync, writeFileSync } from 'node:fs';
class FlakyError extends Error { name = 'FlakyError'; }
export const handler = (event) => {
  const calls = (existsSync(event.file) ? Number(readFileSync(event.file, 'utf8')) : 0) + 1;
  writeFileSync(event.file, String(calls));
  if (calls < event.times) throw new FlakyError('call ' + calls);
  return { calls };
};`,
  });
});
afterAll(async () => {
  await h.close();
});

function task(resource: string, extra: object = {}): object {
  return { StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, End: true, ...extra } } };
}

describe('arn:aws:states:::lambda:invoke', () => {
  it('returns Payload, StatusCode and ExecutedVersion as Step Functions does', async () => {
    const result = await run(task(INVOKE, { Parameters: { FunctionName: 'add', 'Payload.$': '$' } }), { a: 1, b: 2 });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      ExecutedVersion: '2',
      Payload: 1003,
      StatusCode: 200,
      SdkHttpMetadata: { HttpStatusCode: 200, HttpHeaders: { 'X-Amz-Executed-Version': '2' } },
      SdkResponseMetadata: { RequestId: expect.any(String) },
    });
  });

  it('takes a Qualifier, or one in the FunctionName ARN', async () => {
    const byParam = await run(task(INVOKE, { Parameters: { FunctionName: arn('add'), Qualifier: 'prod', Payload: { a: 1, b: 2 } }, OutputPath: '$.Payload' }));
    expect(byParam.output).toBe(3);
    const byArn = await run(task(INVOKE, { Parameters: { FunctionName: `${arn('add')}:1`, Payload: { a: 5, b: 5 } }, ResultSelector: { 'v.$': '$.ExecutedVersion', 'p.$': '$.Payload' } }));
    expect(byArn.output).toEqual({ v: '1', p: 10 });
  });

  it('fails with the function error type and a JSON cause, which Catch matches', async () => {
    const definition = task(INVOKE, { Parameters: { FunctionName: 'custom' }, Catch: [{ ErrorEquals: ['MyError'], ResultPath: '$.failure', Next: 'Caught' }] }) as { States: Record<string, object> };
    definition.States.Caught = { Type: 'Pass', End: true };
    const result = await run(definition, { keep: true });
    expect(result.status).toBe('SUCCEEDED');
    const failure = (result.output as { failure: { Error: string; Cause: string } }).failure;
    expect(failure.Error).toBe('MyError');
    const cause = JSON.parse(failure.Cause) as { errorMessage: string; errorType: string; trace: string[] };
    expect(cause).toMatchObject({ errorMessage: 'custom failure', errorType: 'MyError' });
    expect(cause.trace[0]).toBe('MyError: custom failure');
    expect(Object.keys(cause)).toEqual(['errorMessage', 'errorType', 'trace']);
  });

  it('reports an unknown function as Lambda.ResourceNotFoundException', async () => {
    const result = await run(task(INVOKE, { Parameters: { FunctionName: 'nobody' } }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException', cause: expect.stringMatching(/nobody/) });
  });

  it('refuses Parameters without a FunctionName', async () => {
    const result = await run(task(INVOKE, { Parameters: { Payload: {} } }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'Lambda.InvalidParameterValueException' });
  });
});

describe('the plain function ARN', () => {
  it("passes the state's input and returns the handler's value", async () => {
    expect((await run(task(arn('add')), { a: 1, b: 2 })).output).toBe(1003);
    expect((await run(task(`${arn('add')}:prod`), { a: 1, b: 2 })).output).toBe(3);
  });

  it('retries on the function error name until it succeeds', async () => {
    const file = join(h.dataDir, 'flaky-calls');
    const result = await run(task(arn('flaky'), { Retry: [{ ErrorEquals: ['FlakyError'], IntervalSeconds: 1, MaxAttempts: 3 }] }), { file, times: 3 });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { calls: 3 } });
  });

  it('fails with the error name when retries run out, and Retry on other names does not apply', async () => {
    const file = join(h.dataDir, 'flaky-calls-2');
    const result = await run(task(arn('flaky'), { Retry: [{ ErrorEquals: ['OtherError'], MaxAttempts: 5 }] }), { file, times: 3 });
    expect(result).toMatchObject({ status: 'FAILED', error: 'FlakyError' });
    expect(JSON.parse(result.cause ?? '')).toMatchObject({ errorType: 'FlakyError', errorMessage: 'call 1' });
  });

  it('fails with Sandbox.Timedout, which Retry and Catch match', async () => {
    const definition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: arn('forever'),
          Retry: [{ ErrorEquals: ['Sandbox.Timedout'], IntervalSeconds: 1, MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ['Sandbox.Timedout'], Next: 'TimedOut' }],
          End: true,
        },
        TimedOut: { Type: 'Pass', Result: 'caught', End: true },
      },
    };
    const started = Date.now();
    const result = await run(definition);
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'caught' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const failures = result.events.filter((e) => e.type === 'TaskFailed');
    expect(failures).toHaveLength(2);
    expect(JSON.stringify(failures[0])).toMatch(/Task timed out after 1.00 seconds/);
  });
});
