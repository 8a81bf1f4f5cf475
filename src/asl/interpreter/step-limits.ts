/*
 * What one execution may use, so that no single execution can take the runtime down.
 *
 * - History: AWS fails an execution whose history reaches 25,000 events (States.Runtime);
 *   without a bound a state machine that loops forever grows its history, and the memory
 *   of the process stepping it, until the process dies (and again after every restart).
 * - A step budget: how many states the steps of one execution may enter, and until when,
 *   before the interpreter yields. Past the budget a frame about to enter a state is parked
 *   (its state name and input are in the frame already) and one `continue` timer, due at
 *   once, is asked for; the runtime applies it in a later batch, after the other executions
 *   with due work. A yield is an ordinary timer, so it is persisted and survives a restart
 *   like any other.
 */

export const DEFAULT_MAX_HISTORY_EVENTS = 25_000;

export interface StepBudget {
  /** States the execution may still enter in this batch; decremented by each entry. */
  transitions: number;
  /** True once the execution has had its share of time. Read once per state entered. */
  overdue?: () => boolean;
}

export interface StepLimits {
  /** Fail the execution (States.Runtime) when its history reaches this many events. */
  maxHistoryEvents?: number;
  /** Shared by every step of one execution in one batch; none means no yielding. */
  budget?: StepBudget;
}

/** The timer a parked execution resumes by. */
export const CONTINUE_TIMER = 'continue';

/** Takes one transition from the budget; false when it is spent (the caller parks). */
export function takeTransition(budget: StepBudget | undefined): boolean {
  if (!budget) return true;
  if (budget.transitions <= 0 || budget.overdue?.() === true) {
    budget.transitions = 0;
    return false;
  }
  budget.transitions--;
  return true;
}

export function historyLimitCause(max: number): string {
  return `The execution exceeded the maximum number of history events (${max})`;
}
