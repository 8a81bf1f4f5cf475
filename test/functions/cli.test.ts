/*
 * `skybatch functions ...` through the real binary against a real `skybatch up`: this also
 * runs the built worker (dist/functions/worker.js) on plain Node, without tsx. Needs
 * `npm run build`, as test/cli/server-cli.test.ts does.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/backends.js';
import { startServer, type RunningServer } from '../support/server.js';
import { code } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dataDir = '';
let server: RunningServer | undefined;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function skybatch(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('SKYBATCH_')) delete env[key];
    const child = spawn(process.execPath, [join(root, 'bin/skybatch.js'), ...args, '--data', dataDir], { cwd: dataDir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, stdout, stderr }));
  });
}

function file(name: string, content: string): string {
  const path = join(dataDir, name);
  writeFileSync(path, content);
  return path;
}

beforeAll(async () => {
  dataDir = tempDir('skybatch-fn-cli-');
  server = await startServer({ dataDir });
});
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('skybatch functions', () => {
  it('publishes JavaScript and TypeScript, then says when nothing changed', async () => {
    const js = await skybatch('functions', 'publish', 'adder', '-f', file('adder.mjs', code.sync), '--timeout', '10', '--memory', '256');
    expect(js.code, js.stderr).toBe(0);
    expect(js.stdout).toBe('published adder version 1: arn:aws:lambda:local:000000000000:function:adder:1\n');
    const again = await skybatch('functions', 'publish', 'adder', '-f', join(dataDir, 'adder.mjs'), '--timeout', '10', '--memory', '256');
    expect(again.stdout).toBe('adder is unchanged: version 1\n');
    const ts = await skybatch('functions', 'publish', 'times', '-f', file('times.ts', code.typescript), '--json');
    expect(ts.code, ts.stderr).toBe(0);
    expect(JSON.parse(ts.stdout)).toMatchObject({ name: 'times', version: '1', timeoutSeconds: 3, memoryMiB: 128 });
  });

  it('lists and describes', async () => {
    const list = await skybatch('functions', 'list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+VERSION\s+MEMORY\s+TIMEOUT\s+MODIFIED\s+DESCRIPTION$/);
    expect(list.stdout).toMatch(/^adder\s+1\s+256\s+10\s/m);
    const json = await skybatch('functions', '--json');
    expect((JSON.parse(json.stdout) as { name: string }[]).map((f) => f.name)).toEqual(['adder', 'times']);
    const describe = await skybatch('functions', 'describe', 'times');
    expect(describe.stdout).toMatch(/^arn:\s+arn:aws:lambda:local:000000000000:function:times:1$/m);
    expect(describe.stdout).toContain(code.typescript);
  });

  it('invokes with --payload JSON or @file, printing the payload', async () => {
    const inline = await skybatch('functions', 'invoke', 'adder', '--payload', '{"a":20,"b":22}');
    expect(inline.code, inline.stderr).toBe(0);
    expect(JSON.parse(inline.stdout)).toBe(42);
    const fromFile = await skybatch('functions', 'invoke', 'times', '--payload', `@${file('event.json', '{"a":6,"b":7}')}`);
    expect(JSON.parse(fromFile.stdout)).toBe(42);
  });

  it('exits 1 with the error on a function error, 2 on bad usage', async () => {
    await skybatch('functions', 'publish', 'fails', '-f', file('fails.mjs', code.custom));
    const failed = await skybatch('functions', 'invoke', 'fails');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ errorType: 'MyError', errorMessage: 'custom failure' });
    expect(failed.stderr).toBe('skybatch: fails failed: MyError: custom failure\n');
    const badJson = await skybatch('functions', 'invoke', 'adder', '--payload', '{nope');
    expect([badJson.code, badJson.stderr]).toEqual([2, expect.stringMatching(/^skybatch: --payload is not valid JSON/)]);
    const broken = await skybatch('functions', 'publish', 'broken', '-f', file('broken.mjs', 'export const handler = (;'));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^skybatch: BadRequest: the code does not compile:\nindex:1:/);
    const missing = await skybatch('functions', 'invoke', 'nobody');
    expect([missing.code, missing.stderr]).toEqual([2, 'skybatch: NotFound: function "nobody" does not exist\n']);
  });

  it('times out a runaway function in the built runtime too', async () => {
    await skybatch('functions', 'publish', 'spin', '-f', file('spin.mjs', code.loop), '--timeout', '1');
    const spin = await skybatch('functions', 'invoke', 'spin');
    expect(spin.code).toBe(1);
    expect(JSON.parse(spin.stdout)).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' });
    expect(JSON.parse((await skybatch('functions', 'invoke', 'adder', '--payload', '{"a":1,"b":1}')).stdout)).toBe(2);
  });

  it('deletes', async () => {
    const deleted = await skybatch('functions', 'delete', 'adder');
    expect([deleted.code, deleted.stdout]).toEqual([0, 'deleted function adder\n']);
    expect((await skybatch('functions', 'describe', 'adder')).code).toBe(2);
  });
});
