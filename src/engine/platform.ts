/*
 * Opens the whole platform on one store: services for the API, the engine stepping
 * executions and the dispatcher running their tasks.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { openStore, type Store } from '../store/database.js';
import { lockDataDir } from '../store/server-lock.js';
import { resetAllLeases } from '../store/tasks.js';
import { findToken, insertToken } from '../store/tokens.js';
import { Engine } from './engine.js';
import { createExecutions } from './executions.js';
import { createStateMachines } from './state-machines.js';
import { TaskDispatcher } from './task-dispatcher.js';
import { noTasks, type TaskRegistry } from './task-registry.js';
import type { Platform, Tokens } from './types.js';

export interface PlatformOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  registry?: TaskRegistry;
  /** Start the engine and dispatcher (default); off for tools that only read. */
  run?: boolean;
  pollMs?: number;
  leaseMs?: number;
}

export interface OpenPlatform extends Platform {
  store: Store;
  engine: Engine;
  dispatcher: TaskDispatcher;
  workerId: string;
  close(): Promise<void>;
}

const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

function createTokens(store: Store): Tokens {
  return {
    async verify(token) {
      const row = await findToken(store.db, token);
      if (!row) return undefined;
      return row.scope === 'job' ? { kind: 'job', jobId: row.job_id ?? '' } : { kind: 'admin' };
    },
    async issue(scope) {
      const token = randomBytes(24).toString('base64url');
      await insertToken(store.db, token, scope.kind, scope.kind === 'job' ? scope.jobId : null, new Date().toISOString());
      return token;
    },
  };
}

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
  const workerId = randomUUID();
  // With SQLite only one server uses the store, so tasks it held before a crash are free now.
  if (store.dialect === 'sqlite') await resetAllLeases(store.db);
  const engine = new Engine(store, options.pollMs === undefined ? {} : { pollMs: options.pollMs });
  const dispatcher = new TaskDispatcher(store, options.registry ?? noTasks, { owner: workerId, ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }) });
  engine.onCommitted = (outcome) => {
    if (outcome.newTasks > 0) dispatcher.wake();
    if (outcome.cancelledTasks.length > 0) dispatcher.cancel(outcome.cancelledTasks);
  };
  dispatcher.onResult = () => engine.wake();
  if (run) {
    engine.start();
    dispatcher.start();
  }
  return {
    store,
    engine,
    dispatcher,
    workerId,
    stateMachines: createStateMachines(store),
    executions: createExecutions(store, engine),
    tokens: createTokens(store),
    async health() {
      return { status: 'ok', store: store.dialect, version };
    },
    async close() {
      await dispatcher.stop();
      await engine.stop();
      await store.close();
      unlock();
    },
  };
}
