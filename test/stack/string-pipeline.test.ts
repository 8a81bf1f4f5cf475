/*
 * The string pipeline (ARCHITECTURE.md 4.1) end to end on a real server, on SQLite and on
 * PostgreSQL: `skybatch apply` the example, upload 100,000 generated lines, start it through
 * its form with SPLIT_NUM 10,000, and compare every output object byte for byte with what the
 * real shell tools make (`split -l N -d`, `awk '{print $1$1}'`, `rev`, `cat` in chunk order).
 * The notification reaches the file subscription and, through a real SMTP server, the mailbox.
 * Failure paths: a chunk job that fails twice then succeeds (the job's own retries), and one
 * that always fails: Check_Output reports FAILED, Failed -> Job_Map loops twice, then the
 * execution fails with a clear cause, and every round's notification says what was wrong.
 * Needs `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer } from '../notify/helpers.js';
import { backends, until, type BackendHandle } from '../support/backends.js';
import { startServer, type RunningServer } from '../support/server.js';
import { runCollected, type Completed } from '../support/run-collected.js';
import { copyStringPipelineExample, shellReference, STRING_PIPELINE_EXAMPLE } from '../support/shell-reference.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/skybatch.js');
const example = STRING_PIPELINE_EXAMPLE;
const LINES = 100_000;
const SPLIT = 10_000;

type Run = Completed;

interface Execution {
  id: string;
  status: string;
  error?: string;
  cause?: string;
}

function cli(dataDir: string, ...args: string[]): Promise<Run> {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SKYBATCH_')) delete env[key];
  return runCollected(process.execPath, [bin, ...args, '--data', dataDir], { env });
}

const input = (project: string, splitNum: number) => ({
  TaskInfo: {
    BasicParameters: { ProjectNo: project, INPUT_BUCKET: 'data', INPUT_KEY: 'random.string', OUTPUT_BUCKET: 'data' },
    JobParameter: {
      String_Split: { Name: 'String_Split', OUTPUT_KEY: `result/${project}/String_Split`, SPLIT_NUM: String(splitNum) },
      String_Repeat: { Name: 'String_Repeat', OUTPUT_KEY: `result/${project}/String_Repeat`, Prefix: 'repeat' },
      String_Reverse: { Name: 'String_Reverse', OUTPUT_KEY: `result/${project}/String_Reverse`, Prefix: 'reverse' },
    },
  },
});

describe.each(backends)('the string pipeline on $name', (backend) => {
  let handle: BackendHandle;
  let server: RunningServer;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let work = '';
  let stackDir = '';
  const dataDir = () => join(handle.dataDir, 'server');

  const getObject = async (key: string): Promise<Buffer | undefined> => {
    const res = await fetch(`${server.url}/api/v1/buckets/data/objects/${key.split('/').map(encodeURIComponent).join('/')}`, { headers: { authorization: `Bearer ${server.token}` } });
    if (res.status === 404) return undefined;
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };
  const finished = (id: string) =>
    until(async () => {
      const { body } = await server.api<Execution>('GET', `/api/v1/executions/${encodeURIComponent(id)}`);
      return body.status === 'RUNNING' ? undefined : body;
    }, 240_000, 250);
  const notifications = () =>
    readFileSync(join(stackDir, 'notifications.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { Subject: string; Message: string });

  beforeAll(async () => {
    handle = await backend.create();
    smtp = await startSmtpServer();
    process.env.SKYBATCH_SMTP_URL = smtp.url;
    server = await startServer({ dataDir: dataDir(), databaseUrl: handle.databaseUrl });
    delete process.env.SKYBATCH_SMTP_URL;
    ({ work, stackDir } = copyStringPipelineExample('skybatch-pipeline-'));
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
    await handle?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('applies the example stack, and a second apply changes nothing', async () => {
    const first = await cli(dataDir(), 'apply', '-f', join(stackDir, 'stack.yaml'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('+ create state-machine StringPipeline');
    expect(first.stdout).toContain('+ create bucket data');
    const second = await cli(dataDir(), 'apply', '-f', join(stackDir, 'stack.yaml'));
    expect(second.stdout).toBe('stack string-pipeline: no changes\n');
    const lifecycle = await server.api<{ rules: unknown[] }>('GET', '/api/v1/buckets/data/lifecycle');
    expect(lifecycle.body.rules).toEqual([expect.objectContaining({ transitions: [{ days: 30, storageClass: 'GLACIER' }, { days: 120, storageClass: 'DEEP_ARCHIVE' }], expiration: { days: 365 } })]);
  });

  it('turns 100,000 lines into outputs byte-identical to split, awk, rev and cat', async () => {
    const file = join(work, 'random.string');
    writeFileSync(file, execFileSync(process.execPath, [join(example, 'generate.mjs'), '--lines', String(LINES)], { maxBuffer: 64 * 1024 * 1024 }));
    const put = await cli(dataDir(), 'objects', 'put', 'data', 'random.string', file);
    expect(put.code, put.stderr).toBe(0);

    const started = await server.api<{ id: string; input: unknown }>('POST', '/api/v1/forms/StringPipeline/submit', { values: { ProjectNo: 'P1', SPLIT_NUM: SPLIT } });
    expect(started.status).toBe(201);
    expect(started.body.input).toEqual(input('P1', SPLIT));
    const execution = await finished(started.body.id);
    expect(execution.status, JSON.stringify(execution)).toBe('SUCCEEDED');

    const reference = shellReference(file, join(work, 'ref'), SPLIT);
    expect(reference.chunks).toEqual(Array.from({ length: 10 }, (_, i) => `random.string_0${i}`));
    expect((await getObject('result/P1/String_Split/random.string_splitlist'))?.toString()).toBe(reference.chunks.map((c) => `${c}\n`).join(''));
    for (const chunk of reference.chunks) {
      expect((await getObject(`result/P1/String_Split/${chunk}`))?.equals(reference.files.get(chunk)!), chunk).toBe(true);
      expect((await getObject(`result/P1/String_Repeat/repeat_${chunk}`))?.equals(reference.files.get(`repeat_${chunk}`)!), `repeat_${chunk}`).toBe(true);
      expect((await getObject(`result/P1/String_Reverse/reverse_${chunk}`))?.equals(reference.files.get(`reverse_${chunk}`)!), `reverse_${chunk}`).toBe(true);
    }
    const repeat = await getObject('result/P1/String_Repeat/repeat_random.string_merge');
    const reverse = await getObject('result/P1/String_Reverse/reverse_random.string_merge');
    expect(repeat?.equals(reference.files.get('repeat_random.string_merge')!)).toBe(true);
    expect(reverse?.equals(reference.files.get('reverse_random.string_merge')!)).toBe(true);

    const sent = await until(async () => notifications().find((n) => n.Subject === 'String pipeline P1: SUCCEEDED'));
    expect(sent.Message).toContain(`Input: s3://data/random.string (${LINES} lines`);
    expect(sent.Message).toContain(`s3://data/result/P1/String_Reverse/reverse_random.string_merge: ${LINES} lines, ${reverse?.length} bytes`);
    const mail = await until(async () => smtp.mails.find((m) => m.raw.includes('String pipeline P1: SUCCEEDED')));
    expect(mail.to).toEqual(['pipeline-owner@example.com']);
  }, 240_000);

  it('a chunk job that fails twice succeeds on its third attempt, and the pipeline with it', async () => {
    writeFileSync(join(work, 'small.string'), execFileSync(process.execPath, [join(example, 'generate.mjs'), '--lines', '3000', '--seed', '7']));
    expect((await cli(dataDir(), 'objects', 'put', 'data', 'random.string', join(work, 'small.string'))).code).toBe(0);
    const stack = readFileSync(join(stackDir, 'stack.yaml'), 'utf8');
    writeFileSync(join(stackDir, 'flaky.yaml'), stack.replace('environment: { OPERATION: reverse }', 'environment: { OPERATION: reverse, FAIL_CHUNK: _01, FAIL_TIMES: "2" }'));
    const applied = await cli(dataDir(), 'apply', '-f', join(stackDir, 'flaky.yaml'));
    expect(applied.stdout).toBe('~ update job-definition String_Reverse (revision 2)\nstack string-pipeline: 0 to create, 1 to update, 0 to delete, 10 unchanged\n');

    const started = await server.api<Execution>('POST', '/api/v1/executions', { stateMachine: 'StringPipeline', input: input('P2', 1000) });
    const execution = await finished(started.body.id);
    expect(execution.status, JSON.stringify(execution)).toBe('SUCCEEDED');
    const jobs = await server.api<{ items: { jobId: string; jobName: string }[] }>('GET', '/api/v1/jobs?limit=1000');
    const flaky = jobs.body.items.find((j) => j.jobName === 'String_Reverse_1');
    const detail = await server.api<{ attempts: unknown[]; status: string }>('GET', `/api/v1/jobs/${flaky!.jobId}`);
    expect(detail.body).toMatchObject({ status: 'SUCCEEDED' });
    expect(detail.body.attempts).toHaveLength(3);
    expect(readFileSync(join(work, 'small.string'), 'utf8').split('\n').length - 1).toBe(3000);
    expect((await getObject('result/P2/String_Reverse/reverse_random.string_merge'))?.toString()).toBe(execFileSync('rev', [join(work, 'small.string')], { env: { ...process.env, LC_ALL: 'C' } }).toString());
  }, 240_000);

  it('a chunk job that always fails: Check_Output reports FAILED, the loop runs twice more, then the execution fails with a clear cause', async () => {
    const stack = readFileSync(join(stackDir, 'stack.yaml'), 'utf8');
    writeFileSync(join(stackDir, 'broken.yaml'), stack.replace('environment: { OPERATION: reverse }', 'environment: { OPERATION: reverse, FAIL_CHUNK: _01, FAIL_TIMES: always }'));
    expect((await cli(dataDir(), 'apply', '-f', join(stackDir, 'broken.yaml'))).code).toBe(0);
    const started = await server.api<Execution>('POST', '/api/v1/executions', { stateMachine: 'StringPipeline', input: input('P3', 1000) });
    const execution = await finished(started.body.id);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'StringPipeline.OutputCheckFailed' });
    expect(execution.cause).toMatch(/Check_Output reported FAILED/);

    const history = await server.api<{ items: { type: string; stateEnteredEventDetails?: { name: string } }[] }>('GET', `/api/v1/executions/${started.body.id}/history?limit=1000`);
    const entered = history.body.items.filter((e) => e.stateEnteredEventDetails?.name === 'Job_Map');
    expect(entered).toHaveLength(3);
    const failed = await until(async () => {
      const sent = notifications().filter((n) => n.Subject === 'String pipeline P3: FAILED');
      return sent.length === 3 ? sent : undefined;
    });
    for (const n of failed) expect(n.Message).toMatch(/String_Reverse: s3:\/\/data\/result\/P3\/String_Reverse\/reverse_random\.string_merge has 2000 lines, the input 3000/);
  }, 240_000);
});
