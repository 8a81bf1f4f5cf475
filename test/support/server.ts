/*
 * A real `skybatch up` child process for end-to-end tests, and a small client for its API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { until } from './backends.js';

export interface RunningServer {
  url: string;
  token: string;
  process: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** kill -9: no shutdown, no flush. */
  crash(): Promise<void>;
  stop(): Promise<void>;
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export async function startServer(options: { dataDir: string; databaseUrl?: string | undefined; env?: Record<string, string> }): Promise<RunningServer> {
  const endpointFile = join(options.dataDir, 'endpoint.json');
  // A file left by a killed server still names the old port: wait for the new one.
  rmSync(endpointFile, { force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.databaseUrl) env.SKYBATCH_DATABASE_URL = options.databaseUrl;
  else delete env.SKYBATCH_DATABASE_URL;
  const child = spawn(process.execPath, ['bin/skybatch.js', 'up', '--data', options.dataDir, '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = await until(async () => {
    if (child.exitCode !== null) throw new Error(`skybatch up exited with ${child.exitCode}:\n${output}`);
    return existsSync(endpointFile) ? (JSON.parse(readFileSync(endpointFile, 'utf8')) as { url: string; token: string }) : undefined;
  }, 30_000);
  const api = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${endpoint.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${endpoint.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  await until(async () => (await fetch(`${endpoint.url}/api/v1/health`).catch(() => undefined))?.ok);
  return {
    url: endpoint.url,
    token: endpoint.token,
    process: child,
    output: () => output,
    api,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
