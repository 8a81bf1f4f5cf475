/*
 * Which Retry or Catch rule an error matches, and how long a retry waits.
 *
 * Rules are tried in order; the first whose ErrorEquals names the error wins. States.ALL
 * matches everything but the terminal errors (States.Runtime, States.DataLimitExceeded);
 * States.TaskFailed matches any error except States.Timeout and those terminal ones.
 */
import type { StatesError } from '../errors.js';
import { MAX_TIMER_SECONDS } from '../limits.js';
import type { CatchRule, RetryRule } from '../types.js';

function matches(errorEquals: string[], err: StatesError): boolean {
  // Terminal errors end the execution whatever the rules say.
  if (!err.matchesStatesAll) return false;
  for (const name of errorEquals) {
    if (name === err.error) return true;
    if (name === 'States.ALL') return true;
    if (name === 'States.TaskFailed' && err.error !== 'States.Timeout') return true;
  }
  return false;
}

export function findRetrier(rules: RetryRule[] | undefined, err: StatesError): number {
  if (!rules) return -1;
  return rules.findIndex((r) => matches(r.ErrorEquals, err));
}

export function findCatcher(rules: CatchRule[] | undefined, err: StatesError): CatchRule | undefined {
  return rules?.find((r) => matches(r.ErrorEquals, err));
}

/** Delay in ms before retry number `attempt` (0-based) of a rule; `random` feeds FULL jitter. */
export function retryDelayMs(rule: RetryRule, attempt: number, random: () => number): number {
  const interval = rule.IntervalSeconds ?? 1;
  const backoff = rule.BackoffRate ?? 2;
  let seconds = interval * Math.pow(backoff, attempt);
  // A steep BackoffRate reaches Infinity in a few attempts: no retry waits longer than a timer may.
  seconds = Math.min(seconds, rule.MaxDelaySeconds ?? MAX_TIMER_SECONDS, MAX_TIMER_SECONDS);
  if (rule.JitterStrategy === 'FULL') seconds = random() * seconds;
  return Math.round(seconds * 1000);
}
