/*
 * The console's server side through real HTTP: login by URL token, the session cookie,
 * CSRF refusal, the static files and SPA fallback, the event stream, the overview.
 */
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/api/server.js';
import { openPlatform, type OpenPlatform } from '../../src/engine/platform.js';
import { until } from '../support/backends.js';
import { heldJobToken } from '../support/job-token.js';

let dir: string;
let platform: OpenPlatform;
let app: FastifyInstance;
let url: string;
let admin: string;
let jobToken: string;

/** A console build of our own, so this test does not depend on `vite build` having run. */
function fakeConsole(root: string): string {
  const out = join(root, 'web');
  mkdirSync(join(out, 'assets'), { recursive: true });
  writeFileSync(join(out, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/assets/app-1.js"></script>');
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;
  writeFileSync(join(out, 'assets', 'app-1.js'), script);
  // As scripts/compress-web.mjs leaves it after the build.
  writeFileSync(join(out, 'assets', 'app-1.js.br'), brotliCompressSync(script));
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skybatch-console-'));
  platform = await openPlatform({ dataDir: join(dir, 'data') });
  app = await createServer(platform, { consoleDir: fakeConsole(dir) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  admin = await platform.tokens.issue({ kind: 'admin' });
  jobToken = (await heldJobToken(platform)).token;
});

afterAll(async () => {
  await app.close();
  await platform.close();
  rmSync(dir, { recursive: true, force: true });
});

async function login(): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${url}/?token=${admin}`, { redirect: 'manual' });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const session = (await (await fetch(`${url}/api/v1/session`, { headers: { cookie } })).json()) as { csrfToken: string };
  return { cookie, csrf: session.csrfToken };
}

describe('login', () => {
  it('swaps the URL token for an HttpOnly, SameSite=Strict session cookie and redirects to a URL without it', async () => {
    const res = await fetch(`${url}/?token=${admin}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^skybatch_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    // The session is a token of its own, not the admin token from the URL.
    expect(cookie).not.toContain(admin);
  });

  it('sends an unknown token or a job token to the login page with the reason, setting no cookie', async () => {
    for (const token of ['not-a-token', jobToken]) {
      const res = await fetch(`${url}/?token=${encodeURIComponent(token)}`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/login\?error=.+/);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('logs in with POST /api/v1/session too, and refuses a bad token with 401 JSON', async () => {
    const ok = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: admin }) });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { csrfToken: string }).csrfToken).toMatch(/^[\w-]{20,}$/);
    const bad = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'nope' }) });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('Unauthorized');
  });

  it('lets the cookie read the API, and an unknown cookie gets 401', async () => {
    const { cookie } = await login();
    expect((await fetch(`${url}/api/v1/state-machines`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${url}/api/v1/state-machines`, { headers: { cookie: 'skybatch_session=forged' } })).status).toBe(401);
  });

  it('refuses an expired or tampered session cookie', async () => {
    const expired = await platform.tokens.issueSession(Date.now() - 1000);
    expect((await fetch(`${url}/api/v1/state-machines`, { headers: { cookie: `skybatch_session=${expired}` } })).status).toBe(401);
    const expiresAt = Date.now() + 60_000;
    const live = await platform.tokens.issueSession(expiresAt);
    expect((await fetch(`${url}/api/v1/state-machines`, { headers: { cookie: `skybatch_session=${live}` } })).status).toBe(200);
    const tampered = `${live.slice(0, -1)}${live.endsWith('A') ? 'B' : 'A'}`;
    expect((await fetch(`${url}/api/v1/state-machines`, { headers: { cookie: `skybatch_session=${tampered}` } })).status).toBe(401);
    expect(await platform.tokens.verifySession(live, expiresAt + 1)).toBeUndefined();
  });

  it('forgets the session on DELETE /api/v1/session (the cookie is cleared)', async () => {
    const res = await fetch(`${url}/api/v1/session`, { method: 'DELETE' });
    expect(res.headers.get('set-cookie')).toMatch(/^skybatch_session=; .*Max-Age=0/);
  });

  it('revokes the session on logout: the old cookie gets 401 afterwards, other sessions keep working', async () => {
    const { cookie } = await login();
    const other = await login();
    expect((await fetch(`${url}/api/v1/state-machines`, { headers: { cookie } })).status).toBe(200);
    const out = await fetch(`${url}/api/v1/session`, { method: 'DELETE', headers: { cookie } });
    expect(out.status).toBe(200);
    const after = await fetch(`${url}/api/v1/state-machines`, { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe('Unauthorized');
    expect((await fetch(`${url}/api/v1/session`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${url}/api/v1/state-machines`, { headers: { cookie: other.cookie } })).status).toBe(200);
  });

  it('accepts a session value only as the cookie: as a Bearer token it gets 401, on every route', async () => {
    const { cookie, csrf } = await login();
    const session = decodeURIComponent(cookie.slice('skybatch_session='.length));
    const bearer = { authorization: `Bearer ${session}` };
    const read = await fetch(`${url}/api/v1/state-machines`, { headers: bearer });
    expect(read.status).toBe(401);
    expect(((await read.json()) as { error: { code: string; message: string } }).error.message).toMatch(/cookie/);
    const write = await fetch(`${url}/api/v1/state-machines`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ name: 'bearer-session', definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } }),
    });
    expect(write.status).toBe(401);
    expect((await fetch(`${url}/api/v1/state-machines/bearer-session`, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(404);
    // Nor can it open a new session in place of an admin token.
    const relogin = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: session }) });
    expect(relogin.status).toBe(401);
  });
});

