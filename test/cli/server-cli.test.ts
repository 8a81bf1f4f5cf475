/*
 * `skybatch up` and the commands that talk to it, through the real binary against a real
 * server process: exit codes, stdout/stderr and endpoint.json are the contract
 * (ARCHITECTURE.md section 2). Needs `npm run build`. The tests share one server and run
 * in order: later ones use what earlier ones created.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollected, type Completed } from '../support/run-collected.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/skybatch.js');
let dir = '';
let dataDir = '';
let server: ChildProcess | undefined;
let serverOutput = '';

type Run = Completed;

interface EndpointFile {
  url: string;
  token: string;
  s3Endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The environment of a user who set nothing: the developer's own SKYBATCH_* must not leak in. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SKYBATCH_')) delete env[key];
  return { ...env, ...extra };
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runCollected(process.execPath, [bin, ...args], { cwd: dir, env: cleanEnv(env) });
}

/** A command against the test server, found through --data. */
function skybatch(...args: string[]): Promise<Run> {
  return run([...args, '--data', dataDir]);
}

function json<T = Record<string, unknown>>(result: Run): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function readEndpoint(): Promise<EndpointFile> {
  return JSON.parse(await readFile(join(dataDir, 'endpoint.json'), 'utf8')) as EndpointFile;
}

