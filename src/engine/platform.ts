/*
 * Opens the whole platform on one store: services for the API, the engine stepping
 * executions and the dispatcher running their tasks.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { ExecutionWatch, endedExecutions } from '../integrations/execution-watch.js';
import { builtInIntegrations, composeRegistry } from '../integrations/registry.js';
import { createTaskTokens } from '../integrations/task-tokens.js';
import { createFunctions } from '../functions/service.js';
import { openStore, type Store } from '../store/database.js';
import { lockDataDir } from '../store/server-lock.js';
import { resetAllLeases } from '../store/tasks.js';
import { Engine } from './engine.js';
import { createExecutions } from './executions.js';
import { createStateMachines } from './state-machines.js';
import { TaskDispatcher } from './task-dispatcher.js';
import { noTasks, type TaskRegistry } from './task-registry.js';
import { LocalExecutor } from '../batch/executors/local.js';
import type { Executor } from '../batch/executors/executor.js';
import { createBatch } from '../batch/service.js';
import { batchIntegration } from '../integrations/batch.js';
import { lambdaHandlers } from '../integrations/lambda.js';
import { openObjectStorage, scheduleLifecycle, storageConfigFromEnv, type StorageConfig } from '../storage/config.js';
import type { ObjectStorage } from '../storage/storage.js';
import { createTokens } from './tokens.js';
import { createAccessKeys } from '../s3/access-keys.js';
import type { Platform } from './types.js';

export interface PlatformOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  registry?: TaskRegistry;
  /** Start the engine and dispatcher (default); off for tools that only read. */
  run?: boolean;
  pollMs?: number;
  leaseMs?: number;
  /** Runs this server's batch jobs; the local process executor unless given. */
  executor?: Executor;
  /** The object store's backends and timings; SKYBATCH_STORAGE_* variables unless given. */
  storage?: StorageConfig;
}

export interface OpenPlatform extends Platform {
  store: Store;
  engine: Engine;
  dispatcher: TaskDispatcher;
  /** Executions ending, as this process's engine reports them (and polled for other servers'). */
  executionWatch: ExecutionWatch;
  storage: ObjectStorage;
  workerId: string;
  close(): Promise<void>;
}

const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export async function openPlatform(options: PlatformOptions): Promise<OpenPlatform> {
  const run = options.run ?? true;
  // Only the embedded store needs a single server; PostgreSQL is shared by design.
  const unlock = run && !options.databaseUrl ? lockDataDir(options.dataDir) : () => {};
  let store: Store;
  try {
    store = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  } catch (err) {
    unlock();
    throw err;
  }
  let storage: ObjectStorage;
  const storageConfig = options.storage ?? storageConfigFromEnv();
  try {
    storage = openObjectStorage(store, options.dataDir, storageConfig);
  } catch (err) {
    await store.close();
    unlock();
    throw err;
  }
  const workerId = randomUUID();
  const tokens = await createTokens(store);
  // With SQLite only one server uses the store, so tasks it held before a crash are free now.
  if (store.dialect === 'sqlite') await resetAllLeases(store.db);
  const functions = createFunctions(store, { dataDir: options.dataDir });
  const engine = new Engine(store, options.pollMs === undefined ? {} : { pollMs: options.pollMs });
  const executions = createExecutions(store, engine);
  const executionWatch = new ExecutionWatch(endedExecutions(store));
  let endpointUrl = '';
  const batch = createBatch(store, {
    dataDir: options.dataDir,
    owner: workerId,
    executor: options.executor ?? new LocalExecutor(),
    endpoint: (jobId) => ({ url: endpointUrl, token: tokens.forJob(jobId) }),
    // A single-server store: every job marked running was this data directory's server's.
    adoptAll: store.dialect === 'sqlite',
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
  });
  const lambda = lambdaHandlers(functions);
  // The caller's registry comes first, so tests and embedders can add or override resources.
  const registry = composeRegistry([options.registry ?? noTasks, ...builtInIntegrations({ executions, watch: executionWatch }), batchIntegration(batch), (resource) => lambda.resolve(resource)]);
  const dispatcher = new TaskDispatcher(store, registry, { owner: workerId, ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }) });
  engine.onCommitted = (outcome) => {
    if (outcome.newTasks > 0) dispatcher.wake();
    if (outcome.cancelledTasks.length > 0) dispatcher.cancel(outcome.cancelledTasks);
    if (outcome.finished.length > 0) executionWatch.notify(outcome.finished);
  };
  dispatcher.onResult = () => engine.wake();
  if (run) {
    engine.start();
    dispatcher.start();
    await batch.start();
  }
  const stopLifecycle = run ? scheduleLifecycle(storage, (storageConfig.lifecycleIntervalSeconds ?? 60) * 1000) : async () => {};
  return {
    store,
    engine,
    dispatcher,
    executionWatch,
    storage,
    workerId,
    stateMachines: createStateMachines(store),
    executions,
    tokens,
    accessKeys: createAccessKeys(store),
    functions,
    batch,
    setEndpointUrl(url: string) {
      endpointUrl = url;
    },
    taskTokens: createTaskTokens(store, () => engine.wake()),
    async health() {
      return { status: 'ok', store: store.dialect, version };
    },
    async close() {
      if (run) await batch.stop();
      await dispatcher.stop();
      await engine.stop();
      await functions.close();
      await stopLifecycle();
      await storage.close();
      await store.close();
      unlock();
    },
  };
}
