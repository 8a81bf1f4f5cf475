/*
 * Runs inside a piscina worker thread: imports the function's module (once per worker, as a
 * warm Lambda sandbox keeps it), calls the handler and reports the result or the error in
 * Lambda's shape. Errors thrown by the handler are data here; only a dying worker (timeout,
 * memory, process.exit, an uncaught exception) is reported by the pool, in runtime.ts.
 */
import type { MessagePort } from 'node:worker_threads';

export interface WorkerTask {
  url: string;
  handler: string;
  /** JSON text: parsing here gives the handler an event of its own, as Lambda's does. */
  payload: string;
  timeoutMs: number;
  context: { functionName: string; functionVersion: string; invokedFunctionArn: string; memoryLimitInMB: string; awsRequestId: string };
  env: Record<string, string>;
  /** Told when the task starts, so the timeout counts running time, not time in the queue. */
  port: MessagePort;
}

export interface WorkerError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** `payload` is JSON text, serialized here so that an unserializable result is the function's error. */
export type WorkerResult = { payload: string } | { error: WorkerError };

type Handler = (event: unknown, context: object, callback?: (err: unknown, result?: unknown) => void) => unknown;

const modules = new Map<string, Promise<Record<string, unknown>>>();
/** This file, as source or built, source-mapped or not, and piscina's worker. */
const RUNTIME_FRAME = /[/\\]functions[/\\]worker\.(ts|js)\b|[/\\]node_modules[/\\]piscina[/\\]/;

export default async function run(task: WorkerTask): Promise<WorkerResult> {
  const deadline = Date.now() + task.timeoutMs;
  task.port.postMessage('started');
  task.port.close();
  // Each worker thread has its own process.env, and serves one invocation at a time.
  Object.assign(process.env, task.env);
  let mod: Record<string, unknown>;
  try {
    mod = await load(task.url);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') return { error: { ...toLambdaError(err), errorType: 'Runtime.ImportModuleError' } };
    return { error: toLambdaError(err) };
  }
  const handler = mod[task.handler];
  if (typeof handler !== 'function') return { error: { errorType: 'Runtime.HandlerNotFound', errorMessage: `index.${task.handler} is undefined or not exported` } };
  const context = {
    ...task.context,
    logGroupName: `/aws/lambda/${task.context.functionName}`,
    logStreamName: task.context.awsRequestId,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let result: unknown;
  try {
    result = await call(handler as Handler, JSON.parse(task.payload), context);
  } catch (err) {
    return { error: toLambdaError(err) };
  }
  try {
    return { payload: JSON.stringify(result) ?? 'null' };
  } catch (err) {
    return { error: { errorType: 'Runtime.MarshalError', errorMessage: `the handler's result is not JSON: ${(err as Error).message}` } };
  }
}

function load(url: string): Promise<Record<string, unknown>> {
  let mod = modules.get(url);
  if (!mod) {
    mod = import(url) as Promise<Record<string, unknown>>;
    modules.set(url, mod);
    // A module that failed to load is tried again next time, as Lambda re-initialises.
    mod.catch(() => modules.delete(url));
  }
  return mod;
}

/** Async handlers, sync ones, and Node's older callback style (a third parameter). */
function call(handler: Handler, event: unknown, context: object): Promise<unknown> {
  if (handler.length < 3) return Promise.resolve().then(() => handler(event, context));
  return new Promise((resolve, reject) => {
    const done = (err: unknown, value?: unknown) => (err === null || err === undefined ? resolve(value) : reject(err instanceof Error ? err : Object.assign(new Error(String(err)), { name: 'Error' })));
    Promise.resolve()
      .then(() => handler(event, context, done))
      .then((value) => {
        if (value !== undefined) resolve(value);
      }, reject);
  });
}

/** As Lambda's Node runtime: the error's name (or its own errorType), message and stack lines. */
function toLambdaError(err: unknown): WorkerError {
  if (err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err)) {
    const e = err as Error & { errorType?: unknown };
    const errorType = typeof e.errorType === 'string' ? e.errorType : e.name || 'Error';
    const stack = typeof e.stack === 'string' ? e.stack.split('\n') : [];
    // Frames of this runtime (this file, piscina) say nothing about the function, and the
    // cache-busting query of the module's URL (files.ts) would only confuse its reader.
    const trace = stack.filter((line) => !RUNTIME_FRAME.test(line)).map((line) => line.replace(/\?v=[^:)\s]*/, ''));
    return { errorType, errorMessage: String(e.message), trace };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}
