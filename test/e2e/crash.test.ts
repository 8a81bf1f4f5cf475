/*
 * Crash test: a real `skybatch up` is killed with SIGKILL several times while 50 executions
 * of a machine with Waits, a Map and a Parallel run; after the last restart every execution
 * ends SUCCEEDED with the right output, and its history has every event once: ids without
 * gaps or repeats, and each state entered exactly as often as it runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/asl/interpreter/protocol.js';
import type { ExecutionInfo } from '../../src/engine/types.js';
import { backends, tempDir, until } from '../support/backends.js';
import { startServer, type RunningServer } from '../support/server.js';

const ITEMS = [1, 2, 3, 4];
const definition = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'items.$': '$.items', 'id.$': '$.id' }, Next: 'Settle' },
    Settle: { Type: 'Wait', Seconds: 1, Next: 'Fan' },
    Fan: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Each',
          States: {
            Each: {
              Type: 'Map',
              ItemsPath: '$.items',
              MaxConcurrency: 2,
              ItemProcessor: { StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 1, Next: 'Double' }, Double: { Type: 'Pass', Parameters: { 'v.$': 'States.MathAdd($, $)' }, OutputPath: '$.v', End: true } } },
              End: true,
            },
          },
        },
        { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 2, Next: 'Echo' }, Echo: { Type: 'Pass', OutputPath: '$.id', End: true } } },
      ],
      Next: 'Done',
    },
    Done: { Type: 'Pass', End: true },
  },
};
const EXPECTED_ENTERED: Record<string, number> = { Prepare: 1, Settle: 1, Fan: 1, Each: 1, Nap: ITEMS.length, Double: ITEMS.length, Hold: 1, Echo: 1, Done: 1 };

async function allHistory(server: RunningServer, id: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let token: string | undefined;
  do {
    const res = await server.api<{ items: HistoryEvent[]; nextToken?: string }>('GET', `/api/v1/executions/${id}/history?limit=1000${token ? `&nextToken=${token}` : ''}`);
    events.push(...res.body.items);
    token = res.body.nextToken;
  } while (token);
  return events;
}

function checkHistory(events: HistoryEvent[]): void {
  expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
  const entered: Record<string, number> = {};
  for (const e of events) {
    if (!e.type.endsWith('StateEntered')) continue;
    const name = (e.stateEnteredEventDetails as { name: string }).name;
    entered[name] = (entered[name] ?? 0) + 1;
  }
  expect(entered).toEqual(EXPECTED_ENTERED);
  expect(events.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
  expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
}

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
});

async function launch(dataDir: string, databaseUrl?: string): Promise<RunningServer> {
  const server = await startServer({ dataDir, databaseUrl });
  servers.push(server);
  return server;
}

async function startAll(server: RunningServer): Promise<string[]> {
  const created = await server.api('POST', '/api/v1/state-machines', { name: 'crashy', definition });
  expect(created.status).toBe(201);
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) {
    const res = await server.api<ExecutionInfo>('POST', '/api/v1/executions', { stateMachine: 'crashy', name: `run-${i}`, input: { id: i, items: ITEMS } });
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  return ids;
}

async function verify(server: RunningServer, ids: string[]): Promise<void> {
  const finals = await until(
    async () => {
      const all = await Promise.all(ids.map(async (id) => (await server.api<ExecutionInfo>('GET', `/api/v1/executions/${id}`)).body));
      return all.every((e) => e.status !== 'RUNNING') ? all : undefined;
    },
    60_000,
    250,
  );
  for (const [i, e] of finals.entries()) {
    expect(e.status, `${e.name}: ${e.error} ${e.cause}`).toBe('SUCCEEDED');
    expect(e.output).toEqual([ITEMS.map((n) => n * 2), i]);
    checkHistory(await allHistory(server, ids[i] as string));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('crash recovery', () => {
  it('SQLite: kill -9 at several points, restart, every execution succeeds once', async () => {
    const dataDir = tempDir();
    let server = await launch(dataDir);
    const ids = await startAll(server);
    // Kill soon after the starts, in the middle of the Map, and while the last Waits run.
    for (const delay of [200, 900, 1300]) {
      await pause(delay);
      await server.crash();
      server = await launch(dataDir);
    }
    await verify(server, ids);
  }, 120_000);

  it('PostgreSQL: two servers share the work; killing one loses nothing', async () => {
    const postgres = backends.find((b) => b.name === 'postgres');
    const handle = await postgres!.create();
    try {
      const first = await launch(tempDir(), handle.databaseUrl);
      const second = await launch(tempDir(), handle.databaseUrl);
      const ids = await startAll(first);
      await pause(1500);
      await first.crash();
      await verify(second, ids);
    } finally {
      for (const s of servers.splice(0)) await s.stop().catch(() => undefined);
      await handle.cleanup();
    }
  }, 120_000);
});
