/*
 * Every store-backed test runs once per backend: the embedded SQLite file and PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from './postgres.js';

export interface BackendHandle {
  dataDir: string;
  databaseUrl: string | undefined;
  cleanup(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  create(): Promise<BackendHandle>;
}

export function tempDir(prefix = 'skybatch-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export const backends: Backend[] = [
  {
    name: 'sqlite',
    async create() {
      const dataDir = tempDir();
      return { dataDir, databaseUrl: undefined, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    async create() {
      const dataDir = tempDir();
      const database = await createTestDatabase();
      return {
        dataDir,
        databaseUrl: database.url,
        cleanup: async () => {
          await database.drop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
];

export async function until<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
