/*
 * A store opened on a fresh backend for the tests of one describe block, closed after them:
 * for tests of src/store modules that need no platform around the store.
 */
import { afterAll, beforeAll } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import type { Backend, BackendHandle } from './backends.js';

/** Call inside a describe; returns the store of that block (opened by its beforeAll). */
export function useStore(backend: Backend): () => Store {
  let handle: BackendHandle | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    handle = await backend.create();
    store = await openStore({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl });
  });
  afterAll(async () => {
    await store?.close();
    await handle?.cleanup();
  });
  return () => {
    if (!store) throw new Error('useStore: the store opens in beforeAll');
    return store;
  };
}
