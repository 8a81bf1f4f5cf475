/*
 * The scheduler's status writer records a burst of exits in one transaction. A job whose
 * follow-ups cannot be written (a dependent whose stored record is unreadable) must not hold
 * up the statuses of the others written with it, nor be retried forever.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPlatform, type OpenPlatform } from '../../src/engine/platform.js';
import { tempDir, until } from '../support/backends.js';

let platform: OpenPlatform;

beforeAll(async () => {
  platform = await openPlatform({ dataDir: tempDir(), pollMs: 50 });
});
afterAll(async () => {
  await platform.close();
});

const ended = (jobId: string) =>
  until(async () => {
    const job = await platform.batch!.jobs.describe(jobId);
    return job.status === 'SUCCEEDED' || job.status === 'FAILED' ? job : undefined;
  }, 30_000);

it('records the other jobs of a burst when one job ends whose dependent cannot be read', async () => {
  const batch = platform.batch!;
  // Both exit in the same moment, so their ends are written together (the machine may have only two cores: two jobs).
  const gate = `${tempDir()}/go`;
  const wait = `while [ ! -e ${gate} ]; do sleep 0.05; done`;
  const a = await batch.jobs.submit({ jobName: 'a', command: wait });
  const others = await Promise.all(Array.from({ length: 1 }, (_, i) => batch.jobs.submit({ jobName: `other${i}`, command: wait })));
  const dependent = await batch.jobs.submit({ jobName: 'dependent', command: 'true', dependsOn: [{ jobId: a.jobId }] });
  await until(async () => (await Promise.all([a, ...others].map((j) => batch.jobs.describe(j.jobId)))).every((j) => j.status === 'RUNNING'));
  await platform.store.db.updateTable('jobs').set({ body: '{"jobId": truncated' }).where('job_id', '=', dependent.jobId).execute();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(gate, '');
  for (const other of others) expect((await ended(other.jobId)).status).toBe('SUCCEEDED');
  const first = await ended(a.jobId);
  expect(first.status).toBe('SUCCEEDED');
  expect(first.statusReason).toMatch(/its dependents and array parent could not be updated: .*JSON/);
  // The writer is not stuck: a job submitted afterwards runs and is recorded.
  const later = await batch.jobs.submit({ jobName: 'later', command: 'true' });
  expect((await ended(later.jobId)).status).toBe('SUCCEEDED');
});
