/*
 * The string pipeline (ARCHITECTURE.md 4.1) end to end on a real `skybatch up` (SQLite, or
 * SKYBATCH_DATABASE_URL), beside a bash script doing the same work in the same run:
 *   split -l N -d, then xargs -P <cores> running awk and rev per chunk, then cat in order.
 * For 100,000 lines and 1,000,000 lines (SPLIT_NUM 10,000: 10 and 100 chunks per branch).
 * Target: at most 1.5x bash's wall time. The pipeline ends in a mandated 5 s Wait (Finish),
 * which bash has no counterpart for, so the ratio is printed twice: end to end, and without
 * the time spent in top-level Wait states (taken from the execution history). Then where the
 * rest of the time went: per state, and per batch job submit -> start -> stop -> engine.
 * Needs `npm run build`. SKYBATCH_BENCH_PIPELINE_LINES=100000,1000000 picks the sizes.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { HistoryEvent } from '../src/asl/interpreter/protocol.js';
import { pipelineInput } from '../src/cli/commands/demo.js';
import { batchJobs, stateSpans, topLevelWaitMs, type JobTiming } from '../src/cli/execution-report.js';
import type { ExecutionInfo } from '../src/engine/types.js';
import { loadStack } from '../src/stack/load.js';

const SPLIT = 10_000;
const SIZES = (process.env.SKYBATCH_BENCH_PIPELINE_LINES ?? '100000,1000000').split(',').map(Number);
const example = fileURLToPath(new URL('../examples/string-pipeline/', import.meta.url));
const bin = fileURLToPath(new URL('../bin/skybatch.js', import.meta.url));

interface Server {
  url: string;
  token: string;
  child: ChildProcess;
}

async function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, [bin, 'up', '--data', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  while (!output.includes('Skybatch is up')) {
    if (child.exitCode !== null) throw new Error(`skybatch up exited with ${child.exitCode}: ${output}`);
    await sleep(50);
  }
  const endpoint = JSON.parse(readFileSync(join(dataDir, 'endpoint.json'), 'utf8')) as { url: string; token: string };
  return { url: endpoint.url, token: endpoint.token, child };
}

async function api<T>(server: Server, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

async function upload(server: Server, file: string): Promise<void> {
  const response = await fetch(`${server.url}/api/v1/buckets/data/objects/random.string`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'text/plain' },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  if (!response.ok) throw new Error(`upload: HTTP ${response.status} ${await response.text()}`);
}

async function object(server: Server, key: string): Promise<Buffer> {
  const response = await fetch(`${server.url}/api/v1/buckets/data/objects/${key}`, { headers: { authorization: `Bearer ${server.token}` } });
  if (!response.ok) throw new Error(`GET ${key}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Starts the pipeline on what is uploaded and returns the finished execution with its history. */
async function runPipeline(server: Server, project: string): Promise<{ info: ExecutionInfo; events: HistoryEvent[] }> {
  const started = await api<ExecutionInfo>(server, 'POST', '/executions', { stateMachine: 'StringPipeline', input: pipelineInput(project, SPLIT) });
  let info = started;
  while (info.status === 'RUNNING') {
    await sleep(50);
    info = await api<ExecutionInfo>(server, 'GET', `/executions/${encodeURIComponent(started.id)}`);
  }
  const events: HistoryEvent[] = [];
  for (;;) {
    const last = events[events.length - 1];
    const page = await api<{ items: HistoryEvent[]; nextToken?: string }>(server, 'GET', `/executions/${encodeURIComponent(started.id)}/history?limit=1000${last ? `&nextToken=${last.id}` : ''}`);
    events.push(...page.items);
    if (page.nextToken === undefined) break;
  }
  if (info.status !== 'SUCCEEDED') throw new Error(`the pipeline ${info.status}: ${info.error ?? ''} ${info.cause ?? ''}`);
  return { info, events };
}

/**
 * The same work in bash: split, xargs -P cores (awk and rev per chunk), cat in chunk order.
 * The median of three runs: one run swings by 2x on a small machine.
 */
function bashReference(input: string, dir: string, cores: number): number {
  const times = [1, 2, 3].map(() => {
    rmSync(dir, { recursive: true, force: true });
    return bashOnce(input, dir, cores);
  });
  return percentile(times, 50);
}

