/*
 * Parallel: one child frame per branch, all started at once, all given the same input.
 * The output is the array of branch outputs in branch order; the first branch to fail
 * aborts the others and the Parallel state fails with that branch's error.
 */
import type { ParallelState } from '../../types.js';
import { discardsResult, effectiveInput, finishWithResult, taskArguments } from '../dataflow.js';
import type { ChildEndedHandler, StateHandler } from '../run.js';

export const enterParallel: StateHandler = async (run, frame, s) => {
  const state = s as ParallelState;
  const input = effectiveInput(run, frame, state);
  const branchInput = await taskArguments(run, frame, state, input);
  const machineIds = run.machine(frame).children[frame.stateName] ?? [];
  run.emit(frame, 'ParallelStateStarted');
  const group = {
    kind: 'parallel' as const,
    items: [],
    results: machineIds.map(() => null),
    launched: machineIds.length,
    finished: 0,
    failed: 0,
    running: {} as Record<string, number>,
    maxConcurrency: 0,
    toleratedFailureCount: 0,
    toleratedFailurePercentage: 0,
    effectiveInput: branchInput,
  };
  frame.children = group;
  frame.wait = { kind: 'children' };
  for (const [index, machineId] of machineIds.entries()) {
    const child = run.createFrame(machineId, frame, index, frame.lastEventId);
    group.running[child.id] = index;
    run.enter(child, run.compiled.machines[machineId]?.startAt as string, branchInput);
  }
};

export const parallelChildEnded: ChildEndedHandler = async (run, parent, child, outcome) => {
  const group = parent.children;
  if (!group) return;
  delete group.running[child.id];
  if ('error' in outcome) {
    for (const id of Object.keys(group.running)) {
      const sibling = run.frame(id);
      if (sibling) run.abortFrame(sibling);
    }
    delete parent.children;
    delete parent.wait;
    run.emit(parent, 'ParallelStateFailed', { executionFailedEventDetails: { error: outcome.error.error, cause: outcome.error.cause } });
    await run.handleError(parent, outcome.error);
    return;
  }
  group.results[child.index] = discardsResult(run, parent, run.currentState(parent) as ParallelState) ? null : outcome.output;
  group.finished++;
  if (group.finished < group.results.length) return;
  delete parent.children;
  delete parent.wait;
  run.emit(parent, 'ParallelStateSucceeded');
  await finishWithResult(run, parent, run.currentState(parent) as ParallelState, group.results);
};
