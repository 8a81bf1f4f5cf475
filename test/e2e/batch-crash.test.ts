/*
 * A server killed with SIGKILL while 20 jobs run: its jobs keep running (they are detached
 * process groups), the restarted server finds them again, and every job ends SUCCEEDED
 * after exactly one attempt: none lost, none started twice.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobDetail } from '../../src/batch/types.js';
import { tempDir, until } from '../support/backends.js';
import { startServer, type RunningServer } from '../support/server.js';

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
});

describe('batch crash recovery', () => {
  it('finds running jobs again after kill -9 and runs none twice', async () => {
    const dataDir = tempDir();
    let server = await startServer({ dataDir });
    servers.push(server);
    const ids: string[] = [];
    // 20 jobs of 0.25 vCPUs (the smallest share AWS Batch takes) all run at once.
    expect((await server.api('PUT', '/api/v1/compute-environments/local', { maxVcpus: 5 })).status).toBe(200);
    for (let i = 0; i < 20; i++) {
      const res = await server.api<JobDetail>('POST', '/api/v1/jobs', { jobName: `survivor-${i}`, command: `echo start $AWS_BATCH_JOB_ATTEMPT; sleep 3; echo done ${i}`, vcpus: 0.25, memory: 32, attempts: 3 });
      expect(res.status).toBe(201);
      ids.push(res.body.jobId);
    }
    await until(async () => {
      const all = await Promise.all(ids.map(async (id) => (await server.api<JobDetail>('GET', `/api/v1/jobs/${id}`)).body.status));
      return all.every((s) => s === 'RUNNING');
    }, 30_000);
    await server.crash();
    server = await startServer({ dataDir });
    servers.push(server);
    const finals = await until(
      async () => {
        const all = await Promise.all(ids.map(async (id) => (await server.api<JobDetail>('GET', `/api/v1/jobs/${id}`)).body));
        return all.every((j) => j.status === 'SUCCEEDED' || j.status === 'FAILED') ? all : undefined;
      },
      60_000,
      250,
    );
    for (const [i, job] of finals.entries()) {
      expect(job.status, `${job.jobName}: ${job.statusReason}`).toBe('SUCCEEDED');
      expect(job.attempts).toHaveLength(1);
      const log = readFileSync(job.attempts[0]!.container.logStreamName, 'utf8');
      expect(log.match(/^start /gm)).toHaveLength(1);
      expect(log).toContain(`done ${i}`);
    }
  }, 120_000);

  it('a stream of short jobs, some claimed ahead and chained, survives kill -9: each runs exactly once, attempts uncounted for those never started', async () => {
    const dataDir = tempDir();
    let server = await startServer({ dataDir });
    servers.push(server);
    const size = 600;
    const res = await server.api<JobDetail>('POST', '/api/v1/jobs', { jobName: 'stream', command: 'echo ran', arraySize: size, vcpus: 1, memory: 16 });
    expect(res.status).toBe(201);
    const parent = res.body.jobId;
    // Killed mid-stream, while the scheduler holds jobs claimed ahead of the free slots.
    await until(async () => {
      const summary = (await server.api<JobDetail>('GET', `/api/v1/jobs/${parent}`)).body.arrayProperties?.statusSummary ?? {};
      return (summary.SUCCEEDED ?? 0) >= 100;
    }, 30_000, 5);
    await server.crash();
    server = await startServer({ dataDir });
    servers.push(server);
    const done = await until(async () => {
      const job = (await server.api<JobDetail>('GET', `/api/v1/jobs/${parent}`)).body;
      return job.status === 'SUCCEEDED' || job.status === 'FAILED' ? job : undefined;
    }, 60_000, 100);
    expect(done.arrayProperties?.statusSummary).toEqual({ SUCCEEDED: size });
    // (Measured once: 16 children went STARTING -> RUNNABLE at the restart, claimed ahead and never started.)
    for (let i = 0; i < size; i++) {
      const child = (await server.api<JobDetail>('GET', `/api/v1/jobs/${parent}:${i}`)).body;
      expect(child.attempts, `child ${i}`).toHaveLength(1);
      expect(readFileSync(child.attempts[0]!.container.logStreamName, 'utf8').match(/^ran$/gm), `child ${i}`).toHaveLength(1);
    }
  }, 120_000);
});
