/*
 * Timeouts: Task TimeoutSeconds / TimeoutSecondsPath (States.Timeout), HeartbeatSeconds /
 * HeartbeatSecondsPath (States.HeartbeatTimeout), and the state machine's own TimeoutSeconds
 * (execution status TIMED_OUT). Hanging tasks return HANG; the virtual clock fires the timers.
 */
import { HANG, type ConformanceCase } from '../case.js';
import { fn, single } from '../helpers.js';

const SLOW = fn('slow');

export const cases: ConformanceCase[] = [
  {
    name: 'A task running longer than TimeoutSeconds fails with States.Timeout',
    definition: single({ Type: 'Task', Resource: SLOW, TimeoutSeconds: 5 }),
    tasks: { [SLOW]: () => HANG },
    expected: { status: 'FAILED', error: 'States.Timeout' },
    minElapsedSeconds: 5,
    maxElapsedSeconds: 5,
    expectEvents: ['TaskStateEntered', 'TaskScheduled', 'TaskTimedOut', 'ExecutionFailed'],
  },
  {
    name: 'TimeoutSecondsPath reads the task timeout from the input',
    definition: single({ Type: 'Task', Resource: SLOW, TimeoutSecondsPath: '$.limit' }),
    input: { limit: 8 },
    tasks: { [SLOW]: () => HANG },
    expected: { status: 'FAILED', error: 'States.Timeout' },
    minElapsedSeconds: 8,
    maxElapsedSeconds: 8,
  },
  {
    name: 'A task finishing within TimeoutSeconds succeeds',
    definition: single({ Type: 'Task', Resource: fn('quick'), TimeoutSeconds: 5 }),
    tasks: { [fn('quick')]: () => ({ fast: true }) },
    expected: { status: 'SUCCEEDED', output: { fast: true } },
    maxElapsedSeconds: 0,
  },
  {
    name: 'A task silent for longer than HeartbeatSeconds fails with States.HeartbeatTimeout',
    definition: single({ Type: 'Task', Resource: SLOW, TimeoutSeconds: 60, HeartbeatSeconds: 5 }),
    tasks: { [SLOW]: () => HANG },
    expected: { status: 'FAILED', error: 'States.HeartbeatTimeout' },
    minElapsedSeconds: 5,
    maxElapsedSeconds: 5,
  },
  {
    name: 'HeartbeatSecondsPath reads the heartbeat interval from the input',
    definition: single({ Type: 'Task', Resource: SLOW, TimeoutSeconds: 60, HeartbeatSecondsPath: '$.hb' }),
    input: { hb: 3 },
    tasks: { [SLOW]: () => HANG },
    expected: { status: 'FAILED', error: 'States.HeartbeatTimeout' },
    minElapsedSeconds: 3,
    maxElapsedSeconds: 3,
  },
  {
    name: 'States.HeartbeatTimeout can be caught',
    definition: {
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: SLOW,
          TimeoutSeconds: 60,
          HeartbeatSeconds: 4,
          Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], ResultPath: '$.why', Next: 'Lost' }],
          End: true,
        },
        Lost: { Type: 'Pass', OutputPath: '$.why.Error', End: true },
      },
    },
    tasks: { [SLOW]: () => HANG },
    expected: { status: 'SUCCEEDED', output: 'States.HeartbeatTimeout' },
    minElapsedSeconds: 4,
  },
  {
    name: 'A task timeout inside a Parallel branch fails the Parallel with States.Timeout',
    definition: single({
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Quick', States: { Quick: { Type: 'Pass', End: true } } },
        { StartAt: 'Stuck', States: { Stuck: { Type: 'Task', Resource: SLOW, TimeoutSeconds: 3, End: true } } },
      ],
    }),
    tasks: { [SLOW]: () => HANG },
    expected: { status: 'FAILED', error: 'States.Timeout' },
    minElapsedSeconds: 3,
  },
  {
    name: 'The state machine TimeoutSeconds stops a long Wait: status TIMED_OUT',
    definition: single({ Type: 'Wait', Seconds: 100 }, 'S', { TimeoutSeconds: 10 }),
    expected: { status: 'TIMED_OUT', error: 'States.Timeout' },
    minElapsedSeconds: 10,
    maxElapsedSeconds: 10,
    expectEvents: ['ExecutionStarted', 'WaitStateEntered', 'ExecutionTimedOut'],
  },
  {
    name: 'The state machine TimeoutSeconds stops a hanging task: status TIMED_OUT',
    definition: single({ Type: 'Task', Resource: SLOW }, 'S', { TimeoutSeconds: 7 }),
    tasks: { [SLOW]: () => HANG },
    expected: { status: 'TIMED_OUT', error: 'States.Timeout' },
    minElapsedSeconds: 7,
    maxElapsedSeconds: 7,
  },
  {
    name: 'The state machine timeout cannot be caught by the running state',
    definition: {
      TimeoutSeconds: 5,
      StartAt: 'Work',
      States: {
        Work: { Type: 'Task', Resource: SLOW, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Rescue' }], End: true },
        Rescue: { Type: 'Pass', Result: 'rescued', End: true },
      },
    },
    tasks: { [SLOW]: () => HANG },
    expected: { status: 'TIMED_OUT', error: 'States.Timeout' },
    minElapsedSeconds: 5,
    maxElapsedSeconds: 5,
  },
  {
    name: 'An execution that ends before the state machine TimeoutSeconds succeeds',
    definition: single({ Type: 'Wait', Seconds: 9 }, 'S', { TimeoutSeconds: 10 }),
    input: { in: 1 },
    expected: { status: 'SUCCEEDED', output: { in: 1 } },
    minElapsedSeconds: 9,
  },
];
