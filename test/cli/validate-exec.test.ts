/*
 * `skybatch validate` and `skybatch exec` through the real binary, as a user runs them:
 * exit codes and stdout/stderr are the contract (ARCHITECTURE.md section 2), so they are
 * checked on a spawned process rather than on main() in-process. Needs `npm run build`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollected, type Completed } from '../support/run-collected.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';

type Run = Completed;

function skybatch(...args: string[]): Promise<Run> {
  return runCollected(process.execPath, [join(root, 'bin/skybatch.js'), ...args], { cwd: root });
}

async function file(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** exec's stdout must be exactly one JSON line. */
function jsonLine(run: Run): Record<string, unknown> {
  expect(run.stdout.endsWith('\n')).toBe(true);
  expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const passChoice = {
  StartAt: 'Classify',
  States: {
    Classify: {
      Type: 'Choice',
      Choices: [{ Variable: '$.size', NumericGreaterThan: 10, Next: 'Big' }],
      Default: 'Small',
    },
    Big: { Type: 'Pass', Result: 'big', ResultPath: '$.kind', End: true },
    Small: { Type: 'Pass', Result: 'small', ResultPath: '$.kind', End: true },
  },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skybatch-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('skybatch validate', () => {
  it('prints "valid" and exits 0 for a valid definition', async () => {
    const run = await skybatch('validate', await file('ok.json', passChoice));
    expect(run).toMatchObject({ code: 0, stdout: 'valid\n' });
  });

  it('names the state and field of each problem and exits 2', async () => {
    const path = await file('bad.json', { StartAt: 'Split', States: { Split: { Type: 'Pass', Next: 'Spilt' } } });
    const run = await skybatch('validate', path);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^States\.Split\.Next: .*Spilt/m);
  });

  it('reads YAML', async () => {
    const yaml = ['StartAt: Hello', 'States:', '  Hello:', '    Type: Pass', '    Result: {greeting: hi}', '    End: true', ''].join('\n');
    const run = await skybatch('validate', await file('ok.yaml', yaml));
    expect(run).toMatchObject({ code: 0, stdout: 'valid\n' });
  });

  it('exits 2 with one clear line when the file cannot be read', async () => {
    const run = await skybatch('validate', join(dir, 'missing.json'));
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('missing.json');
  });

  it('exits 2 with one clear line when the file cannot be parsed', async () => {
    const run = await skybatch('validate', await file('broken.json', '{"StartAt": "A", "States": {'));
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('broken.json');
  });
});

describe('skybatch exec', () => {
  it('runs a Pass/Choice machine on --input @file and prints the output', async () => {
    const input = await file('input.json', { size: 42 });
    const run = await skybatch('exec', await file('machine.json', passChoice), '--input', `@${input}`);
    expect(run.code).toBe(0);
    expect(jsonLine(run)).toEqual({ status: 'SUCCEEDED', output: { size: 42, kind: 'big' } });
  });

  it('takes inline --input and defaults it to {}', async () => {
    const path = await file('machine2.json', passChoice);
    expect(jsonLine(await skybatch('exec', path, '--input', '{"size": 1}'))).toEqual({ status: 'SUCCEEDED', output: { size: 1, kind: 'small' } });
    // An echo machine shows the default input.
    expect(jsonLine(await skybatch('exec', await file('echo.json', { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } })))).toEqual({
      status: 'SUCCEEDED',
      output: {},
    });
  });

  it('prints error and cause of a Fail state and exits 1', async () => {
    const path = await file('fail.json', { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Custom.Error', Cause: 'it broke' } } });
    const run = await skybatch('exec', path);
    expect(run.code).toBe(1);
    expect(jsonLine(run)).toEqual({ status: 'FAILED', error: 'Custom.Error', cause: 'it broke' });
  });

  it('waits out a 30-day Wait, idle (past the 24.8 days a Node timer takes)', async () => {
    // A timer past Node's limit fires after 1 ms with a TimeoutOverflowWarning, every time: the
    // runner would spin until the day came. Still waiting, quietly, when killed 1.5 s later.
    const machine = { StartAt: 'Month', States: { Month: { Type: 'Wait', Seconds: 2_592_000, End: true } } };
    const run = await runCollected(process.execPath, [join(root, 'bin/skybatch.js'), 'exec', await file('long-wait.json', machine)], { cwd: root, timeout: 1500 });
    expect(run).toMatchObject({ code: null, stdout: '' });
    expect(run.stderr).not.toMatch(/TimeoutOverflowWarning/);
  });

  it('fails a Task that needs a server with a clear error', async () => {
    const resource = 'arn:aws:states:::batch:submitJob.sync';
    const path = await file('task.json', { StartAt: 'Job', States: { Job: { Type: 'Task', Resource: resource, End: true } } });
    const run = await skybatch('exec', path);
    expect(run.code).toBe(1);
    const result = jsonLine(run);
    expect(result.status).toBe('FAILED');
    expect(result.error).toEqual(expect.any(String));
    expect(`${String(result.error)} ${String(result.cause)}`).toContain(resource);
  });

  it('exits 2 on an invalid definition, printing problems as validate does', async () => {
    const run = await skybatch('exec', await file('bad2.json', { StartAt: 'Split', States: { Split: { Type: 'Pass', Next: 'Spilt' } } }));
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^States\.Split\.Next: /m);
  });

  it('exits 2 with a message on stderr for bad --input JSON', async () => {
    const path = await file('machine3.json', passChoice);
    for (const input of ['{not json', `@${join(dir, 'no-such-input.json')}`]) {
      const run = await skybatch('exec', path, '--input', input);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/--input/);
    }
  });

  it('prints what the README shows for examples/hello.asl.json', async () => {
    const expected = '{"status":"SUCCEEDED","output":{"greeting":"Hello, world!"}}';
    const run = await skybatch('exec', 'examples/hello.asl.json', '--input', '{"name":"world"}');
    expect(run).toMatchObject({ code: 0, stdout: `${expected}\n` });
    expect(await readFile(join(root, 'README.md'), 'utf8')).toContain(expected);
  });
});

describe('skybatch', () => {
  it('prints its version and help', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(await skybatch('--version')).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = await skybatch('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('validate');
    expect(help.stdout).toContain('exec');
  });

  it('exits 2 on unknown commands and options', async () => {
    const command = await skybatch('frobnicate');
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("unknown command 'frobnicate'");
    const option = await skybatch('validate', '--frob', 'x.json');
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option '--frob'");
  });
});
