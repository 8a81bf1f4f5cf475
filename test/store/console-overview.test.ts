/*
 * The overview's throughput chart, counted per minute by the database, on both backends:
 * executions by the minute they stopped, jobs by the minute they were submitted, an hour back.
 */
import { describe, expect, it } from 'vitest';
import { overviewCounts } from '../../src/store/console.js';
import type { JobRow } from '../../src/store/jobs.js';
import { backends } from '../support/backends.js';
import { useStore } from '../support/store.js';

const NOW = new Date('2026-11-26T10:30:20.000Z');
const minutesAgo = (m: number, extraMs = 0) => NOW.getTime() - m * 60_000 + extraMs;

function job(id: string, createdAt: number, arraySize: number | null = null): JobRow {
  return {
    job_id: id, queue: 'q', status: 'SUCCEEDED', scheduling_priority: 0, share_identifier: null, created_at: createdAt, vcpus: 1, memory_mib: 16,
    array_parent: null, array_size: arraySize, pending_deps: 0, attempt: 1, owner: null, lease_expires: null, client_token: null, terminate_reason: null, body: '{}', progress: null, progress_reports: 0,
  };
}

for (const backend of backends) {
  describe(`overview throughput on ${backend.name}`, () => {
    const storeOf = useStore(backend);

    it('counts jobs submitted and executions stopped in each minute of the last hour', async () => {
      await storeOf().db.insertInto('jobs').values([
        job('a', minutesAgo(0, -1_000)), // 10:30:19
        job('b', minutesAgo(0, -15_000)), // 10:30:05
        job('c', minutesAgo(5)), // 10:25:20
        job('parent', minutesAgo(5), 10), // an array parent: its children count, not it
        job('old', minutesAgo(61)), // out of the hour
      ]).execute();
      const execution = (id: string, stop: number | null) => ({
        id, name: id, state_machine: 'm', revision: 1, status: stop === null ? 'RUNNING' : 'SUCCEEDED', input: '{}', output: null, error: null, cause: null,
        start_date: new Date(minutesAgo(70)).toISOString(), stop_date: stop === null ? null : new Date(stop).toISOString(), redrive_count: 0, state: '{}', last_event_id: 0,
      });
      await storeOf().db.insertInto('executions').values([execution('e1', minutesAgo(2)), execution('e2', minutesAgo(2, 30_000)), execution('e3', minutesAgo(90)), execution('e4', null)]).execute();

      const { throughput } = await overviewCounts(storeOf().db, NOW);
      expect(throughput).toHaveLength(61);
      const at = (minute: string) => throughput.find((t) => t.minute === minute);
      expect(at('2026-11-26T10:30')).toEqual({ minute: '2026-11-26T10:30', executionsEnded: 0, jobsSubmitted: 2 });
      expect(at('2026-11-26T10:25')).toEqual({ minute: '2026-11-26T10:25', executionsEnded: 0, jobsSubmitted: 1 });
      expect(at('2026-11-26T10:28')).toEqual({ minute: '2026-11-26T10:28', executionsEnded: 2, jobsSubmitted: 0 });
      expect(throughput.reduce((n, t) => n + t.jobsSubmitted, 0)).toBe(3);
      expect(throughput.reduce((n, t) => n + t.executionsEnded, 0)).toBe(2);
    });
  });
}
