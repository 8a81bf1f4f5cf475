/*
 * Starting `skybatch up`, through the real binary (needs `npm run build`): the data directory's
 * lock is held by the kernel for the server's process, so a stale lock file never blocks a
 * start, a running server always does, and a killed one frees it at once. A start that fails
 * leaves no temporary file behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeEndpointFile } from '../../src/cli/endpoint.js';
import { runCollected, type Completed } from '../support/run-collected.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/skybatch.js');
let dir = '';
const children: ChildProcess[] = [];

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SKYBATCH_')) delete env[key];
  return env;
}

/** A `skybatch up` expected to end by itself (refused, or failed). */
function upToEnd(dataDir: string): Promise<Completed> {
  return runCollected(process.execPath, [bin, 'up', '--data', dataDir, '--port', '0'], { env: cleanEnv() });
}

/** Starts `skybatch up` and resolves once it says it is up. */
async function upRunning(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, 'up', '--data', dataDir, '--port', '0'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!output.includes('Skybatch is up')) {
    if (child.exitCode !== null) throw new Error(`skybatch up exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`skybatch up did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skybatch-up-start-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) await kill(child, 'SIGKILL');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the data directory lock', () => {
  it('is not blocked by a lock file naming a live, unrelated process (a reused pid)', async () => {
    const dataDir = join(dir, 'reused-pid');
    await mkdir(dataDir, { recursive: true });
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(sleeper);
    // What an earlier version left after a reboot: a pid that now belongs to someone else.
    await writeFile(join(dataDir, 'server.lock'), String(sleeper.pid));
    const server = await upRunning(dataDir);
    await kill(server, 'SIGTERM');
    expect(server.exitCode).toBe(0);
  }, 30_000);

  it('refuses a second server while the first runs, naming it; after kill -9 of the first a new one starts at once', async () => {
    const dataDir = join(dir, 'contended');
    const first = await upRunning(dataDir);
    // Without endpoint.json the second start cannot see the first one's URL: only the lock stops it.
    await rm(join(dataDir, 'endpoint.json'));
    const second = await upToEnd(dataDir);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`another Skybatch server (pid ${first.pid}) is using ${dataDir}`);
    await kill(first, 'SIGKILL');
    const third = await upRunning(dataDir);
    await kill(third, 'SIGTERM');
    expect(third.exitCode).toBe(0);
  }, 60_000);
});

describe('a start that fails', () => {
  it('leaves no temporary file in the data directory', async () => {
    const dataDir = join(dir, 'failing');
    // A real failure after the server listens: the credentials file cannot replace a directory.
    await mkdir(join(dataDir, 's3-credentials', 'in-the-way'), { recursive: true });
    const failed = await upToEnd(dataDir);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/s3-credentials/);
    expect((await readdir(dataDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 30_000);

  it('writeEndpointFile removes its temporary file when the rename fails', async () => {
    const target = join(dir, 'endpoint-dir', 'endpoint.json');
    await mkdir(join(target, 'in-the-way'), { recursive: true });
    const endpoint = { url: 'http://127.0.0.1:1', token: 't', s3Endpoint: 'http://127.0.0.1:1/s3', accessKeyId: 'a', secretAccessKey: 's' };
    await expect(writeEndpointFile(target, endpoint)).rejects.toThrow();
    expect(await readdir(join(dir, 'endpoint-dir'))).toEqual(['endpoint.json']);
  });
});
