/*
 * What an execution's history says about where its time went: per state (entries, span from
 * first entered to last exited, time inside), time spent in Wait states, and for every batch
 * job the run took, its submit -> start -> stop -> engine-notified timestamps. Pure functions
 * over history events, shared by `skybatch demo` and the pipeline benchmark.
 */
import type { HistoryEvent } from '../asl/interpreter/protocol.js';

export interface StateSpan {
  name: string;
  /** The state type as the history names it: Task, Map, Parallel, Wait, Choice, Pass... */
  type: string;
  entered: number;
  /** ms from the first time the state was entered to the last time it was exited. */
  spanMs: number;
  /** ms spent inside the state, summed over its entries (parallel entries add up). */
  totalMs: number;
}

export interface JobTiming {
  jobId: string;
  jobName: string;
  status: string;
  createdAt: number;
  startedAt?: number;
  stoppedAt?: number;
  /** When the engine recorded the task's end (the history event). */
  notifiedAt: number;
}

const time = (event: HistoryEvent) => Date.parse(event.timestamp);

/** StateEntered/StateExited pairs, matched per state name in order, so Map iterations pair up. */
export function stateSpans(events: readonly HistoryEvent[]): StateSpan[] {
  const spans = new Map<string, StateSpan & { first: number; last: number; open: number[] }>();
  for (const event of events) {
    const entered = event.type.endsWith('StateEntered');
    const exited = event.type.endsWith('StateExited');
    if (!entered && !exited) continue;
    const details = (entered ? event.stateEnteredEventDetails : event.stateExitedEventDetails) as { name?: unknown } | undefined;
    if (typeof details?.name !== 'string') continue;
    const at = time(event);
    let span = spans.get(details.name);
    if (span === undefined) {
      span = { name: details.name, type: event.type.slice(0, -'StateEntered'.length), entered: 0, spanMs: 0, totalMs: 0, first: at, last: at, open: [] };
      spans.set(details.name, span);
    }
    if (entered) {
      span.entered++;
      span.open.push(at);
    } else {
      const since = span.open.shift();
      if (since !== undefined) span.totalMs += at - since;
      span.last = at;
      span.spanMs = span.last - span.first;
    }
  }
  return [...spans.values()].map(({ name, type, entered, spanMs, totalMs }) => ({ name, type, entered, spanMs, totalMs }));
}

/**
 * ms spent in Wait states that were not overlapped by anything else: the top-level Waits of a
 * run (the string pipeline's Finish). A Wait inside a Map or Parallel branch runs beside other
 * work, so it is not subtracted.
 */
export function topLevelWaitMs(events: readonly HistoryEvent[]): number {
  let depth = 0;
  let waitingSince: number | undefined;
  let total = 0;
  for (const event of events) {
    if (event.type === 'MapStateStarted' || event.type === 'ParallelStateStarted') depth++;
    else if (/^(Map|Parallel)State(Succeeded|Failed|Aborted)$/.test(event.type)) depth = Math.max(0, depth - 1);
    else if (event.type === 'WaitStateEntered' && depth === 0) waitingSince = time(event);
    else if (event.type === 'WaitStateExited' && waitingSince !== undefined) {
      total += time(event) - waitingSince;
      waitingSince = undefined;
    }
  }
  return total;
}

/** Every batch job whose task ended, from its TaskSucceeded/TaskFailed event (the job as AWS Batch describes it). */
export function batchJobs(events: readonly HistoryEvent[]): JobTiming[] {
  const jobs: JobTiming[] = [];
  for (const event of events) {
    const details = (event.taskSucceededEventDetails ?? event.taskFailedEventDetails) as { resourceType?: unknown; output?: unknown; cause?: unknown } | undefined;
    if (details?.resourceType !== 'batch') continue;
    const text = typeof details.output === 'string' ? details.output : typeof details.cause === 'string' ? details.cause : undefined;
    let job: { JobId?: unknown; JobName?: unknown; Status?: unknown; CreatedAt?: unknown; StartedAt?: unknown; StoppedAt?: unknown } | undefined;
    try {
      job = text === undefined ? undefined : (JSON.parse(text) as typeof job);
    } catch {
      job = undefined;
    }
    const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
    const startedAt = number(job?.StartedAt);
    const stoppedAt = number(job?.StoppedAt);
    jobs.push({
      jobId: typeof job?.JobId === 'string' ? job.JobId : '',
      jobName: typeof job?.JobName === 'string' ? job.JobName : '',
      status: typeof job?.Status === 'string' ? job.Status : event.type === 'TaskSucceeded' ? 'SUCCEEDED' : 'FAILED',
      createdAt: number(job?.CreatedAt) ?? time(event),
      ...(startedAt === undefined ? {} : { startedAt }),
      ...(stoppedAt === undefined ? {} : { stoppedAt }),
      notifiedAt: time(event),
    });
  }
  return jobs;
}

/** Batch tasks scheduled and ended so far: what a progress line shows as jobs done/total. */
export function batchTaskCounts(events: readonly HistoryEvent[]): { scheduled: number; ended: number } {
  let scheduled = 0;
  let ended = 0;
  for (const event of events) {
    const details = (event.taskScheduledEventDetails ?? event.taskSucceededEventDetails ?? event.taskFailedEventDetails) as { resourceType?: unknown } | undefined;
    if (details?.resourceType !== 'batch') continue;
    if (event.type === 'TaskScheduled') scheduled++;
    else ended++;
  }
  return { scheduled, ended };
}
