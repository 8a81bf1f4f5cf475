/*
 * updateJobStates: the scheduler's batched status writes, on both backends. Each job must get
 * its own status and body and every job the common fields, whatever the batch size (a batch
 * is cut into statements of 64, 16, 4 and 1 rows), and jobs not named must stay as they were.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { updateJobStates, type JobRow } from '../../src/store/jobs.js';
import { backends } from '../support/backends.js';
import { useStore } from '../support/store.js';

function row(i: number): JobRow {
  return {
    job_id: `job-${i}`,
    queue: 'q',
    status: 'RUNNABLE',
    scheduling_priority: 0,
    share_identifier: null,
    created_at: i,
    vcpus: 1,
    memory_mib: 16,
    array_parent: null,
    array_size: null,
    pending_deps: 0,
    attempt: i % 3,
    owner: null,
    lease_expires: null,
    client_token: null,
    terminate_reason: null,
    body: JSON.stringify({ i, status: 'RUNNABLE' }),
    progress: null,
    progress_reports: 0,
  };
}

for (const backend of backends) {
  describe(`updateJobStates on ${backend.name}`, () => {
    const storeOf = useStore(backend);

    it.each([1, 2, 5, 64, 85, 150])('writes %i jobs, each its own status and body, all the common fields', async (count) => {
      await storeOf().db.deleteFrom('jobs').execute();
      await storeOf().db.insertInto('jobs').values(Array.from({ length: count + 3 }, (_, i) => row(i))).execute();
      // Bodies with quotes, a backslash and non-ASCII text: the values travel as parameters.
      const states = Array.from({ length: count }, (_, i) => ({ job_id: `job-${i}`, status: i % 2 === 0 ? 'STARTING' : 'RUNNING', body: JSON.stringify({ i, note: `it's "${i}" \\ é` }) }));
      await storeOf().db.transaction().execute((trx) => updateJobStates(trx, states, { attempt: sql<number>`attempt + 1`, owner: 'server-a', lease_expires: 1_000 + count }));

      const rows = await storeOf().db.selectFrom('jobs').selectAll().orderBy('created_at').execute();
      for (const [i, r] of rows.entries()) {
        if (i < count) {
          expect(r).toMatchObject({ status: i % 2 === 0 ? 'STARTING' : 'RUNNING', attempt: (i % 3) + 1, owner: 'server-a' });
          expect(Number(r.lease_expires)).toBe(1_000 + count);
          expect(JSON.parse(r.body)).toEqual({ i, note: `it's "${i}" \\ é` });
        } else {
          expect(r).toMatchObject({ status: 'RUNNABLE', attempt: i % 3, owner: null, lease_expires: null, body: JSON.stringify({ i, status: 'RUNNABLE' }) });
        }
      }
    });

    it('does nothing for no jobs', async () => {
      await storeOf().db.deleteFrom('jobs').execute();
      await storeOf().db.insertInto('jobs').values([row(0)]).execute();
      await updateJobStates(storeOf().db, [], { owner: 'server-a' });
      expect(await storeOf().db.selectFrom('jobs').select(['status', 'owner']).execute()).toEqual([{ status: 'RUNNABLE', owner: null }]);
    });
  });
}
