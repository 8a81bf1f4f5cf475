/*
 * The history analysis behind `skybatch demo`'s summary and the pipeline benchmark.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/asl/interpreter/protocol.js';
import { batchJobs, batchTaskCounts, stateSpans, topLevelWaitMs } from '../../src/cli/execution-report.js';

let id = 0;
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const ev = (ms: number, type: string, details: Record<string, unknown> = {}): HistoryEvent => ({ id: ++id, previousEventId: id - 1, timestamp: at(ms), type, ...details });
const entered = (ms: number, type: string, name: string) => ev(ms, `${type}StateEntered`, { stateEnteredEventDetails: { name } });
const exited = (ms: number, type: string, name: string) => ev(ms, `${type}StateExited`, { stateExitedEventDetails: { name } });
const job = (ms: number, name: string, created: number, started: number, stopped: number, type = 'TaskSucceeded') =>
  ev(ms, type, {
    [type === 'TaskSucceeded' ? 'taskSucceededEventDetails' : 'taskFailedEventDetails']: {
      resourceType: 'batch',
      resource: 'submitJob.sync',
      [type === 'TaskSucceeded' ? 'output' : 'cause']: JSON.stringify({ JobId: `id-${name}`, JobName: name, Status: type === 'TaskSucceeded' ? 'SUCCEEDED' : 'FAILED', CreatedAt: created, StartedAt: started, StoppedAt: stopped }),
    },
  });

// A Map of two iterations whose Waits overlap the work, then a top-level Wait of 5 s.
const history: HistoryEvent[] = [
  ev(0, 'ExecutionStarted'),
  entered(0, 'Task', 'Split'),
  ev(0, 'TaskScheduled', { taskScheduledEventDetails: { resourceType: 'batch', resource: 'submitJob.sync' } }),
  job(400, 'Split', 10, 50, 390),
  exited(400, 'Task', 'Split'),
  entered(400, 'Map', 'Fan'),
  ev(400, 'MapStateStarted'),
  entered(400, 'Wait', 'Pause'),
  entered(410, 'Wait', 'Pause'),
  exited(600, 'Wait', 'Pause'),
  exited(700, 'Wait', 'Pause'),
  ev(700, 'MapStateSucceeded'),
  exited(700, 'Map', 'Fan'),
  entered(700, 'Task', 'Notify'),
  ev(700, 'TaskScheduled', { taskScheduledEventDetails: { resourceType: 'sns', resource: 'publish' } }),
  ev(720, 'TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'sns', resource: 'publish', output: '{}' } }),
  exited(720, 'Task', 'Notify'),
  entered(720, 'Wait', 'Finish'),
  exited(5720, 'Wait', 'Finish'),
  ev(5720, 'ExecutionSucceeded'),
];

describe('execution report', () => {
  it('spans each state from first entry to last exit and sums the time inside', () => {
    expect(stateSpans(history)).toEqual([
      { name: 'Split', type: 'Task', entered: 1, spanMs: 400, totalMs: 400 },
      { name: 'Fan', type: 'Map', entered: 1, spanMs: 300, totalMs: 300 },
      { name: 'Pause', type: 'Wait', entered: 2, spanMs: 300, totalMs: 200 + 290 },
      { name: 'Notify', type: 'Task', entered: 1, spanMs: 20, totalMs: 20 },
      { name: 'Finish', type: 'Wait', entered: 1, spanMs: 5000, totalMs: 5000 },
    ]);
  });

  it('counts only the Waits that nothing runs beside', () => {
    expect(topLevelWaitMs(history)).toBe(5000);
    expect(topLevelWaitMs(history.slice(0, 12))).toBe(0);
  });

  it('reads each batch job from its task end event, failed ones included, and counts batch tasks', () => {
    const failed = job(800, 'Broken', 700, 710, 790, 'TaskFailed');
    expect(batchJobs([...history, failed])).toEqual([
      { jobId: 'id-Split', jobName: 'Split', status: 'SUCCEEDED', createdAt: 10, startedAt: 50, stoppedAt: 390, notifiedAt: Date.parse(at(400)) },
      { jobId: 'id-Broken', jobName: 'Broken', status: 'FAILED', createdAt: 700, startedAt: 710, stoppedAt: 790, notifiedAt: Date.parse(at(800)) },
    ]);
    expect(batchTaskCounts(history)).toEqual({ scheduled: 1, ended: 1 });
    expect(batchTaskCounts([])).toEqual({ scheduled: 0, ended: 0 });
  });
});
