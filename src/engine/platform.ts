/*
 * Opens the whole platform on one store: services for the API, the engine stepping
 * executions and the dispatcher running their tasks.
 */
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { ExecutionWatch, endedExecutions } from '../integrations/execution-watch.js';
import { builtInIntegrations, composeRegistry } from '../integrations/registry.js';
import { createTaskTokens } from '../integrations/task-tokens.js';
import { createFunctions } from '../functions/service.js';
import { openStore, type Store } from '../store/database.js';
import { lockDataDir } from '../store/server-lock.js';
import { resetAllLeases } from '../store/tasks.js';
import { Engine, type EngineOptions } from './engine.js';
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
import { DEFAULT_JOB_TOKEN_GRACE_SECONDS, createTokens, type TokensOptions } from './tokens.js';
import { ObjectEventDispatcher } from '../events/object-event-dispatcher.js';
import { NotificationDispatcher, type NotificationDispatcherOptions, type RetryPolicy } from '../notify/dispatcher.js';
import { createNotifications } from '../notify/service.js';
import { snsIntegration } from '../integrations/sns.js';
import { notifyDb, releaseAllDeliveryLeases } from '../store/notify.js';
import { releaseAllOutboxLeases } from '../store/object-event-outbox.js';
import { createAccessKeys } from '../s3/access-keys.js';
import type { Platform } from './types.js';
import { createStacks } from '../stack/service.js';
import { createForms } from '../stack/form-service.js';
import { changeFingerprints, jobsOfExecution, overviewCounts } from '../store/console.js';

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
  /** Notification delivery: retries, SMTP (default SKYBATCH_SMTP_URL / SKYBATCH_SMTP_FROM), webhook timeout. */
  notify?: Pick<NotificationDispatcherOptions, 'retry' | 'email' | 'webhookTimeoutMs' | 'pollMs' | 'transports'>;
  /** Object-event delivery: retries and poll interval. */
  objectEvents?: { retry?: Partial<RetryPolicy>; pollMs?: number };
  /** The engine's limits and budgets; SKYBATCH_MAX_HISTORY_EVENTS sets maxHistoryEvents unless given. */
  engine?: Pick<EngineOptions, 'maxHistoryEvents' | 'stepBudget' | 'batchBudgetMs'>;
  /** Job tokens' grace after the job ends (default SKYBATCH_JOB_TOKEN_GRACE_SECONDS, else 60) and the tokens' clock. */
  tokens?: TokensOptions;
}

/** SKYBATCH_MAX_HISTORY_EVENTS, checked: a typo must not silently lift the limit. */
export function maxHistoryEventsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.SKYBATCH_MAX_HISTORY_EVENTS;
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 10 || n > 10_000_000) throw new Error(`SKYBATCH_MAX_HISTORY_EVENTS must be a whole number from 10 to 10000000, not "${text}"`);
  return n;
}

export interface OpenPlatform extends Platform {
  store: Store;
  engine: Engine;
  dispatcher: TaskDispatcher;
  /** Executions ending, as this process's engine reports them (and polled for other servers'). */
  executionWatch: ExecutionWatch;
  storage: ObjectStorage;
  notificationDispatcher: NotificationDispatcher;
  /** Delivers object_event_outbox rows; the object store wakes it after committing some. */
  objectEvents: ObjectEventDispatcher;
  workerId: string;
  close(): Promise<void>;
}

