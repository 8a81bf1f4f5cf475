/*
 * The decisions of a job's lifecycle, as pure functions: whether an ended attempt is retried
 * (retryStrategy with evaluateOnExit), and the command after Ref:: parameter substitution.
 */
import type { AttemptOutcome } from './executors/executor.js';
import type { EvaluateOnExit, RetryStrategy } from './types.js';

/** AWS Batch globs: `*` matches any run of characters (AWS allows it only at the end). */
export function globMatch(pattern: string, value: string): boolean {
  const parts = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 's').test(value);
}

function ruleMatches(rule: EvaluateOnExit, outcome: AttemptOutcome): boolean {
  if (rule.onExitCode !== undefined && (outcome.exitCode === null || !globMatch(rule.onExitCode, String(outcome.exitCode)))) return false;
  if (rule.onReason !== undefined && !globMatch(rule.onReason, outcome.reason ?? '')) return false;
  if (rule.onStatusReason !== undefined && !globMatch(rule.onStatusReason, outcome.statusReason)) return false;
  return true;
}

/**
 * Whether another attempt follows attempt number `attempt` (1-based). The first matching
 * evaluateOnExit rule decides; with none matching, the job is retried while attempts remain.
 * A job terminated by a person is never retried.
 */
export function shouldRetry(strategy: RetryStrategy, attempt: number, outcome: AttemptOutcome, terminated: boolean): boolean {
  if (terminated || attempt >= strategy.attempts) return false;
  const rule = strategy.evaluateOnExit?.find((r) => ruleMatches(r, outcome));
  return rule === undefined || rule.action === 'RETRY';
}

/** Replaces `Ref::name` arguments with parameter values, as AWS Batch does. */
export function substituteParameters(command: string[], parameters: Record<string, string>): string[] {
  return command.map((arg) => arg.replace(/Ref::([A-Za-z0-9_]+)/g, (whole, name: string) => parameters[name] ?? whole));
}
