/*
 * What happens when a state fails: the first matching retrier retries it after its
 * backoff (a timer command, never a sleep) while it has attempts left; once that retrier
 * is spent, the first matching catcher moves on to its Next with the error output; else
 * the frame fails and its parent (or the execution) sees the error.
 */
import type { StatesError } from '../errors.js';
import type { CatchRule, Json, JsonObject, MapState, ParallelState, State, TaskState } from '../types.js';
import { evaluateTemplate, requireTemplate } from './jsonata-dataflow.js';
import { applyPayloadTemplate, applyResultPath } from './jsonpath-dataflow.js';
import { findCatcher, findRetrier, retryDelayMs } from './retry.js';
import type { Run } from './run.js';
import type { Frame } from './state.js';
import { jsonataEnv, pathEnv } from './dataflow.js';

function recoverable(state: State): state is TaskState | ParallelState | MapState {
  return state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map';
}

export async function recover(run: Run, frame: Frame, err: StatesError): Promise<void> {
  const state = run.currentState(frame);
  if (!recoverable(state)) {
    run.failFrame(frame, err);
    return;
  }
  const retrierIndex = findRetrier(state.Retry, err);
  if (retrierIndex >= 0) {
    const rule = state.Retry?.[retrierIndex];
    const attempts = frame.retryCounts[retrierIndex] ?? 0;
    if (rule && attempts < (rule.MaxAttempts ?? 3)) {
      frame.retryCounts[retrierIndex] = attempts + 1;
      frame.retryCount++;
      const delay = retryDelayMs(rule, attempts, run.random);
      if (delay <= 0) {
        run.schedule(() => run.execute(frame));
      } else {
        const timerId = run.newId('r');
        frame.wait = { kind: 'timer', timerId, purpose: 'retry' };
        run.startTimer(frame, timerId, run.now + delay);
      }
      return;
    }
  }
  const catcher = findCatcher(state.Catch, err);
  if (!catcher) {
    run.failFrame(frame, err);
    return;
  }
  const errorOutput: JsonObject = { Error: err.error, Cause: err.cause };
  const output = await catchOutput(run, frame, catcher, errorOutput);
  run.emit(frame, `${state.Type}StateExited`, { stateExitedEventDetails: { name: frame.stateName, output: JSON.stringify(output) } });
  run.enter(frame, catcher.Next, output);
}

async function catchOutput(run: Run, frame: Frame, catcher: CatchRule, errorOutput: JsonObject): Promise<Json> {
  if (run.language(frame) === 'JSONata') {
    const env = jsonataEnv(run, frame, { errorOutput });
    const output = catcher.Output === undefined ? errorOutput : await requireTemplate(catcher.Output, env, 'Catch.Output');
    if (catcher.Assign) Object.assign(frame.variables, await evaluateTemplate(catcher.Assign, env, 'Catch.Assign'));
    return output;
  }
  if (catcher.Assign) Object.assign(frame.variables, applyPayloadTemplate(catcher.Assign, errorOutput, pathEnv(run, frame)));
  return applyResultPath(frame.input, errorOutput, catcher.ResultPath);
}
