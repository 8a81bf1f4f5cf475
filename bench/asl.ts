/*
 * In-process interpreter speed against aws-local-stepfunctions on the same definitions.
 * Only the run is timed: runExecution expects an already validated definition, so the
 * StateMachine (whose constructor validates) is built outside the timed section too.
 */
import { isDeepStrictEqual } from 'node:util';
import { StateMachine } from 'aws-local-stepfunctions';
import type { Json } from '../src/asl/types.js';
import { runExecution, virtualClock } from '../src/engine/local-runner.js';

const REPETITIONS = 15;

interface Workload {
  name: string;
  definition: Record<string, unknown>;
  input: Json;
}

function passChain(length: number): Workload {
  const states: Record<string, unknown> = {};
  for (let i = 0; i < length; i++) {
    states[`Step${i}`] = {
      Type: 'Pass',
      // An intrinsic per step, so each state evaluates something instead of copying its input.
      Parameters: { 'count.$': 'States.MathAdd($.count, 1)' },
      ...(i + 1 < length ? { Next: `Step${i + 1}` } : { End: true }),
    };
  }
  return { name: `chain of ${length} Pass states`, definition: { StartAt: 'Step0', States: states }, input: { count: 0 } };
}

function passMap(items: number): Workload {
  return {
    name: `Map over ${items} items`,
    definition: {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            StartAt: 'Double',
            States: {
              // Short keys: the Map's output has to stay under the 256 KiB payload limit.
              Double: { Type: 'Pass', Parameters: { 'n.$': '$.n', 'd.$': 'States.MathAdd($.n, $.n)' }, End: true },
            },
          },
          End: true,
        },
      },
    },
    input: { items: Array.from({ length: items }, (_, n) => ({ n })) },
  };
}

async function runSkybatch(workload: Workload): Promise<Json | undefined> {
  const result = await runExecution(workload.definition, workload.input, { clock: virtualClock() });
  if (result.status !== 'SUCCEEDED') throw new Error(`skybatch: ${workload.name} ${result.status}: ${result.error} ${result.cause}`);
  return result.output;
}

async function median(repetitions: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

export async function run(): Promise<void> {
  const rows: string[][] = [['workload', 'skybatch ms', 'aws-local-stepfunctions ms', 'ratio']];
  let mismatches = 0;
  for (const workload of [passChain(1_000), passMap(10_000)]) {
    // The library's types are narrower than a plain object; the definition is valid ASL.
    const machine = new StateMachine(workload.definition as unknown as ConstructorParameters<typeof StateMachine>[0]);
    const runReference = () => machine.run(workload.input).result;

    // The warm-up also gives the outputs to compare, so no run is wasted.
    const ours = await runSkybatch(workload);
    const theirs = await runReference();
    if (!isDeepStrictEqual(ours, theirs)) {
      mismatches++;
      console.error(`\n!!! OUTPUT MISMATCH on "${workload.name}"`);
      console.error(`  skybatch:                ${JSON.stringify(ours).slice(0, 300)}`);
      console.error(`  aws-local-stepfunctions: ${JSON.stringify(theirs).slice(0, 300)}\n`);
    }

    const oursMs = await median(REPETITIONS, () => runSkybatch(workload));
    const theirsMs = await median(REPETITIONS, runReference);
    rows.push([workload.name, oursMs.toFixed(1), theirsMs.toFixed(1), `${(theirsMs / oursMs).toFixed(1)}x faster`]);
  }
  printTable(rows);
  console.log(`\nmedian of ${REPETITIONS} runs after one warm-up; target: >= 3x faster`);
  if (mismatches > 0) {
    console.error(`!!! ${mismatches} workload(s) produced different outputs`);
    process.exitCode = 1;
  }
}

function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  }
}
