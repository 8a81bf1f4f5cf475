/*
 * Durable state transitions per second, against the in-memory interpreter in the same run:
 *   (a) 100 concurrent executions of a chain of 100 Pass states,
 *   (b) one Map over 10,000 items with a Pass iterator,
 * on SQLite (a file in a temp dir) and on PostgreSQL (a fresh database on 127.0.0.1:5432).
 * A transition is a state entered (what Step Functions bills), counted from the stored history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Json } from '../src/asl/types.js';
import { runExecution, virtualClock } from '../src/engine/local-runner.js';
import { openPlatform } from '../src/engine/platform.js';
import { createTestDatabase } from '../test/support/postgres.js';

interface Workload {
  name: string;
  definition: Record<string, unknown>;
  executions: number;
  input: Json;
  transitions: number;
}

function chain(length: number, executions: number): Workload {
  const states: Record<string, unknown> = {};
  for (let i = 0; i < length; i++) states[`S${i}`] = { Type: 'Pass', Result: i, ResultPath: '$.last', ...(i + 1 < length ? { Next: `S${i + 1}` } : { End: true }) };
  return { name: `${executions} executions x ${length}-Pass chain`, definition: { StartAt: 'S0', States: states }, executions, input: { last: -1 }, transitions: executions * length };
}

function map(items: number): Workload {
  return {
    name: `Map over ${items} items`,
    definition: { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } },
    executions: 1,
    input: Array.from({ length: items }, (_, i) => i),
    transitions: items + 1,
  };
}

async function inMemory(w: Workload): Promise<number> {
  const start = performance.now();
  await Promise.all(Array.from({ length: w.executions }, () => runExecution(w.definition, w.input, { clock: virtualClock(), maxHistoryEvents: MAX_HISTORY_EVENTS })));
  return performance.now() - start;
}

const REPETITIONS = 3;
/**
 * The Map workload writes 4 history events per item, 40,004 in all: past AWS's (and the
 * default) limit of 25,000, where an inline Map of 10,000 items fails with States.Runtime.
 * The bench measures the engine, so it lifts the limit.
 */
const MAX_HISTORY_EVENTS = 1_000_000;

async function median(times: number, measure: () => Promise<number>): Promise<number> {
  const results: number[] = [];
  for (let i = 0; i < times; i++) results.push(await measure());
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)] as number;
}

async function durable(w: Workload, databaseUrl: string | undefined): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skybatch-bench-'));
  const platform = await openPlatform({ dataDir, databaseUrl, pollMs: 5, engine: { maxHistoryEvents: MAX_HISTORY_EVENTS } });
  try {
    const name = `bench-${w.executions}-${w.transitions}-${Math.random().toString(36).slice(2, 8)}`;
    await platform.stateMachines.create({ name, definition: w.definition });
    const start = performance.now();
    // Started as clients would, all at once.
    const started = await Promise.all(Array.from({ length: w.executions }, () => platform.executions.start({ stateMachine: name, input: w.input })));
    const ids = started.map((s) => s.execution.id);
    for (;;) {
      const row = await platform.store.db.selectFrom('executions').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'RUNNING').executeTakeFirstOrThrow();
      if (Number(row.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const elapsed = performance.now() - start;
    const entered = await countEntered(platform, ids);
    if (entered !== w.transitions) throw new Error(`${w.name}: expected ${w.transitions} states entered, history has ${entered}`);
    return elapsed;
  } finally {
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function countEntered(platform: Awaited<ReturnType<typeof openPlatform>>, ids: string[]): Promise<number> {
  let n = 0;
  for (const id of ids) {
    let token: string | undefined;
    do {
      const page = await platform.executions.history(id, { limit: 100_000, ...(token ? { nextToken: token } : {}) });
      n += page.items.filter((e) => e.type.endsWith('StateEntered')).length;
      token = page.nextToken;
    } while (token);
  }
  return n;
}

export async function run(): Promise<void> {
  const pg = await createTestDatabase().catch(() => undefined);
  const rows: string[][] = [['workload', 'store', 'durable tr/s', 'in-memory tr/s', 'durable / in-memory']];
  try {
    for (const w of [chain(100, 100), map(10_000)]) {
      await inMemory(w); // warm-up
      const memMs = await median(REPETITIONS, () => inMemory(w));
      const stores: [string, string | undefined][] = [['sqlite', undefined]];
      if (pg) stores.push(['postgres', pg.url]);
      for (const [store, url] of stores) {
        const ms = await median(REPETITIONS, () => durable(w, url));
        const memRate = (w.transitions / memMs) * 1000;
        const rate = (w.transitions / ms) * 1000;
        rows.push([w.name, store, rate.toFixed(0), memRate.toFixed(0), `${(ms / memMs).toFixed(1)}x slower`]);
      }
    }
  } finally {
    await pg?.drop();
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0))) ?? [];
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  if (!pg) console.log('(PostgreSQL at 127.0.0.1:5432 not reachable: its rows are missing)');
  console.log(`\nmedian of ${REPETITIONS} runs each; a durable run counts from the first start to the last execution's end`);
  console.log('targets on SQLite: >= 5000 durable transitions/s, at most 3x slower than in-memory');
}
