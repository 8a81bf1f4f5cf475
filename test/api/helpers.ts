/*
 * One real platform (SQLite under a temp directory) behind the API, driven through
 * fastify's inject: the same code path as HTTP without opening a port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, HTTPMethods, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { createServer, type ServerOptions } from '../../src/api/server.js';
import { openPlatform, type OpenPlatform } from '../../src/engine/platform.js';
import { heldJobToken } from '../support/job-token.js';

export interface Api {
  app: FastifyInstance;
  platform: OpenPlatform;
  /** The platform's data directory, removed by close(). */
  dir: string;
  /** An admin token, sent by `call` unless told otherwise. */
  admin: string;
  /** A token scoped to a job (one that never starts, so the token stays valid): refused by every admin route. */
  job: string;
  /** The id of that job. */
  jobId: string;
  call(method: HTTPMethods, url: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startApi(options: ServerOptions = {}): Promise<Api> {
  const dir = await mkdtemp(join(tmpdir(), 'skybatch-api-'));
  const platform = await openPlatform({ dataDir: dir });
  const app = await createServer(platform, options);
  const admin = await platform.tokens.issue({ kind: 'admin' });
  const { token: job, jobId } = await heldJobToken(platform);
  return {
    app,
    platform,
    dir,
    admin,
    job,
    jobId,
    call(method, url, options = {}) {
      const token = options.token === undefined ? admin : options.token;
      const headers: Record<string, string> = { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...options.headers };
      const request: InjectOptions = { method, url, headers };
      if (options.body !== undefined) {
        // Strings go out as they are (to send malformed JSON); anything else is serialized.
        request.payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      return app.inject(request);
    },
    async close() {
      await app.close();
      await platform.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts an error response: its status, and the one error shape every route uses. */
export function expectError(res: LightMyRequestResponse, status: number, code: string, message?: RegExp): { code: string; message: string; details?: unknown } {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as { error: { code: string; message: string; details?: unknown } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  if (message) expect(body.error.message).toMatch(message);
  return body.error;
}

export const passMachine = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
export const waitMachine = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } };
export const failMachine = { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Boom', Cause: 'on purpose' } } };

/** Polls an execution until `done` holds for it. */
export async function waitForExecution(api: Api, id: string, done: (e: { status: string }) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown> & { status: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.call('GET', `/api/v1/executions/${encodeURIComponent(id)}`);
    const execution = res.json() as Record<string, unknown> & { status: string };
    if (done(execution)) return execution;
    if (Date.now() > deadline) throw new Error(`execution ${id} still ${execution.status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
