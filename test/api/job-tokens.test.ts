/*
 * The tokens jobs and functions are given end with them: a job's while it is not in a final
 * state and for a grace period after (for its last upload), a function's with its invocation.
 * Real jobs, real worker threads, real HTTP; the tokens' clock is injected to step past the grace.
 */
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/api/server.js';
import { jobPaths } from '../../src/batch/job-records.js';
import { openPlatform, type OpenPlatform } from '../../src/engine/platform.js';
import { backends, tempDir, until, type BackendHandle } from '../support/backends.js';

const GRACE_SECONDS = 30;

for (const backend of backends) {
  describe(`job and function tokens on ${backend.name}`, () => {
    let handle: BackendHandle;
    let platform: OpenPlatform;
    let app: FastifyInstance;
    let url: string;
    /** Added to the wall clock by the tokens' clock. */
    let skewMs = 0;

    beforeAll(async () => {
      handle = await backend.create();
      platform = await openPlatform({
        dataDir: handle.dataDir,
        databaseUrl: handle.databaseUrl,
        tokens: { jobGraceSeconds: GRACE_SECONDS, now: () => Date.now() + skewMs },
      });
      app = await createServer(platform);
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      platform.setEndpointUrl?.(url);
      await platform.storage.createBucket('tokens');
    }, 30_000);
    afterAll(async () => {
      // The function's worker thread keeps its keep-alive connection open.
      app.server.closeAllConnections();
      await app.close();
      await platform.close();
      await handle.cleanup();
    });

    const put = (token: string, key: string, body: string) =>
      fetch(`${url}/api/v1/buckets/tokens/objects/${key}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body });
    const get = (token: string, key: string) => fetch(`${url}/api/v1/buckets/tokens/objects/${key}`, { headers: { authorization: `Bearer ${token}` } });

    it('a job token works while the job runs (however long), within the grace after it ends, and is refused after', async () => {
      const batch = platform.batch;
      if (!batch) throw new Error('no batch service');
      const job = await batch.jobs.submit({ jobName: 'holds-token', command: 'printf %s "$SKYBATCH_TOKEN" > token.txt; sleep 60', memory: 16 });
      const tokenFile = join(jobPaths(handle.dataDir, job.jobId).workDir, 'token.txt');
      const token = await until(async () => (await readFile(tokenFile, 'utf8').catch(() => '')) || undefined, 15_000);
      try {
        expect((await put(token, 'from-job', 'written by the job')).status).toBe(200);
        expect(await (await get(token, 'from-job')).text()).toBe('written by the job');
        // A job may run for days: its token lasts as long.
        skewMs = 3 * 24 * 3600_000;
        expect((await get(token, 'from-job')).status).toBe(200);
        skewMs = 0;
      } finally {
        await batch.jobs.terminate(job.jobId, 'the test is done with it');
      }
      const ended = await until(async () => {
        const detail = await batch.jobs.describe(job.jobId);
        return detail.status === 'FAILED' ? detail : undefined;
      }, 15_000);
      const stoppedAt = ended.stoppedAt ?? 0;
      expect(stoppedAt).toBeGreaterThan(0);

      // Within the grace: the job's last upload still goes through.
      skewMs = stoppedAt + (GRACE_SECONDS - 5) * 1000 - Date.now();
      expect((await put(token, 'last-upload', 'just after the end')).status).toBe(200);
      expect((await get(token, 'last-upload')).status).toBe(200);

      // After it: refused, reading and writing, with the one error shape.
      skewMs = stoppedAt + (GRACE_SECONDS + 1) * 1000 - Date.now();
      const read = await get(token, 'from-job');
      expect(read.status).toBe(401);
      expect(((await read.json()) as { error: { code: string } }).error.code).toBe('Unauthorized');
      expect((await put(token, 'too-late', 'after the end')).status).toBe(401);
      expect((await get(await platform.tokens.issue({ kind: 'admin' }), 'too-late')).status).toBe(404);
      skewMs = 0;
    }, 60_000);

    it('a token for a job that does not exist is refused', async () => {
      const token = await platform.tokens.issue({ kind: 'job', jobId: 'no-such-job' });
      expect((await get(token, 'from-job')).status).toBe(401);
    });

    it("a function's token works during its invocation and is refused once the invocation returned", async () => {
      const functions = platform.functions;
      if (!functions) throw new Error('no functions service');
      await functions.publish({
        name: 'reader',
        code: [
          'export const handler = async () => {',
          '  const res = await fetch(`${process.env.SKYBATCH_ENDPOINT}/api/v1/buckets/tokens/objects/from-job`, { headers: { authorization: `Bearer ${process.env.SKYBATCH_TOKEN}` } });',
          '  return { status: res.status, token: process.env.SKYBATCH_TOKEN };',
          '};',
        ].join('\n'),
        timeoutSeconds: 10,
      });
      const first = await functions.invoke('reader', {});
      if (!('payload' in first)) throw new Error(JSON.stringify(first.error));
      const { status, token } = first.payload as { status: number; token: string };
      expect(status).toBe(200);
      expect((await get(token, 'from-job')).status).toBe(401);
      expect((await put(token, 'from-function', 'after the invocation')).status).toBe(401);
      // Each invocation has a token of its own.
      const second = await functions.invoke('reader', {});
      if (!('payload' in second)) throw new Error(JSON.stringify(second.error));
      expect((second.payload as { status: number; token: string }).status).toBe(200);
      expect((second.payload as { token: string }).token).not.toBe(token);
    }, 30_000);
  });
}

describe('SKYBATCH_JOB_TOKEN_GRACE_SECONDS', () => {
  it('refuses a value that is not a number of seconds with a clear error, leaving nothing locked', async () => {
    const dataDir = tempDir('skybatch-grace-');
    const saved = process.env.SKYBATCH_JOB_TOKEN_GRACE_SECONDS;
    try {
      for (const bad of ['soon', '-1']) {
        process.env.SKYBATCH_JOB_TOKEN_GRACE_SECONDS = bad;
        await expect(openPlatform({ dataDir })).rejects.toThrow(`SKYBATCH_JOB_TOKEN_GRACE_SECONDS must be a number of seconds (0 or more), got "${bad}"`);
      }
      process.env.SKYBATCH_JOB_TOKEN_GRACE_SECONDS = '0';
      const platform = await openPlatform({ dataDir });
      await platform.close();
    } finally {
      if (saved === undefined) delete process.env.SKYBATCH_JOB_TOKEN_GRACE_SECONDS;
      else process.env.SKYBATCH_JOB_TOKEN_GRACE_SECONDS = saved;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
