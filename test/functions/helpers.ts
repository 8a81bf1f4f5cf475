/*
 * A functions service on a real store (SQLite in a temp dir, or PostgreSQL) with real worker
 * threads, for the functions tests.
 */
import { rmSync } from 'node:fs';
import { createFunctions, type FunctionsOptions } from '../../src/functions/service.js';
import type { FunctionsService } from '../../src/functions/types.js';
import { openStore, type Store } from '../../src/store/database.js';
import { tempDir } from '../support/backends.js';

export interface Harness {
  store: Store;
  functions: FunctionsService;
  dataDir: string;
  close(): Promise<void>;
}

export async function openFunctions(options: { dataDir?: string; databaseUrl?: string | undefined; runtime?: FunctionsOptions['runtime'] } = {}): Promise<Harness> {
  const own = options.dataDir === undefined;
  const dataDir = options.dataDir ?? tempDir('skybatch-fn-');
  const store = await openStore({ dataDir, databaseUrl: options.databaseUrl });
  const functions = createFunctions(store, { dataDir, ...(options.runtime ? { runtime: options.runtime } : {}) });
  return {
    store,
    functions,
    dataDir,
    async close() {
      await functions.close();
      await store.close();
      if (own) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Handler sources used across the tests. */
export const code = {
  echo: 'export const handler = async (event, context) => ({ event, name: context.functionName, version: context.functionVersion, arn: context.invokedFunctionArn, memory: context.memoryLimitInMB, requestId: context.awsRequestId, remaining: context.getRemainingTimeInMillis() });\n',
  sync: 'export function handler(event) {\n  return event.a + event.b;\n}\n',
  typescript: 'interface Sum { a: number; b: number }\n\nexport const handler = async (event: Sum): Promise<number> => {\n  const total: number = event.a * event.b;\n  return total;\n};\n',
  throws: 'export const handler = async () => {\n  throw new TypeError("bad things");\n};\n',
  custom: 'class MyError extends Error {\n  constructor(message) { super(message); this.name = "MyError"; }\n}\nexport const handler = async () => { throw new MyError("custom failure"); };\n',
  loop: 'export const handler = () => { for (;;) {} };\n',
  memory: 'export const handler = () => { const kept = []; for (;;) kept.push(new Array(100000).fill(Math.random())); };\n',
  exit: 'export const handler = () => { process.exit(7); };\n',
  version: (n: number) => `export const handler = async () => ${n};\n`,
};
