/*
 * The store on a real full disk (a tmpfs): a transaction that cannot be written fails with
 * SQLite's own SQLITE_FULL, not with the "cannot rollback" of a ROLLBACK sent after SQLite had
 * already rolled back, and what was committed before stays readable.
 */
import { sql } from 'kysely';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import { mountTmpfs, tmpfsSkipReason, type Tmpfs } from '../support/tmpfs.js';

describe.skipIf(tmpfsSkipReason !== undefined)(`the SQLite store on a full disk${tmpfsSkipReason ? ` (skipped: ${tmpfsSkipReason})` : ''}`, () => {
  let disk: Tmpfs;
  let store: Store;

  beforeAll(async () => {
    disk = mountTmpfs(16);
    store = await openStore({ dataDir: disk.dir });
    await sql`create table notes (body text)`.execute(store.db);
    await sql`insert into notes values ('written before the disk filled')`.execute(store.db);
    disk.fill();
  });
  afterAll(async () => {
    await store?.close();
    disk?.unmount();
  });

  it('fails a transaction with SQLITE_FULL, the real cause', async () => {
    const err = await store.db
      .transaction()
      .execute(async (trx) => {
        for (let i = 0; i < 64; i++) await sql`insert into notes values (hex(randomblob(524288)))`.execute(trx);
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; message?: string },
      );
    expect(err?.message).not.toMatch(/cannot rollback/);
    expect(err?.code).toBe('SQLITE_FULL');
  });

  it('still reads what was committed, and writes again once there is room', async () => {
    const before = await sql<{ body: string }>`select body from notes`.execute(store.db);
    expect(before.rows.map((r) => r.body)).toEqual(['written before the disk filled']);
    rmSync(`${disk.dir}/filler`);
    await store.db.transaction().execute(async (trx) => {
      await sql`insert into notes values ('written after')`.execute(trx);
    });
    const after = await sql<{ body: string }>`select body from notes`.execute(store.db);
    expect(after.rows.map((r) => r.body)).toEqual(['written before the disk filled', 'written after']);
  });
});
