/*
 * A writer killed with SIGKILL mid-stream loses nothing it acknowledged: every object whose
 * PUT returned reads back intact, every object row has its outbox event (written in the same
 * transaction) and no event lacks its object; a restart clears the dead writer's temp files and
 * the garbage sweep leaves exactly one blob per object.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import { ObjectStorage } from '../../src/storage/storage.js';
import { backends, until, type BackendHandle } from '../support/backends.js';
import { bytes } from './helpers.js';

function contentOf(i: number): Buffer {
  return Buffer.concat(Array.from({ length: 16 }, (_, part) => Buffer.alloc(4096, `${i}:${part};`)));
}

describe.each(backends)('a writer killed mid-stream on $name', (backend) => {
  let handle: BackendHandle | undefined;
  let store: Store | undefined;
  let storage: ObjectStorage | undefined;
  afterEach(async () => {
    await storage?.close();
    await store?.close();
    await handle?.cleanup();
  });

  it('loses no acknowledged object and no event', { timeout: 120_000 }, async () => {
    handle = await backend.create();
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'writer.ts'), handle.dataDir, handle.databaseUrl ?? ''], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`writer exited early: ${errors}`);
      return (output.match(/^ok /gm)?.length ?? 0) >= 150;
    }, 60_000);
    child.kill('SIGKILL');
    await exited;
    const acknowledged = [...output.matchAll(/^ok (\d+)$/gm)].map((m) => Number(m[1]));

    store = await openStore({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl });
    storage = new ObjectStorage({ store, dataDir: handle.dataDir });
    for (const i of acknowledged) expect((await bytes((await storage.getObject('data', `obj-${i}`)).body)).equals(contentOf(i))).toBe(true);
    const objects = (await store.db.selectFrom('storage_objects').select('key').execute()).map((r) => r.key).sort();
    const events = (await store.db.selectFrom('object_event_outbox').select('message').execute()).map((r) => (JSON.parse(r.message) as { Records: { s3: { object: { key: string } } }[] }).Records[0]!.s3.object.key).sort();
    expect(events).toEqual(objects);
    expect(objects.length).toBeGreaterThanOrEqual(acknowledged.length);
    expect(objects.length).toBeLessThanOrEqual(acknowledged.length + 1);
    const folder = join(handle.dataDir, 'storage', 'blobs');
    expect(readdirSync(folder).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    await storage.collectGarbage(0);
    expect(readdirSync(folder)).toHaveLength(objects.length);
  });
});
