/*
 * Keys are data, never paths: keys shaped like traversals or absolute paths are stored under
 * their exact text and touch nothing outside the storage folder. Blob file names are ids.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import { ObjectStorage } from '../../src/storage/storage.js';
import { tempDir } from '../support/backends.js';
import { body, FakeS3, openHarness, text, variants, type Harness } from './helpers.js';

const ESCAPES = ['../../etc/passwd', '/abs', '/etc/skybatch-should-not-exist', 'a/../../b', '..', '.', './x', 'a//b', '..\\..\\windows', '~/home', '%2e%2e/enc', 'dir/', ' spaced ', 'ünïcode/ключ/鍵'];

/** Every file and folder under `root` with size and mtime, except those under `skip`. */
function snapshot(root: string, skip: string[]): string[] {
  const entries: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (skip.some((s) => path === s || path.startsWith(`${s}/`))) continue;
      const stat = statSync(path);
      entries.push(`${relative(root, path)} ${stat.isDirectory() ? 'dir' : stat.size} ${stat.mtimeMs}`);
      if (stat.isDirectory()) walk(path);
    }
  };
  walk(root);
  return entries.sort();
}

describe('keys that look like paths, on the local disk', () => {
  let root: string;
  let store: Store;
  let storage: ObjectStorage;
  beforeEach(async () => {
    root = tempDir('skybatch-keys-');
    mkdirSync(join(root, 'outside', 'etc'), { recursive: true });
    writeFileSync(join(root, 'outside', 'etc', 'passwd'), 'root:x:0:0\n');
    writeFileSync(join(root, 'sentinel'), 'untouched');
    store = await openStore({ dataDir: join(root, 'data', 'deep') });
    storage = new ObjectStorage({ store, dataDir: join(root, 'data', 'deep'), inlineBytes: 0 });
    await storage.createBucket('data');
  });
  afterEach(async () => {
    await storage.close();
    await store.close();
  });

  it('stores each under its exact key, with blob files named by ids only', async () => {
    const storageFolder = join(root, 'data', 'deep', 'storage');
    // The database files change with every write; everything else outside the storage folder must not.
    const before = snapshot(root, [storageFolder, join(root, 'data', 'deep')]);
    const outsideBefore = snapshot(join(root, 'data', 'deep'), [storageFolder, join(root, 'data', 'deep', 'skybatch.db'), join(root, 'data', 'deep', 'skybatch.db-wal'), join(root, 'data', 'deep', 'skybatch.db-shm')]);
    for (const key of ESCAPES) await storage.putObject({ bucket: 'data', key, body: body(`content of ${key}`) });
    for (const key of ESCAPES) expect(await text((await storage.getObject('data', key)).body)).toBe(`content of ${key}`);
    const listed = await storage.listObjects({ bucket: 'data' });
    expect(listed.objects.map((o) => o.key).sort()).toEqual([...ESCAPES].sort());
    expect(snapshot(root, [storageFolder, join(root, 'data', 'deep')])).toEqual(before);
    expect(snapshot(join(root, 'data', 'deep'), [storageFolder, join(root, 'data', 'deep', 'skybatch.db'), join(root, 'data', 'deep', 'skybatch.db-wal'), join(root, 'data', 'deep', 'skybatch.db-shm')])).toEqual(outsideBefore);
    expect(existsSync('/abs')).toBe(false);
    expect(existsSync('/etc/skybatch-should-not-exist')).toBe(false);
    const blobs = readdirSync(join(storageFolder, 'blobs'));
    expect(blobs).toHaveLength(ESCAPES.length);
    for (const name of blobs) expect(name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const key of ESCAPES) await storage.deleteObject('data', key);
    expect(readdirSync(join(storageFolder, 'blobs'))).toEqual([]);
    expect(snapshot(root, [storageFolder, join(root, 'data', 'deep')])).toEqual(before);
  });
});

const fakeS3 = new FakeS3();
afterAll(() => fakeS3.stop());

describe.each(variants)('keys on $name', (variant) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(variant, fakeS3);
    await h.storage.createBucket('data');
  });
  afterEach(() => h.close());

  it('round-trips path-shaped keys and lists them in byte order', async () => {
    for (const key of ESCAPES) await h.storage.putObject({ bucket: 'data', key, body: body(key) });
    for (const key of ESCAPES) expect(await text((await h.storage.getObject('data', key)).body)).toBe(key);
    const keys = (await h.storage.listObjects({ bucket: 'data' })).objects.map((o) => o.key);
    expect(keys).toEqual([...ESCAPES].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });
});

