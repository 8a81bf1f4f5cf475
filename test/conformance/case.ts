/*
 * The shape of one conformance case: a state machine, its input, the task handlers it calls,
 * and what AWS Step Functions would report for that execution.
 *
 * Cases are written from the AWS Step Functions documentation and the Amazon States Language
 * specification; where the documentation and the service disagree, the case follows what the
 * service records in an execution history, and says so in a comment next to the case.
 */

/**
 * A task handler returning this value never settles: the harness wraps it into
 * `new Promise(() => {})`, so only a TimeoutSeconds / HeartbeatSeconds timer (or the
 * execution's own TimeoutSeconds) can end the task. With the virtual clock, that timer
 * fires at once.
 */
export const HANG = 'HANG';

// Task inputs are arbitrary JSON chosen by each case; handlers read them freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CaseTaskHandler = (input: any, calls: number) => unknown;

export type ExpectedResult =
  | { status: 'SUCCEEDED'; output: unknown }
  | {
      status: 'FAILED' | 'TIMED_OUT';
      /** The error name; a RegExp when any name of that form is acceptable. */
      error: string | RegExp;
      cause?: string | RegExp;
    };

export interface ConformanceCase {
  /** e.g. "ResultPath merges into a nested path" */
  name: string;
  /** The state machine definition. */
  definition: object;
  /** Execution input; `{}` when absent. */
  input?: unknown;
  /** Passed to the runner as RunOptions.executionName. */
  executionName?: string;
  /** Passed to the runner as RunOptions.stateMachineName. */
  stateMachineName?: string;
  /**
   * Task resources used by the case, keyed by the exact Resource string. The return value is
   * the task output (a returned Promise is awaited; HANG never settles); throw
   * `new TaskFailure('Err', 'cause')` to fail the task. `calls` counts invocations of that
   * resource, starting at 1, so a retried task can fail first and succeed later.
   * A resource missing here resolves to no handler at all.
   */
  tasks?: Record<string, CaseTaskHandler>;
  expected: ExpectedResult;
  /** How many times each resource must have been invoked. */
  expectCalls?: Record<string, number>;
  /** An ordered subsequence of history event types that must appear. */
  expectEvents?: string[];
  /** Virtual seconds the run must take at least (Wait states, retry intervals, timeouts). */
  minElapsedSeconds?: number;
  /** Virtual seconds the run may take at most (caps such as MaxDelaySeconds; waits that must not happen). */
  maxElapsedSeconds?: number;
}