const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export async function openPlatform(options: PlatformOptions): Promise<OpenPlatform> {
  const run = options.run ?? true;
  // Read before anything opens: a bad setting must not leave the lock or the store behind.
  const maxHistoryEvents = options.engine?.maxHistoryEvents ?? maxHistoryEventsFromEnv();
  const jobGraceSeconds = options.tokens?.jobGraceSeconds ?? jobTokenGraceFromEnv();
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
  // The host first: a job claimed by a server that died before recording its pid is looked
  // for on the host that claimed it (src/batch/scheduler.ts, adoptOrphans).
  const workerId = `${hostname()}/${randomUUID()}`;
  const tokens = await createTokens(store, {
    jobGraceSeconds,
    ...(options.tokens?.now === undefined ? {} : { now: options.tokens.now }),
  });
  // With SQLite only one server uses the store, so tasks it held before a crash are free now.
  if (store.dialect === 'sqlite') {
    await resetAllLeases(store.db);
    await releaseAllDeliveryLeases(notifyDb(store.db));
    await releaseAllOutboxLeases(store.db);
  }
  let endpointUrl = '';
  // Each function invocation gets a job-scoped token of its own, ending with the invocation: it
  // opens the routes jobs may use (objects, progress), not the admin API.
  const functions = createFunctions(store, {
    dataDir: options.dataDir,
    runtime: {
      invocationEnv: (name) => {
        if (endpointUrl === '') return { env: {}, end: () => {} };
        const { token, end } = tokens.forInvocation(name);
        return { env: { SKYBATCH_ENDPOINT: endpointUrl, SKYBATCH_TOKEN: token }, end };
      },
    },
  });
  const engine = new Engine(store, {
    ...options.engine,
    ...(maxHistoryEvents === undefined ? {} : { maxHistoryEvents }),
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
  });
  const executions = createExecutions(store, engine);
  const executionWatch = new ExecutionWatch(endedExecutions(store));
  const batch = createBatch(store, {
    dataDir: options.dataDir,
    owner: workerId,
    executor: options.executor ?? new LocalExecutor({ exitJournalDir: join(options.dataDir, 'launcher') }),
    endpoint: (jobId) => ({ url: endpointUrl, token: tokens.forJob(jobId) }),
    // A single-server store: every job marked running was this data directory's server's.
    adoptAll: store.dialect === 'sqlite',
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
  });
  const lambda = lambdaHandlers(functions);
  const notificationDispatcher = new NotificationDispatcher(store, {
    owner: workerId,
    ...options.notify,
    email: { smtpUrl: process.env.SKYBATCH_SMTP_URL, from: process.env.SKYBATCH_SMTP_FROM ?? 'skybatch@localhost', ...options.notify?.email },
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
  });
  const notifications = createNotifications(store, { wake: () => notificationDispatcher.wake() });
  const objectEvents = new ObjectEventDispatcher(
    store,
    { executions, batch, functions, notifications },
    { owner: workerId, ...options.objectEvents, ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }) },
  );
  // The caller's registry comes first, so tests and embedders can add or override resources.
  const registry = composeRegistry([options.registry ?? noTasks, ...builtInIntegrations({ executions, watch: executionWatch }), batchIntegration(batch), (resource) => lambda.resolve(resource), snsIntegration(notifications)]);
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
    notificationDispatcher.start();
    objectEvents.start();
    // Outbox rows commit with each change: deliver them now rather than at the next poll.
    storage.onChange(() => objectEvents.wake());
  }
  const stopLifecycle = run ? scheduleLifecycle(storage, (storageConfig.lifecycleIntervalSeconds ?? 60) * 1000) : async () => {};
  const platform: OpenPlatform = {
    store,
    engine,
    dispatcher,
    executionWatch,
    storage,
    notificationDispatcher,
    objectEvents,
    workerId,
    stateMachines: createStateMachines(store),
    executions,
    tokens,
    accessKeys: createAccessKeys(store),
    functions,
    batch,
    notifications,
    setEndpointUrl(url: string) {
      endpointUrl = url;
    },
    taskTokens: createTaskTokens(store, () => engine.wake()),
    console: {
      overview: (now) => overviewCounts(store.db, now),
      fingerprints: () => changeFingerprints(store.db),
      jobsOfExecution: (executionId, limit) => jobsOfExecution(store.db, executionId, limit),
    },
    async health() {
      return { status: 'ok', store: store.dialect, version };
    },
    async close() {
      await objectEvents.stop();
      await notificationDispatcher.stop();
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
  platform.stacks = createStacks(platform, store);
  platform.forms = createForms(platform, store);
  return platform;
}

/** SKYBATCH_JOB_TOKEN_GRACE_SECONDS: how long a job's token outlives the job. */
function jobTokenGraceFromEnv(): number {
  const text = process.env.SKYBATCH_JOB_TOKEN_GRACE_SECONDS;
  if (text === undefined || text.trim() === '') return DEFAULT_JOB_TOKEN_GRACE_SECONDS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`SKYBATCH_JOB_TOKEN_GRACE_SECONDS must be a number of seconds (0 or more), got "${text}"`);
  return seconds;
}