/** Starts `skybatch up --port 0` and resolves once it said it is up and /health answers. */
async function startServer(): Promise<EndpointFile> {
  serverOutput = '';
  const child = spawn(process.execPath, [bin, 'up', '--data', dataDir, '--port', '0'], { cwd: dir, env: cleanEnv() });
  server = child;
  child.stdout?.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
  const deadline = Date.now() + 20_000;
  // endpoint.json may be left from an earlier start, so wait for this process's line first.
  while (!serverOutput.includes('Skybatch is up')) {
    if (child.exitCode !== null) throw new Error(`skybatch up exited with ${child.exitCode}:\n${serverOutput}`);
    if (Date.now() > deadline) throw new Error(`skybatch up did not start:\n${serverOutput}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const endpoint = await readEndpoint();
  const health = await fetch(`${endpoint.url}/api/v1/health`);
  expect(health.status).toBe(200);
  return endpoint;
}

async function stopServer(): Promise<number | null> {
  const child = server;
  if (child === undefined || child.exitCode !== null) return child?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const code = await exited;
  server = undefined;
  return code;
}

const waitChoiceYaml = `# a short Wait, then a Choice on the input
StartAt: Pause
States:
  Pause:
    Type: Wait
    Seconds: 1
    Next: Classify
  Classify:
    Type: Choice
    Choices:
      - Variable: $.size
        NumericGreaterThan: 10
        Next: Big
    Default: Small
  Big:
    Type: Pass
    Result: big
    ResultPath: $.kind
    End: true
  Small:
    Type: Pass
    Result: small
    ResultPath: $.kind
    End: true
`;

let endpoint: EndpointFile;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skybatch-server-cli-'));
  dataDir = join(dir, 'data');
  endpoint = await startServer();
}, 30_000);

afterAll(async () => {
  server?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('skybatch up', () => {
  it('writes endpoint.json with mode 0600 and prints the console URL', async () => {
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoint.url).not.toMatch(/:0$/);
    expect(endpoint.s3Endpoint).toBe(`${endpoint.url}/s3`);
    expect(endpoint.token).not.toBe('');
    expect(endpoint.accessKeyId).toMatch(/^SKY[A-Z0-9]{17}$/);
    expect(endpoint.secretAccessKey).toHaveLength(40);
    expect((await stat(join(dataDir, 'endpoint.json'))).mode & 0o777).toBe(0o600);
    expect(serverOutput).toContain(`Skybatch is up: console at ${endpoint.url}/?token=${endpoint.token}`);
    expect(serverOutput).toContain(join(dataDir, 'endpoint.json'));
  });

  it('refuses a second server on the same data dir, and a bad --port', async () => {
    const second = await run(['up', '--data', dataDir, '--port', '0']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`already running at ${endpoint.url}`);
    expect(await readEndpoint()).toEqual(endpoint);
    const port = await run(['up', '--data', dataDir, '--port', 'http']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port');
  });
});

describe('skybatch state-machines', () => {
  it('creates a state machine from a YAML file and lists and describes it', async () => {
    const created = await skybatch('state-machines', 'create', 'choosy', '-f', await file('choosy.yaml', waitChoiceYaml));
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('choosy');

    const table = await skybatch('state-machines');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+REVISION/);
    expect(table.stdout).toMatch(/^choosy\s+1\s/m);

    const listed = json<{ name: string }[]>(await skybatch('state-machines', 'list', '--json'));
    expect(listed.map((item) => item.name)).toContain('choosy');

    const info = json(await skybatch('state-machines', 'describe', 'choosy', '--json'));
    expect(info).toMatchObject({ name: 'choosy', revision: 1, definition: { StartAt: 'Pause' } });
  });

  it('exits 2 and prints the problem lines for an invalid definition', async () => {
    const path = await file('bad.json', JSON.stringify({ StartAt: 'Split', States: { Split: { Type: 'Pass', Next: 'Spilt' } } }));
    const result = await skybatch('state-machines', 'create', 'broken', '-f', path);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^skybatch: InvalidDefinition: /);
    expect(result.stderr).toMatch(/^States\.Split\.Next: .*Spilt/m);
  });

  it('exits 2 on a name that is taken, an unreadable file or a missing -f', async () => {
    const taken = await skybatch('state-machines', 'create', 'choosy', '-f', join(dir, 'choosy.yaml'));
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/^skybatch: Conflict: /);
    const missing = await skybatch('state-machines', 'create', 'other', '-f', join(dir, 'missing.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing.yaml');
    expect((await skybatch('state-machines', 'create', 'other')).code).toBe(2);
  });

  it('update creates revision 2, delete removes the machine', async () => {
    const echo = await file('echo.json', JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }));
    expect((await skybatch('state-machines', 'create', 'shortlived', '-f', echo)).code).toBe(0);
    const updated = json(await skybatch('state-machines', 'update', 'shortlived', '-f', await file('short.yaml', waitChoiceYaml), '--json'));
    expect(updated).toMatchObject({ name: 'shortlived', revision: 2, definition: { StartAt: 'Pause' } });
    expect(json(await skybatch('state-machines', 'describe', 'shortlived', '--json'))).toMatchObject({ revision: 2 });

    const deleted = await skybatch('state-machines', 'delete', 'shortlived');
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = await skybatch('state-machines', 'describe', 'shortlived');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/^skybatch: NotFound: /);
  });
});

describe('skybatch run', () => {
  it('--wait shows progress, prints the output and exits 0 on SUCCEEDED', async () => {
    const started = Date.now();
    const result = await skybatch('run', 'choosy', '--input', '{"size": 42}', '--wait');
    expect(result.code, result.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(JSON.parse(result.stdout)).toEqual({ size: 42, kind: 'big' });
    expect(result.stderr).toMatch(/^RUNNING\s+Pause$/m);
    expect(result.stderr).toMatch(/^SUCCEEDED$/m);
  });

  it('reads --input from a file', async () => {
    const input = await file('input.json', '{"size": 3}');
    const result = await skybatch('run', 'choosy', '--input', `@${input}`, '--wait');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ size: 3, kind: 'small' });
  });

  it('--wait exits 1 on a failed execution, printing error and cause', async () => {
    const path = await file('fail.json', JSON.stringify({ StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Custom.Error', Cause: 'it broke' } } }));
    expect((await skybatch('state-machines', 'create', 'failing', '-f', path)).code).toBe(0);
    const result = await skybatch('run', 'failing', '--wait');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('FAILED');
    expect(result.stderr).toContain('Custom.Error');
    expect(result.stderr).toContain('it broke');
  });

  it('returns the first execution for a second start with the same --name', async () => {
    const first = await skybatch('run', 'choosy', '--name', 'once', '--input', '{"size": 1}');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^arn:\S+\n$/);
    const again = await skybatch('run', 'choosy', '--name', 'once', '--input', '{"size": 99}');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    expect(again.stderr).toContain('already exists');
    const info = json(await skybatch('run', 'choosy', '--name', 'once', '--json'));
    expect(info).toMatchObject({ executionArn: first.stdout.trim(), input: { size: 1 } });
  });

  it('exits 2 on an unknown state machine or bad --input', async () => {
    const unknown = await skybatch('run', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^skybatch: NotFound: /);
    const bad = await skybatch('run', 'choosy', '--input', '{not json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--input');
  });
});

describe('skybatch executions', () => {
  it('lists, describes, shows the history of and stops a running execution', async () => {
    const path = await file('sleepy.json', JSON.stringify({ StartAt: 'Sleep', States: { Sleep: { Type: 'Wait', Seconds: 60, End: true } } }));
    expect((await skybatch('state-machines', 'create', 'sleepy', '-f', path)).code).toBe(0);
    const started = json<{ id: string; executionArn: string }>(await skybatch('run', 'sleepy', '--json'));

    const running = json<{ id: string; status: string }[]>(await skybatch('executions', 'list', '--state-machine', 'sleepy', '--status', 'RUNNING', '--json'));
    expect(running.map((item) => item.id)).toEqual([started.id]);
    const table = await skybatch('executions', '--state-machine', 'sleepy');
    expect(table.stdout).toMatch(/^ID\s+NAME\s+STATE MACHINE\s+STATUS/);
    expect(table.stdout).toContain(started.id);
    expect(table.stdout).toMatch(/sleepy\s+RUNNING/);
    const succeeded = json<{ stateMachine: string; status: string }[]>(await skybatch('executions', 'list', '--status', 'SUCCEEDED', '--json'));
    expect(succeeded.length).toBeGreaterThan(0);
    expect(succeeded.every((item) => item.status === 'SUCCEEDED' && item.stateMachine === 'choosy')).toBe(true);

    // By ARN as well as by id.
    const described = json(await skybatch('executions', 'describe', started.executionArn, '--json'));
    expect(described).toMatchObject({ id: started.id, executionArn: started.executionArn, status: 'RUNNING' });

    const history = await skybatch('executions', 'history', started.id);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^ID\s+TYPE\s+TIMESTAMP\s+STATE/);
    expect(history.stdout).toMatch(/^1\s+ExecutionStarted\s/m);
    expect(history.stdout).toMatch(/WaitStateEntered\s+\S+\s+Sleep$/m);
    const events = json<{ id: number; type: string }[]>(await skybatch('executions', 'history', started.id, '--json'));
    expect(events[0]).toMatchObject({ id: 1, type: 'ExecutionStarted' });

    const stopped = json(await skybatch('executions', 'stop', started.id, '--cause', 'test is over', '--json'));
    expect(stopped).toMatchObject({ id: started.id, status: 'ABORTED' });
    const after = json(await skybatch('executions', 'describe', started.id, '--json'));
    expect(after).toMatchObject({ executionArn: started.executionArn, id: started.id, status: 'ABORTED' });
    // The contract names output even when there is none.
    expect(after).toHaveProperty('output', null);
    const human = await skybatch('executions', 'describe', started.id);
    expect(human.stdout).toMatch(/^status:\s+ABORTED$/m);
  });

  it('describe --json prints the output of a finished execution', async () => {
    expect((await skybatch('run', 'choosy', '--name', 'described', '--input', '{"size": 20}', '--wait')).code).toBe(0);
    const items = json<{ id: string; name: string }[]>(await skybatch('executions', 'list', '--state-machine', 'choosy', '--json'));
    const item = items.find((candidate) => candidate.name === 'described');
    expect(item).toBeDefined();
    const info = json(await skybatch('executions', 'describe', item?.id ?? '', '--json'));
    expect(info).toMatchObject({ id: item?.id, name: 'described', status: 'SUCCEEDED', output: { size: 20, kind: 'big' } });
    expect(info).toHaveProperty('executionArn');
    expect(json<unknown[]>(await skybatch('executions', 'list', '--limit', '1', '--json'))).toHaveLength(1);
  });

  it('exits 2 for an unknown execution or --status', async () => {
    const unknown = await skybatch('executions', 'describe', 'no-such-execution');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^skybatch: NotFound: /);
    expect((await skybatch('executions', 'list', '--status', 'SLEEPING')).code).toBe(2);
  });
});

describe('finding the server', () => {
  it('SKYBATCH_ENDPOINT and SKYBATCH_TOKEN win over --data', async () => {
    const env = { SKYBATCH_ENDPOINT: endpoint.url, SKYBATCH_TOKEN: endpoint.token };
    const result = await run(['state-machines', '--data', join(dir, 'nowhere')], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('choosy');
  });

  it('explains a wrong token in one line and exits 2', async () => {
    const result = await run(['state-machines'], { SKYBATCH_ENDPOINT: endpoint.url, SKYBATCH_TOKEN: 'wrong' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^skybatch: Unauthorized: .*SKYBATCH_TOKEN/);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('says where it looked when there is no endpoint.json', async () => {
    const result = await run(['executions']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(join(dir, '.skybatch', 'endpoint.json'));
    expect(result.stderr).toContain('skybatch up');
  });

  it('stops on SIGTERM, says when no server answers, and keeps its token across a restart', async () => {
    const before = endpoint;
    expect(await stopServer()).toBe(0);

    const down = await skybatch('state-machines');
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach the Skybatch server at ${before.url}`);
    expect(down.stderr).toContain('is `skybatch up` running?');

    endpoint = await startServer();
    expect(endpoint).toMatchObject({ token: before.token, accessKeyId: before.accessKeyId, secretAccessKey: before.secretAccessKey });
    expect((await stat(join(dataDir, 'endpoint.json'))).mode & 0o777).toBe(0o600);
    const list = await skybatch('state-machines');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('choosy');
  }, 30_000);
});
