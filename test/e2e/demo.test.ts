/*
 * `skybatch demo` end to end, on SQLite and on PostgreSQL (a fresh database per run):
 *   - with no server running it starts one on --data, applies the example stack, uploads
 *     100,000 generated lines, runs the pipeline with SPLIT_NUM 10,000 and stops the server;
 *     the outputs (read back through a server restarted on the same data) are byte-identical to
 *     split, awk, rev and cat, and the notification reached the file subscription;
 *   - against a running server it uses that server and the stack already there;
 *   - bad options exit 2, an unreachable SKYBATCH_ENDPOINT exits 1.
 * Needs `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSummary } from '../../src/cli/commands/demo.js';
import { backends, type BackendHandle } from '../support/backends.js';
import { runCollected, type Completed } from '../support/run-collected.js';
import { startServer, type RunningServer } from '../support/server.js';
import { copyStringPipelineExample, shellReference, STRING_PIPELINE_EXAMPLE } from '../support/shell-reference.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/skybatch.js');
const example = STRING_PIPELINE_EXAMPLE;
const LINES = 100_000;
const SPLIT = 10_000;

function demo(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Completed> {
  return runCollected(process.execPath, [bin, 'demo', ...args], { env });
}

function cleanEnv(databaseUrl?: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SKYBATCH_')) delete env[key];
  if (databaseUrl !== undefined) env.SKYBATCH_DATABASE_URL = databaseUrl;
  return env;
}

describe.each(backends)('skybatch demo on $name', (backend) => {
  let handle: BackendHandle;
  let work = '';
  let stackDir = '';
  let server: RunningServer | undefined;
  const dataDir = () => join(handle.dataDir, 'server');

  beforeAll(async () => {
    handle = await backend.create();
    ({ work, stackDir } = copyStringPipelineExample('skybatch-demo-'));
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await handle?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('starts a server, runs 100,000 lines through the pipeline, and the outputs match split, awk, rev and cat byte for byte', async () => {
    const run = await demo(cleanEnv(handle.databaseUrl), '--data', dataDir(), '--stack', join(stackDir, 'stack.yaml'), '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('starting one');
    expect(run.stderr).toContain('+ create state-machine StringPipeline');
    expect(run.stderr).toMatch(/jobs \d+\/23/);
    const summary = JSON.parse(run.stdout) as DemoSummary;
    expect(summary).toMatchObject({ status: 'SUCCEEDED', input: { bucket: 'data', key: 'random.string', lines: LINES, splitNum: SPLIT, chunks: 10 }, jobs: { run: 23, succeeded: 23, failed: 0 } });
    expect(summary.states.map((s) => s.name)).toEqual(expect.arrayContaining(['String_Split', 'Job_Map', 'Parallel_Process', 'Check_Output', 'Notification', 'Is_Complete', 'Finish']));
    expect(summary.states.find((s) => s.name === 'String_Repeat')?.entered).toBe(10);
    expect(summary.waitSeconds).toBeGreaterThanOrEqual(5);
    expect(summary.wallSeconds).toBeGreaterThanOrEqual(summary.executionSeconds);
    // The server it started is gone again.
    const endpoint = JSON.parse(readFileSync(join(dataDir(), 'endpoint.json'), 'utf8')) as { url: string };
    expect(await fetch(`${endpoint.url}/api/v1/health`).then(() => true, () => false)).toBe(false);

    // The same lines, made here, through the real tools.
    const file = join(work, 'random.string');
    writeFileSync(file, execFileSync(process.execPath, [join(example, 'generate.mjs'), '--lines', String(LINES)], { maxBuffer: 64 * 1024 * 1024 }));
    const reference = shellReference(file, join(work, 'ref'), SPLIT);
    expect(summary.input.bytes).toBe(readFileSync(file).length);
    const expected = new Map<string, Buffer>([['result/demo/String_Split/random.string_splitlist', Buffer.from(reference.chunks.map((c) => `${c}\n`).join(''))]]);
    for (const chunk of reference.chunks) {
      expected.set(`result/demo/String_Split/${chunk}`, reference.files.get(chunk)!);
      expected.set(`result/demo/String_Repeat/repeat_${chunk}`, reference.files.get(`repeat_${chunk}`)!);
      expected.set(`result/demo/String_Reverse/reverse_${chunk}`, reference.files.get(`reverse_${chunk}`)!);
    }
    expected.set('result/demo/String_Repeat/repeat_random.string_merge', reference.files.get('repeat_random.string_merge')!);
    expected.set('result/demo/String_Reverse/reverse_random.string_merge', reference.files.get('reverse_random.string_merge')!);
    expect(new Map(summary.outputs.map((o) => [o.key, o.size]))).toEqual(new Map([...expected].map(([key, bytes]) => [key, bytes.length])));

    server = await startServer({ dataDir: dataDir(), databaseUrl: handle.databaseUrl });
    for (const [key, bytes] of expected) {
      const res = await fetch(`${server.url}/api/v1/buckets/data/objects/${key}`, { headers: { authorization: `Bearer ${server.token}` } });
      expect(res.status, key).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes), key).toBe(true);
    }

    const notifications = readFileSync(join(stackDir, 'notifications.jsonl'), 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { MessageId: string; Subject: string; Message: string });
    const sent = notifications.find((n) => n.MessageId === summary.notification?.messageId);
    expect(sent?.Subject).toBe('String pipeline demo: SUCCEEDED');
    expect(sent?.Message).toContain(`Input: s3://data/random.string (${LINES} lines`);
    expect(summary.notification?.deliveries).toContainEqual(expect.objectContaining({ protocol: 'file', endpoint: join(stackDir, 'notifications.jsonl'), status: 'delivered' }));
  }, 300_000);

  it('uses a running server and the stack already applied there', async () => {
    expect(server).toBeDefined();
    const run = await demo(cleanEnv(handle.databaseUrl), '--data', dataDir(), '--lines', '2500', '--split-num', '1000', '--project', 'again');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('starting one');
    expect(run.stderr).toContain('stack string-pipeline is already applied');
    expect(run.stdout).toContain('String pipeline again: SUCCEEDED');
    expect(run.stdout).toContain('SPLIT_NUM 1000 (3 chunks)');
    expect(run.stdout).toMatch(/^Jobs: 9 run, 9 succeeded, 0 failed$/m);
    expect(run.stdout).toMatch(/result\/again\/String_Reverse\/reverse_random\.string_merge +\d+ bytes/);
    expect(run.stdout).toMatch(/^ {2}file .*notifications\.jsonl: delivered$/m);
    expect(run.stdout).toMatch(/^Wall time: [\d.]+ s \(execution [\d.]+ s, of which [\d.]+ s in the pipeline's Wait states\)$/m);
    // The server it found is still running.
    expect((await fetch(`${server!.url}/api/v1/health`)).ok).toBe(true);
  }, 120_000);
});

describe('skybatch demo, refused', () => {
  it('exits 2 on bad options and 1 when SKYBATCH_ENDPOINT does not answer, starting nothing', async () => {
    const data = mkdtempSync(join(tmpdir(), 'skybatch-demo-bad-'));
    try {
      const lines = await demo(cleanEnv(), '--data', data, '--lines', '0');
      expect(lines.code).toBe(2);
      expect(lines.stderr).toContain('--lines must be a whole number of at least 1, not "0"');
      const project = await demo(cleanEnv(), '--data', data, '--project', 'a b');
      expect(project.code).toBe(2);
      expect(project.stderr).toContain('--project must be');
      const stack = await demo(cleanEnv(), '--data', data, '--stack', join(data, 'missing.yaml'));
      expect(stack.code).toBe(2);
      expect(stack.stderr).toContain('cannot read the stack file');
      expect(existsSync(join(data, 'endpoint.json'))).toBe(false);
      const gone = await demo({ ...cleanEnv(), SKYBATCH_ENDPOINT: 'http://127.0.0.1:9', SKYBATCH_TOKEN: 'x' }, '--data', data);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain('no Skybatch server answers at http://127.0.0.1:9');
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
