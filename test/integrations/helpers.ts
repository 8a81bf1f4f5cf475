/*
 * Real platforms on a temporary store for the integration tests: open, reopen (a restart on
 * the same store), and wait for an execution to end.
 */
import pg from 'pg';
import { afterEach } from 'vitest';
import { openPlatform, type OpenPlatform, type PlatformOptions } from '../../src/engine/platform.js';
import type { TaskRegistry } from '../../src/engine/task-registry.js';
import type { ExecutionInfo } from '../../src/engine/types.js';
import { until, type Backend, type BackendHandle } from '../support/backends.js';
import { POSTGRES_ADMIN_URL } from '../support/postgres.js';

export interface Harness {
  /** Opens a platform on this test's store (created on first use). */
  open(registry?: TaskRegistry, options?: Partial<PlatformOptions>): Promise<OpenPlatform>;
  close(platform: OpenPlatform): Promise<void>;
}

/** Call inside a describe: platforms and stores are cleaned up after each test. */
export function harness(backend: Backend): Harness {
  let handle: BackendHandle | undefined;
  const open: OpenPlatform[] = [];
  afterEach(async () => {
    for (const p of open.splice(0)) await p.close();
    if (handle?.databaseUrl) await disconnected(handle.databaseUrl);
    await handle?.cleanup();
    handle = undefined;
  });
  return {
    async open(registry, options = {}) {
      handle ??= await backend.create();
      const platform = await openPlatform({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl, pollMs: 50, leaseMs: 900, ...options, ...(registry ? { registry } : {}) });
      open.push(platform);
      return platform;
    },
    async close(platform) {
      open.splice(open.indexOf(platform), 1);
      await platform.close();
    },
  };
}

/**
 * pg's pool.end() resolves before its sockets are closed; dropping the database then kills
 * them mid-goodbye and the platform logs a lost connection. Wait until they are gone.
 */
async function disconnected(databaseUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    const name = new URL(databaseUrl).pathname.slice(1);
    await until(async () => (await admin.query('SELECT 1 FROM pg_stat_activity WHERE datname = $1', [name])).rowCount === 0, 5000, 20).catch(() => undefined);
  } finally {
    await admin.end();
  }
}

export function finished(p: OpenPlatform, id: string, timeoutMs?: number): Promise<ExecutionInfo> {
  return until(async () => {
    const e = await p.executions.describe(id);
    return e.status === 'RUNNING' ? undefined : e;
  }, timeoutMs);
}

/** The task rows of an execution, as the store holds them. */
export function taskRows(p: OpenPlatform, executionId: string) {
  return p.store.db.selectFrom('tasks').selectAll().where('execution_id', '=', executionId).execute();
}

/** A task state on `resource` that ends the machine. */
export function oneTask(resource: string, extra: Record<string, unknown> = {}): object {
  return { StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, End: true, ...extra } } };
}