describe('CSRF', () => {
  const machine = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };

  it('refuses a cross-site POST carrying the cookie but not the CSRF token with 403 JSON', async () => {
    const { cookie } = await login();
    const res = await fetch(`${url}/api/v1/state-machines`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ name: 'csrf-victim', definition: machine }),
    });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('Forbidden');
    expect(body.error.message).toContain('x-csrf-token');
    expect((await fetch(`${url}/api/v1/state-machines/csrf-victim`, { headers: { cookie } })).status).toBe(404);
  });

  it('refuses a wrong CSRF token, and one from another session', async () => {
    const first = await login();
    const second = await login();
    for (const csrf of ['wrong', second.csrf]) {
      const res = await fetch(`${url}/api/v1/state-machines`, { method: 'POST', headers: { cookie: first.cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', definition: machine }) });
      expect(res.status).toBe(403);
    }
  });

  it('accepts the session CSRF token, and leaves Bearer clients alone', async () => {
    const { cookie, csrf } = await login();
    const withCookie = await fetch(`${url}/api/v1/state-machines`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'by-cookie', definition: machine }) });
    expect(withCookie.status).toBe(201);
    const withBearer = await fetch(`${url}/api/v1/state-machines`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'by-bearer', definition: machine }) });
    expect(withBearer.status).toBe(201);
  });
});

describe('static files', () => {
  it('serves index.html on / and on console paths (SPA fallback), with a CSP and no caching', async () => {
    for (const path of ['/', '/executions/abc', '/objects/data/some/prefix/', '/login']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<title>console</title>');
    }
  });

  const rawGet = (path: string, encoding: string) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(`${url}${path}`, { headers: { 'accept-encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });

  it('serves the brotli form the build left, and never that file on its own', async () => {
    const br = await rawGet('/assets/app-1.js', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toContain('console.log');
    expect((await rawGet('/assets/app-1.js.br', 'identity')).status).toBe(404);
    const plain = await rawGet('/assets/app-1.js', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toContain('console.log');
  });

  it('serves hashed assets compressed when asked, immutable; unknown assets and paths are 404', async () => {
    const raw = await rawGet('/assets/app-1.js', 'gzip');
    expect(raw.status).toBe(200);
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.headers['cache-control']).toContain('immutable');
    expect(raw.body.length).toBeLessThan(200);
    expect(gunzipSync(raw.body).toString()).toContain('console.log');
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    const api404 = await fetch(`${url}/api/v1/no-such-route`, { headers: { authorization: `Bearer ${admin}` } });
    expect(api404.status).toBe(404);
    expect((await api404.json()) as unknown).toMatchObject({ error: { code: 'NotFound' } });
  });

  it('says how to build the console when it is not built', async () => {
    const bare = await createServer(platform, { consoleDir: join(dir, 'nowhere') });
    const res = await bare.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('npm run build');
    await bare.close();
  });
});

describe('event stream', () => {
  it('needs authentication', async () => {
    expect((await fetch(`${url}/api/v1/events`)).status).toBe(401);
  });

  it('pushes a change event naming the topic when a state machine is created and an object is stored', async () => {
    const { cookie } = await login();
    const abort = new AbortController();
    const res = await fetch(`${url}/api/v1/events`, { headers: { cookie }, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const read = async () => {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
      return text;
    };
    // Changes after the feed's first fingerprint are news; it says when it has taken it.
    await until(async () => (await read()).includes('event: ready\n'));
    await platform.stateMachines.create({ name: 'sse-machine', definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } });
    await until(async () => (await read()).includes('"stateMachines"'), 10_000);
    await platform.storage.createBucket('sse-bucket');
    await platform.storage.putObject({ bucket: 'sse-bucket', key: 'k', body: Readable.from([Buffer.from('v')]) });
    await until(async () => (await read()).includes('"objects"'), 10_000);
    expect(text).toMatch(/event: change\ndata: \{"topics":\[[^\]]*"stateMachines"/);
    abort.abort();
  });
});

describe('change fingerprints', () => {
  it('change with each progress report of a running job, even one within the same millisecond or of the same length', async () => {
    const batch = platform.batch!;
    const job = await batch.jobs.submit({ jobName: 'reports-progress', command: 'sleep 30', memory: 16 });
    try {
      await until(async () => (await batch.jobs.describe(job.jobId)).status === 'RUNNING', 10_000);
      const jobsPrint = async () => (await platform.console!.fingerprints()).jobs;
      const seen = [await jobsPrint()];
      for (const percent of [10, 20, 20]) {
        await batch.jobs.progress(job.jobId, percent);
        seen.push(await jobsPrint());
      }
      expect(new Set(seen).size).toBe(4);
    } finally {
      await batch.jobs.terminate(job.jobId, 'done with it');
      // Not left running for the tests after this one, which count busy vCPUs.
      await until(async () => (await batch.jobs.describe(job.jobId)).status === 'FAILED', 10_000);
    }
  });
});

describe('overview', () => {
  it('counts executions and jobs, queue depth and busy vCPUs per compute environment', async () => {
    await platform.executions.start({ stateMachine: 'sse-machine', input: {} });
    const res = await fetch(`${url}/api/v1/overview`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { executions: Record<string, number>; queues: { name: string }[]; computeEnvironments: { name: string; busyVcpus: number }[]; throughput: unknown[] };
    expect(Object.values(body.executions).reduce((a, b) => a + b, 0)).toBe(1);
    expect(body.queues.map((q) => q.name)).toContain('default');
    expect(body.computeEnvironments).toEqual([expect.objectContaining({ name: 'local', busyVcpus: 0 })]);
    expect(body.throughput).toHaveLength(61);
  });

  it('lists the jobs an execution submitted; an unknown execution is 404', async () => {
    const res = await fetch(`${url}/api/v1/executions/nope/jobs`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(404);
  });
});
