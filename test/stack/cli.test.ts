/*
 * `skybatch apply`, `destroy` and `objects get/put` through the real binary against a real
 * `skybatch up`, and the forms API over HTTP. Needs `npm run build`.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { runCollected, type Completed } from '../support/run-collected.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/skybatch.js');
let dir = '';
let server: RunningServer;

type Run = Completed;

function skybatch(...args: string[]): Promise<Run> {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SKYBATCH_')) delete env[key];
  return runCollected(process.execPath, [bin, ...args, '--data', join(dir, 'data')], { cwd: dir, env });
}

const STACK = `name: cli-app
jobDefinitions:
  Hello: { script: hello.sh, attempts: 2 }
  Bye: { command: echo bye }
functions:
  Greet: { file: greet.mjs }
stateMachines:
  Greeting: { file: greeting.json }
forms:
  Greet:
    stateMachine: Greeting
    fields:
      who: { type: string, required: true, pattern: '^[a-z]+$' }
      times: { type: integer, min: 1, max: 3, default: 1 }
    input: { who: '\${who}', times: '\${times}' }
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skybatch-stack-cli-'));
  server = await startServer({ dataDir: join(dir, 'data') });
  await mkdir(join(dir, 'app'));
  await writeFile(join(dir, 'app/hello.sh'), 'echo hello\n');
  await writeFile(join(dir, 'app/greet.mjs'), 'export const handler = async (e) => `hello ${e.who}`;\n');
  await writeFile(join(dir, 'app/greeting.json'), JSON.stringify({ StartAt: 'G', States: { G: { Type: 'Task', Resource: 'arn:aws:lambda:local:000000000000:function:Greet', End: true } } }));
  await writeFile(join(dir, 'app/stack.yaml'), STACK);
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('skybatch apply / destroy', () => {
  it('prints the plan and applies it; the second apply has nothing to do', async () => {
    const dry = await skybatch('apply', '-f', 'app/stack.yaml', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('(dry run: nothing applied)');
    expect((await server.api('GET', '/api/v1/state-machines/Greeting')).status).toBe(404);

    const first = await skybatch('apply', '-f', 'app/stack.yaml');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(
      [
        '+ create job-definition Bye',
        '+ create job-definition Hello',
        '+ create function Greet',
        '+ create state-machine Greeting',
        '+ create form Greet',
        'stack cli-app: 5 to create, 0 to update, 0 to delete, 0 unchanged',
        '',
      ].join('\n'),
    );
    const again = await skybatch('apply', '-f', 'app/stack.yaml');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('stack cli-app: no changes\n');
  });

  it('updates a changed script as a new revision and deletes a job definition removed from the file', async () => {
    await writeFile(join(dir, 'app/hello.sh'), 'echo hello world\n');
    await writeFile(join(dir, 'app/stack.yaml'), STACK.replace('  Bye: { command: echo bye }\n', ''));
    const result = await skybatch('apply', '-f', 'app/stack.yaml');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(['~ update job-definition Hello (revision 2)', '- delete job-definition Bye', 'stack cli-app: 0 to create, 1 to update, 1 to delete, 3 unchanged', ''].join('\n'));
    const bye = await server.api<{ items: { status: string }[] }>('GET', '/api/v1/job-definitions?name=Bye&status=ACTIVE');
    expect(bye.body.items).toEqual([]);
    const json = await skybatch('apply', '-f', 'app/stack.yaml', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ stack: 'cli-app', failed: [] });
  });

  it('exits 2 listing every mistake with its place in the file, and changes nothing', async () => {
    await writeFile(
      join(dir, 'app/bad.yaml'),
      ['name: cli-app', 'jobDefinitions:', '  Hello: { attempts: 20 }', 'functions:', '  Greet: { file: nowhere.mjs }', 'stateMachines:', '  Greeting: { definition: { StartAt: X, States: {} } }', 'topics:', '  T: { subscriptions: [{ protocol: fax, endpoint: "1" }] }', ''].join('\n'),
    );
    const result = await skybatch('apply', '-f', 'app/bad.yaml');
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^skybatch: app\/bad\.yaml is invalid \(\d+ problems\); nothing was changed$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^bad\.yaml:3:3 jobDefinitions\.Hello\.command: is required/),
      expect.stringMatching(/^bad\.yaml:3:\d+ jobDefinitions\.Hello\.attempts: must be an integer from 1 to 10$/),
      expect.stringMatching(/^bad\.yaml:5:\d+ functions\.Greet\.file: file not found: /),
      expect.stringMatching(/^bad\.yaml:7:\d+ stateMachines\.Greeting\.definition/),
      expect.stringMatching(/^bad\.yaml:9:\d+ topics\.T\.subscriptions\[0\]\.protocol: "fax" must be one of/),
    ]);
    const plan = await skybatch('apply', '-f', 'app/stack.yaml', '--dry-run');
    expect(plan.stdout).toBe('stack cli-app: no changes\n');
  });

  it('serves the form, checks its fields on the server and starts the state machine', async () => {
    const forms = await server.api<{ items: { name: string; stack: string }[] }>('GET', '/api/v1/forms');
    expect(forms.body.items).toEqual([expect.objectContaining({ name: 'Greet', stack: 'cli-app', stateMachine: 'Greeting' })]);
    const form = await server.api<{ fields: Record<string, unknown> }>('GET', '/api/v1/forms/Greet');
    expect(form.body.fields).toEqual({ who: { type: 'string', required: true, pattern: '^[a-z]+$' }, times: { type: 'integer', min: 1, max: 3, default: 1 } });

    const bad = await server.api<{ error: { code: string; details: { fields: Record<string, string> } } }>('POST', '/api/v1/forms/Greet/submit', { values: { who: 'Bob!', times: 9 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toEqual({ who: 'must match ^[a-z]+$', times: 'must be at most 3' });
    expect((await server.api('POST', '/api/v1/forms/Nope/submit', { values: {} })).status).toBe(404);

    const started = await server.api<{ id: string; input: unknown }>('POST', '/api/v1/forms/Greet/submit', { values: { who: 'bob' } });
    expect(started.status).toBe(201);
    expect(started.body.input).toEqual({ who: 'bob', times: '1' });
    const run = await skybatch('executions', 'describe', started.body.id, '--json');
    expect(run.code, run.stderr).toBe(0);
  });

  it('puts and gets object bytes unchanged, and destroy --force empties a bucket first', async () => {
    await writeFile(join(dir, 'files.yaml'), 'name: files\nbuckets:\n  files: {}\n');
    expect((await skybatch('apply', '-f', 'files.yaml')).stdout).toContain('+ create bucket files');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    await writeFile(join(dir, 'blob.bin'), bytes);
    const put = await skybatch('objects', 'put', 'files', 'deep/key name.bin', 'blob.bin');
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toBe('files/deep/key name.bin: 70000 bytes\n');
    const got = await skybatch('objects', 'get', 'files', 'deep/key name.bin', 'copy.bin');
    expect(got.code, got.stderr).toBe(0);
    expect((await readFile(join(dir, 'copy.bin'))).equals(bytes)).toBe(true);
    const missing = await skybatch('objects', 'get', 'files', 'nope', 'x.bin');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/NoSuchKey/);

    // A job's own token opens the object routes, and no admin route.
    const job = await skybatch(
      'jobs', 'submit', '--wait', '--command',
      `curl -s -o /dev/null -w 'admin=%{http_code}\\n' -H "Authorization: Bearer $SKYBATCH_TOKEN" "$SKYBATCH_ENDPOINT/api/v1/buckets" && printf 'from a job' | curl -fsS -o /dev/null -H "Authorization: Bearer $SKYBATCH_TOKEN" -H 'Content-Type: text/plain' -T - "$SKYBATCH_ENDPOINT/api/v1/buckets/files/objects/by/job.txt"`,
    );
    expect(job.code, job.stderr).toBe(0);
    const jobId = job.stdout.trim().split('\n')[0] ?? '';
    const logs = await skybatch('jobs', 'logs', jobId);
    expect(logs.stdout).toContain('admin=403');
    expect((await skybatch('objects', 'get', 'files', 'by/job.txt')).stdout).toBe('from a job');

    const kept = await skybatch('destroy', '-f', 'files.yaml');
    expect(kept.code).toBe(1);
    expect(kept.stderr).toMatch(/bucket files: bucket "files" is not empty: empty it first, or destroy with --force/);
    const forced = await skybatch('destroy', '-f', 'files.yaml', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect((await server.api<{ items: { name: string }[] }>('GET', '/api/v1/buckets')).body.items.map((b) => b.name)).not.toContain('files');
  });

  it('destroy removes everything the stack made', async () => {
    const result = await skybatch('destroy', '-f', 'app/stack.yaml');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(['- delete form Greet', '- delete state-machine Greeting', '- delete function Greet', '- delete job-definition Hello', 'stack cli-app: 0 to create, 0 to update, 4 to delete, 0 unchanged', ''].join('\n'));
    expect((await server.api('GET', '/api/v1/forms/Greet')).status).toBe(404);
    expect((await server.api('GET', '/api/v1/state-machines/Greeting')).status).toBe(404);
  });
});