function bashOnce(input: string, dir: string, cores: number): number {
  mkdirSync(dir);
  const lines = Number(execFileSync('wc', ['-l', input]).toString().trim().split(/\s+/)[0]);
  const digits = Math.max(2, String(Math.floor(lines / SPLIT)).length);
  const script = [
    'set -e',
    `split -l ${SPLIT} -d -a ${digits} "$1" random.string_`,
    `ls random.string_* | xargs -P ${cores} -I{} sh -c 'awk "{print \\$1\\$1}" "$1" > "repeat_$1"; rev "$1" > "reverse_$1"' _ {}`,
    'cat repeat_random.string_* > repeat_random.string_merge',
    'cat reverse_random.string_* > reverse_random.string_merge',
  ].join('\n');
  const start = performance.now();
  execFileSync('/bin/bash', ['-c', script, 'bash', input], { cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
  return performance.now() - start;
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Share of the job slots (one per core) that held a running job, from the first start to the last stop. */
function slotUse(jobs: JobTiming[], cores: number): number {
  const timed = jobs.filter((j) => j.startedAt !== undefined && j.stoppedAt !== undefined);
  const busy = timed.reduce((sum, j) => sum + ((j.stoppedAt as number) - (j.startedAt as number)), 0);
  const first = Math.min(...timed.map((j) => j.startedAt as number));
  const last = Math.max(...timed.map((j) => j.stoppedAt as number));
  return busy / (cores * (last - first));
}

function printProfile(events: HistoryEvent[], jobs: JobTiming[]): void {
  console.log('    per state (first entered -> last exited; xN entries):');
  for (const state of stateSpans(events)) {
    if (state.type === 'Choice' || state.type === 'Pass') continue;
    console.log(`      ${state.name.padEnd(22)} ${state.type.padEnd(8)} ${s(state.spanMs).padStart(9)}${state.entered > 1 ? `  x${state.entered}, mean ${(state.totalMs / state.entered).toFixed(0)} ms inside` : ''}`);
  }
  const phase = (label: string, values: number[]) => console.log(`      ${label.padEnd(30)} p50 ${percentile(values, 50).toFixed(0).padStart(5)} ms   max ${Math.max(...values).toFixed(0).padStart(5)} ms`);
  const timed = jobs.filter((j) => j.startedAt !== undefined && j.stoppedAt !== undefined);
  console.log(`    batch jobs (${jobs.length}):`);
  phase('submitted -> started', timed.map((j) => (j.startedAt as number) - j.createdAt));
  phase('started -> stopped (the script)', timed.map((j) => (j.stoppedAt as number) - (j.startedAt as number)));
  phase('stopped -> task ended (engine)', timed.map((j) => j.notifiedAt - (j.stoppedAt as number)));
}

export async function run(): Promise<void> {
  const cores = availableParallelism();
  const work = mkdtempSync(join(tmpdir(), 'skybatch-bench-pipeline-'));
  const dataDir = join(work, 'data');
  // A copy of the example, so its file subscription writes into the scratch folder.
  const stackDir = join(work, 'string-pipeline');
  cpSync(example, stackDir, { recursive: true });
  rmSync(join(stackDir, 'notifications.jsonl'), { force: true });
  const server = await startServer(dataDir);
  try {
    const loaded = loadStack(join(stackDir, 'stack.yaml'));
    if ('problems' in loaded) throw new Error(loaded.problems.join('\n'));
    await api(server, 'POST', '/stacks/string-pipeline/apply', { stack: loaded.stack.value });
    const { randomLines } = (await import(join(example, 'random-lines.mjs'))) as { randomLines(o: { lines: number }): Iterable<string> };

    // Warm-up: the first run pays for loading the functions' workers and code paths.
    const warm = join(work, 'warm.string');
    await pipeline(Readable.from(randomLines({ lines: 2 * SPLIT })), createWriteStream(warm));
    await upload(server, warm);
    await runPipeline(server, 'warm');

    console.log(`string pipeline, SPLIT_NUM ${SPLIT}, on ${cores} cores, ${process.env.SKYBATCH_DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`);
    for (const lines of SIZES) {
      const input = join(work, `random-${lines}.string`);
      await pipeline(Readable.from(randomLines({ lines })), createWriteStream(input));
      const bashMs = bashReference(input, join(work, `bash-${lines}`), cores);
      await upload(server, input);
      const project = `bench${lines}`;
      const cpuBefore = cpuSeconds(server.child.pid);
      const { info, events } = await runPipeline(server, project);
      const serverCpu = cpuSeconds(server.child.pid) - cpuBefore;
      const totalMs = Date.parse(info.stopDate as string) - Date.parse(info.startDate);
      const waitMs = topLevelWaitMs(events);

      // Same work: the merged outputs equal bash's.
      for (const name of ['repeat', 'reverse']) {
        const ours = await object(server, `result/${project}/String_${name === 'repeat' ? 'Repeat' : 'Reverse'}/${name}_random.string_merge`);
        const theirs = readFileSync(join(work, `bash-${lines}`, `${name}_random.string_merge`));
        if (md5(ours) !== md5(theirs)) throw new Error(`${name} output differs from bash's for ${lines} lines`);
      }

      const chunks = Math.ceil(lines / SPLIT);
      console.log(`${lines} lines (${(statSync(input).size / 1e6).toFixed(1)} MB, ${chunks} chunks per branch):`);
      console.log(`  bash (split, xargs -P ${cores} awk+rev, cat):  ${s(bashMs)} (median of 3)`);
      console.log(`  skybatch, start -> SUCCEEDED:               ${s(totalMs)}   ratio ${(totalMs / bashMs).toFixed(1)}x (target <= 1.5x)`);
      console.log(`  skybatch without the ${s(waitMs)} of Wait states: ${s(totalMs - waitMs)}   ratio ${((totalMs - waitMs) / bashMs).toFixed(1)}x`);
      const jobs = batchJobs(events);
      const chunkJobs = jobs.filter((j) => /^String_(Repeat|Reverse)_\d+$/.test(j.jobName));
      console.log(`    server process CPU: ${serverCpu.toFixed(2)} s; job slots (${cores}) in use during the chunk jobs: ${(slotUse(chunkJobs, cores) * 100).toFixed(0)}%`);
      printProfile(events, jobs);
    }
  } finally {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
    rmSync(work, { recursive: true, force: true });
  }
}
