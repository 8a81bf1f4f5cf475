/*
 * `skybatch up --apply STACK` (what `npm start` runs with the string pipeline): the stack is
 * applied once the server listens, a restart applies nothing new, and a broken stack file stops
 * the start before anything runs (exit 2, the problem located in the file).
 * Needs `npm run build`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCollected } from '../support/run-collected.js';

const bin = fileURLToPath(new URL('../../bin/skybatch.js', import.meta.url));

const stackYaml = `name: tiny
buckets:
  inbox: {}
stateMachines:
  Hello:
    definition:
      StartAt: Done
      States:
        Done: { Type: Succeed }
`;

let dir = '';
let child: ChildProcess | undefined;

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SKYBATCH_')) delete env[key];
  return env;
}

/** Starts the server and resolves with everything it printed once the stack's summary line is out. */
async function upWithApply(stack: string): Promise<string> {
  let output = '';
  child = spawn(process.execPath, [bin, 'up', '--data', join(dir, 'data'), '--port', '0', '--apply', stack], { env: cleanEnv() });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!/^stack tiny: /m.test(output)) {
    if (child.exitCode !== null) throw new Error(`skybatch up exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the stack was not applied:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return output;
}

async function stop(): Promise<void> {
  const running = child;
  child = undefined;
  if (running === undefined || running.exitCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill('SIGTERM');
  await exited;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'skybatch-up-apply-'));
  writeFileSync(join(dir, 'stack.yaml'), stackYaml);
});
afterEach(stop);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('skybatch up --apply', () => {
  it('applies the stack after listening, prints the console URL and the plan; a restart changes nothing', async () => {
    const first = await upWithApply(join(dir, 'stack.yaml'));
    const endpoint = JSON.parse(readFileSync(join(dir, 'data', 'endpoint.json'), 'utf8')) as { url: string; token: string };
    expect(first).toContain(`Skybatch is up: console at ${endpoint.url}/?token=${endpoint.token}`);
    expect(first).toContain('+ create bucket inbox');
    expect(first).toContain('+ create state-machine Hello');
    expect(first).toContain('stack tiny: 2 to create, 0 to update, 0 to delete, 0 unchanged');
    const machine = await fetch(`${endpoint.url}/api/v1/state-machines/Hello`, { headers: { authorization: `Bearer ${endpoint.token}` } });
    expect(machine.status).toBe(200);
    await stop();

    const second = await upWithApply(join(dir, 'stack.yaml'));
    expect(second).toContain('stack tiny: no changes');
    expect(second).not.toContain('+ create');
  });

  it('exits 2 naming the problem, and starts nothing, when the stack file is invalid', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, stackYaml.replace('Done: { Type: Succeed }', 'Done: { Type: Sucseed }'));
    const data = join(dir, 'broken-data');
    const result = await runCollected(process.execPath, [bin, 'up', '--data', data, '--port', '0', '--apply', broken], { env: cleanEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('broken.yaml is invalid');
    expect(result.stderr).toMatch(/broken\.yaml:\d+:\d+ stateMachines\.Hello/);
    expect(existsSync(join(data, 'endpoint.json'))).toBe(false);
  });

  it('exits 2 when the stack file does not exist', async () => {
    const result = await runCollected(process.execPath, [bin, 'up', '--data', join(dir, 'missing-data'), '--port', '0', '--apply', join(dir, 'nope.yaml')], { env: cleanEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope.yaml: cannot read the stack file (ENOENT)');
  });
});
