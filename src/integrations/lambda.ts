/*
 * Lambda resources of Task states, run on this platform's functions:
 *   arn:aws:states:::lambda:invoke                 Parameters FunctionName, Payload, Qualifier;
 *                                                  output {ExecutedVersion, Payload, StatusCode, Sdk...}
 *   arn:aws:lambda:REGION:ACCOUNT:function:NAME[:Q] the state's input is the event; output is the
 *                                                  handler's return value
 * A function error fails the task as Step Functions reports it: error = the function's
 * errorType ("TypeError", a custom Error's name, "Sandbox.Timedout"), cause = the error as
 * JSON text, so Retry and Catch match on the same names as on AWS.
 */
import type { Json } from '../asl/types.js';
import { TaskFailure, type TaskHandler, type TaskInvocation } from '../engine/task-registry.js';
import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../errors.js';
import { isFunctionResource } from '../functions/arn.js';
import type { FunctionError, FunctionsService, InvokeResult } from '../functions/types.js';

const INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;

export type FunctionInvoker = Pick<FunctionsService, 'invoke'>;

export function lambdaHandlers(runtime: FunctionInvoker): { resolve(resource: string): TaskHandler | undefined } {
  const invokeTask: TaskHandler = async (input, invocation) => {
    const params = parameters(input);
    const result = await invoke(runtime, params.functionName, params.payload, invocation, params.qualifier);
    return {
      ExecutedVersion: result.executedVersion,
      Payload: result.payload,
      SdkHttpMetadata: sdkHttpMetadata(result),
      SdkResponseMetadata: { RequestId: result.requestId },
      StatusCode: 200,
    };
  };

  return {
    resolve(resource) {
      if (INVOKE.test(resource)) return invokeTask;
      if (isFunctionResource(resource)) return async (input, invocation) => (await invoke(runtime, resource, input, invocation)).payload;
      return undefined;
    },
  };
}

interface InvokeParameters {
  functionName: string;
  payload: Json;
  qualifier?: string;
}

function parameters(input: Json): InvokeParameters {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('the Parameters of lambda:invoke must be an object with FunctionName');
  const { FunctionName, Payload, Qualifier, InvocationType } = input;
  if (typeof FunctionName !== 'string') throw invalid('lambda:invoke needs Parameters.FunctionName: a function name or ARN');
  if (Qualifier !== undefined && typeof Qualifier !== 'string') throw invalid('Parameters.Qualifier must be a string');
  // The other invocation types answer before the function ends; nothing here waits for those.
  if (InvocationType !== undefined && InvocationType !== 'RequestResponse') throw invalid(`InvocationType "${String(InvocationType)}" is not supported here; use RequestResponse`);
  // As Lambda: no payload is an empty event.
  return { functionName: FunctionName, payload: Payload === undefined ? {} : Payload, ...(Qualifier === undefined ? {} : { qualifier: Qualifier }) };
}

function invalid(message: string): TaskFailure {
  return new TaskFailure('Lambda.InvalidParameterValueException', message);
}

/** Invokes, turning a function error and the platform's refusals into task failures. */
async function invoke(runtime: FunctionInvoker, ref: string, payload: Json, invocation: TaskInvocation, qualifier?: string): Promise<InvokeResult & { payload: Json }> {
  let result: InvokeResult;
  try {
    result = await runtime.invoke(ref, payload, { signal: invocation.signal, ...(qualifier === undefined ? {} : { qualifier }) });
  } catch (err) {
    if (err instanceof NotFoundError) throw new TaskFailure('Lambda.ResourceNotFoundException', `Function not found: ${ref}${qualifier === undefined ? '' : `:${qualifier}`} (${err.message})`);
    if (err instanceof PayloadTooLargeError) throw new TaskFailure('Lambda.RequestTooLargeException', err.message);
    if (err instanceof BadRequestError) throw invalid(err.message);
    throw err;
  }
  if ('error' in result) throw functionFailure(result.error);
  return result;
}

/** Step Functions' error for a failed Lambda: its errorType, with the whole error as the cause. */
export function functionFailure(error: FunctionError): TaskFailure {
  const cause = { errorMessage: error.errorMessage, errorType: error.errorType, ...(error.trace && error.trace.length > 0 ? { trace: error.trace } : {}) };
  return new TaskFailure(error.errorType, JSON.stringify(cause));
}

function sdkHttpMetadata(result: InvokeResult): Json {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Amz-Executed-Version': result.executedVersion,
    'x-amzn-RequestId': result.requestId,
  };
  return {
    AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    HttpHeaders: headers,
    HttpStatusCode: 200,
  };
}
