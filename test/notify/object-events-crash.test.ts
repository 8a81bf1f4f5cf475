/*
 * 1,000 object events start 1,000 executions, none twice, with the server killed (SIGKILL)
 * while it delivers them: a real `skybatch up` process, rows inserted straight into
 * object_event_outbox as the object store would. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import { backends, until, type BackendHandle } from '../support/backends.js';
import { startServer, type RunningServer } from '../support/server.js';

const ROWS = 1000;

describe.each(backends)('object events across a crash on $name', (backend) => {
  let handle: BackendHandle;
  let server: RunningServer | undefined;
  let store: Store;

  beforeAll(async () => {
    handle = await backend.create();
  });
  afterAll(async () => {
    await server?.stop();
    await store?.close();
    await handle.cleanup();
  });

  it('starts one execution per event', { timeout: 180_000 }, async () => {
    server = await startServer(handle);
    const created = await server.api('POST', '/api/v1/state-machines', { name: 'on-upload', definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } });
    expect(created.status).toBe(201);
    store = await openStore({ dataDir: handle.dataDir, databaseUrl: handle.databaseUrl });

    const insert = async (from: number, count: number) => {
      const now = Date.now();
      const rows = Array.from({ length: count }, (_, i) => ({
        bucket: 'data',
        rule_id: 'r',
        target_arn: 'arn:aws:states:local:000000000000:stateMachine:on-upload',
        message: JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'data' }, object: { key: `in/${from + i}.txt`, size: 1, eTag: 'e' } } }] }),
        created_at: new Date(now).toISOString(),
        available_at: now,
        lease_owner: null,
        lease_expires: null,
        last_error: null,
        delivered_at: null,
        result: null,
      }));
      for (let i = 0; i < rows.length; i += 100) await store.db.insertInto('object_event_outbox').values(rows.slice(i, i + 100)).execute();
    };
    const deliveredCount = async () => Number((await store.db.selectFrom('object_event_outbox').select((eb) => eb.fn.countAll().as('n')).where('delivered_at', 'is not', null).executeTakeFirstOrThrow()).n);

    await insert(0, ROWS / 2);
    // Kill the server as soon as it has delivered some: the rest, and rows it held, follow after the restart.
    await until(async () => (await deliveredCount()) > 0, 60_000, 5);
    await server.crash();
    await insert(ROWS / 2, ROWS / 2);
    server = await startServer(handle);
    await until(async () => (await deliveredCount()) === ROWS, 150_000, 200);

    const rows = await store.db.selectFrom('object_event_outbox').select(['id', 'result']).execute();
    expect(rows).toHaveLength(ROWS);
    for (const row of rows) expect(row.result).toBe(`arn:aws:states:local:000000000000:execution:on-upload:s3-event-${row.id}`);
    const executions = await store.db.selectFrom('executions').select('name').where('state_machine', '=', 'on-upload').execute();
    expect(executions).toHaveLength(ROWS);
    expect(new Set(executions.map((e) => e.name))).toEqual(new Set(rows.map((r) => `s3-event-${r.id}`)));
  });
});
