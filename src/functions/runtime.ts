/*
 * Runs handlers on piscina worker threads, one pool per memory size: V8's heap limit is set
 * when a thread starts, so threads of one pool share it. A handler that loops or allocates
 * without end costs its own thread, never the server's event loop: a timeout aborts the task,
 * which terminates that thread, and piscina starts another in its place.
 *
 * The heap limit covers JavaScript objects only; Buffers and ArrayBuffers live outside it.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Json } from '../asl/types.js';
import type { FunctionError } from './types.js';
import type { WorkerResult, WorkerTask } from './worker.js';

export interface RunTarget {
  /** Import URL of the module (see files.ts). */
  url: string;
  handler: string;
  name: string;
  version: number;
  invokedFunctionArn: string;
  memoryMiB: number;
  timeoutSeconds: number;
  requestId: string;
}

export interface RuntimeOptions {
  /** Threads per memory size; default: one per CPU. */
  maxThreads?: number;
  /** Idle threads above one per pool end after this long. */
  idleTimeoutMs?: number;
  /** The workers' environment; default: the server's, without SKYBATCH_* (its database URL and tokens). */
  env?: Record<string, string>;
  /**
   * More environment for one invocation: the server gives each invocation SKYBATCH_ENDPOINT and
   * a token of its own, so a handler can read and write objects (as a Lambda calls S3).
   * `end` is called once the invocation is over, however it ended: its token ends with it.
   */
  invocationEnv?: (functionName: string) => { env: Record<string, string>; end(): void };
}

const here = import.meta.url;
// Run from source (tests, tsx), the worker is TypeScript as well and loads through tsx, a
// development dependency; the built package runs worker.js with plain Node.
const fromSource = here.endsWith('.ts');
const WORKER = new URL(fromSource ? './worker.ts' : './worker.js', here).href;
const EXEC_ARGV = ['--enable-source-maps', ...(fromSource ? ['--import', pathToFileURL(createRequire(here).resolve('tsx')).href] : [])];

export class FunctionRuntime {
  private readonly pools = new Map<number, Piscina>();
  private readonly env: Record<string, string>;
  private closed = false;

  constructor(private readonly options: RuntimeOptions = {}) {
    this.env = options.env ?? serverEnv();
  }

  /** Function errors come back as `{error}`; rejects only when `signal` aborts or the runtime is closed. */
  async run(target: RunTarget, payload: Json, signal?: AbortSignal): Promise<{ payload: Json } | { error: FunctionError }> {
    if (this.closed) throw new Error('the function runtime is closed');
    signal?.throwIfAborted();
    const pool = this.pool(target.memoryMiB);
    const { port1, port2 } = new MessageChannel();
    const timeout = new AbortController();
    const invocation = this.options.invocationEnv?.(target.name);
    let timer: NodeJS.Timeout | undefined;
    port1.once('message', () => {
      timer = setTimeout(() => timeout.abort(), target.timeoutSeconds * 1000);
    });
    const task: WorkerTask = {
      url: target.url,
      handler: target.handler,
      payload: JSON.stringify(payload) ?? 'null',
      timeoutMs: target.timeoutSeconds * 1000,
      context: {
        functionName: target.name,
        functionVersion: String(target.version),
        invokedFunctionArn: target.invokedFunctionArn,
        memoryLimitInMB: String(target.memoryMiB),
        awsRequestId: target.requestId,
      },
      env: {
        AWS_LAMBDA_FUNCTION_NAME: target.name,
        AWS_LAMBDA_FUNCTION_VERSION: String(target.version),
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(target.memoryMiB),
        ...invocation?.env,
      },
      port: port2,
    };
    try {
      const abort = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
      const result = (await pool.run(task, { signal: abort, transferList: [port2] })) as WorkerResult;
      return 'error' in result ? result : { payload: JSON.parse(result.payload) as Json };
    } catch (err) {
      if (timeout.signal.aborted) return { error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${target.timeoutSeconds.toFixed(2)} seconds` } };
      if (signal?.aborted) throw err;
      return { error: workerDied(err, target) };
    } finally {
      clearTimeout(timer);
      port1.close();
      invocation?.end();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy()));
  }

  private pool(memoryMiB: number): Piscina {
    let pool = this.pools.get(memoryMiB);
    if (!pool) {
      pool = new Piscina({
        filename: WORKER,
        execArgv: EXEC_ARGV,
        env: this.env,
        // One invocation per thread: a timeout terminates the thread, and must take no other with it.
        concurrentTasksPerWorker: 1,
        // Idle threads keep running their event loop rather than sleeping in Atomics.wait:
        // threads are shared by the functions of one memory size, and a timer one function
        // left behind must fire (and crash, if it does) now, not inside another's invocation.
        atomics: 'disabled',
        minThreads: 1,
        maxThreads: this.options.maxThreads ?? availableParallelism(),
        idleTimeout: this.options.idleTimeoutMs ?? 60_000,
        resourceLimits: { maxOldGenerationSizeMb: memoryMiB },
      });
      // A thread can also die between tasks (a timer the handler left behind throws, or it
      // calls process.exit later). piscina replaces it; unheard, the event would end the server.
      pool.on('error', (err: unknown) => console.error(`skybatch: a function worker (${memoryMiB} MiB) died between invocations:`, err instanceof Error ? err.message : err));
      this.pools.set(memoryMiB, pool);
    }
    return pool;
  }
}

/** What a dead worker means, in the words Lambda uses for a sandbox that died. */
function workerDied(err: unknown, target: RunTarget): FunctionError {
  const e = err as { code?: unknown; message?: unknown };
  const prefix = `RequestId: ${target.requestId} Error: Runtime exited with error`;
  if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return { errorType: 'Runtime.OutOfMemory', errorMessage: `${prefix}: JavaScript heap out of memory (limit ${target.memoryMiB} MiB)` };
  }
  const message = typeof e.message === 'string' ? e.message : String(err);
  const exit = /exited with code:? (-?\d+)/.exec(message);
  return { errorType: 'Runtime.ExitError', errorMessage: `${prefix}: ${exit ? `exit status ${exit[1]}` : message}` };
}

function serverEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('SKYBATCH_')) env[key] = value;
  return env;
}
