/*
 * Task: schedules the resource through a RunTask command and waits. The runtime answers
 * with TaskSucceeded / TaskFailed; TimeoutSeconds and HeartbeatSeconds are timers the
 * interpreter starts itself, so a task that never answers still ends.
 */
import { StatesError, StatesHeartbeatTimeout, StatesRuntime, StatesTimeout } from '../../errors.js';
import { MAX_TIMER_SECONDS } from '../../limits.js';
import type { Json, TaskState } from '../../types.js';
import { dynamicField, effectiveInput, finishWithResult, taskArguments } from '../dataflow.js';
import type { Run, StateHandler } from '../run.js';
import type { Frame } from '../state.js';

export function taskToken(executionId: string, taskId: string): string {
  return Buffer.from(`${executionId}\n${taskId}`).toString('base64url');
}

/** Splits a Resource into the resourceType/resource pair the history shows. */
export function describeResource(resource: string): { resourceType: string; resource: string } {
  const parts = resource.split(':');
  if (parts[0] === 'arn' && parts[2] === 'states' && parts[4] === '' && parts.length >= 7) {
    return { resourceType: parts[5] as string, resource: parts.slice(6).join(':') };
  }
  if (parts[0] === 'arn' && parts.length > 2) return { resourceType: parts[2] as string, resource };
  return { resourceType: 'skybatch', resource };
}

async function positiveSeconds(run: Run, frame: Frame, input: Json, value: unknown, path: string | undefined, field: string): Promise<number | undefined> {
  const v = await dynamicField(run, frame, input, value, path, field);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new StatesRuntime(`Task state '${frame.stateName}': ${field} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (v > MAX_TIMER_SECONDS) throw new StatesRuntime(`Task state '${frame.stateName}': ${field} must be at most ${MAX_TIMER_SECONDS}, got ${JSON.stringify(v)}`);
  return v;
}

export const enterTask: StateHandler = async (run, frame, s) => {
  const state = s as TaskState;
  const input = effectiveInput(run, frame, state);
  const taskId = run.newId('t');
  const token = taskToken(run.state.context.Execution.Id, taskId);
  const args = await taskArguments(run, frame, state, input, { Task: { Token: token } });
  const timeoutSeconds = await positiveSeconds(run, frame, input, state.TimeoutSeconds, state.TimeoutSecondsPath, 'TimeoutSeconds');
  const heartbeatSeconds = await positiveSeconds(run, frame, input, state.HeartbeatSeconds, state.HeartbeatSecondsPath, 'HeartbeatSeconds');
  const details: Record<string, unknown> = { ...describeResource(state.Resource), region: 'local', parameters: JSON.stringify(args) };
  if (timeoutSeconds !== undefined) details.timeoutInSeconds = timeoutSeconds;
  if (heartbeatSeconds !== undefined) details.heartbeatInSeconds = heartbeatSeconds;
  run.emit(frame, 'TaskScheduled', { taskScheduledEventDetails: details });

  const wait: Frame['wait'] & { kind: 'task' } = { kind: 'task', taskId };
  run.state.pending[taskId] = frame.id;
  if (timeoutSeconds !== undefined) {
    wait.timeoutTimer = `${taskId}:timeout`;
    run.startTimer(frame, wait.timeoutTimer, run.now + timeoutSeconds * 1000);
  }
  if (heartbeatSeconds !== undefined) {
    wait.heartbeatTimer = `${taskId}:heartbeat`;
    wait.heartbeatSeconds = heartbeatSeconds;
    run.startTimer(frame, wait.heartbeatTimer, run.now + heartbeatSeconds * 1000);
  }
  frame.wait = wait;
  const command: Parameters<typeof run.commands.push>[0] = { type: 'RunTask', taskId, stateName: frame.stateName, resource: state.Resource, input: args, taskToken: token };
  if (timeoutSeconds !== undefined) command.timeoutSeconds = timeoutSeconds;
  if (heartbeatSeconds !== undefined) command.heartbeatSeconds = heartbeatSeconds;
  run.commands.push(command);
};

function taskDetails(run: Run, frame: Frame, extra: Record<string, unknown>): Record<string, unknown> {
  return { ...describeResource((run.currentState(frame) as TaskState).Resource), ...extra };
}

/** Stops the timers of a finished task and forgets it. */
function settle(run: Run, frame: Frame): void {
  const wait = frame.wait;
  if (wait?.kind !== 'task') return;
  delete run.state.pending[wait.taskId];
  if (wait.timeoutTimer) run.cancelTimer(wait.timeoutTimer);
  if (wait.heartbeatTimer) run.cancelTimer(wait.heartbeatTimer);
  delete frame.wait;
}

export async function taskStarted(run: Run, frame: Frame): Promise<void> {
  run.emit(frame, 'TaskStarted', { taskStartedEventDetails: taskDetails(run, frame, {}) });
}

export async function taskSucceeded(run: Run, frame: Frame, output: Json): Promise<void> {
  settle(run, frame);
  run.emit(frame, 'TaskSucceeded', { taskSucceededEventDetails: taskDetails(run, frame, { output: JSON.stringify(output) }) });
  await finishWithResult(run, frame, run.currentState(frame) as TaskState, output);
}

export async function taskFailed(run: Run, frame: Frame, error: string, cause: string): Promise<void> {
  settle(run, frame);
  run.emit(frame, 'TaskFailed', { taskFailedEventDetails: taskDetails(run, frame, { error, cause }) });
  const terminal = error === 'States.Runtime' || error === 'States.DataLimitExceeded';
  await run.handleError(frame, new StatesError(error, cause, !terminal));
}

export async function taskHeartbeat(run: Run, frame: Frame): Promise<void> {
  const wait = frame.wait;
  if (wait?.kind !== 'task' || !wait.heartbeatTimer || wait.heartbeatSeconds === undefined) return;
  run.cancelTimer(wait.heartbeatTimer);
  run.startTimer(frame, wait.heartbeatTimer, run.now + wait.heartbeatSeconds * 1000);
}

export async function taskTimedOut(run: Run, frame: Frame, heartbeat: boolean): Promise<void> {
  const wait = frame.wait;
  if (wait?.kind !== 'task') return;
  run.commands.push({ type: 'CancelTask', taskId: wait.taskId });
  settle(run, frame);
  const err = heartbeat ? new StatesHeartbeatTimeout('The task did not send a heartbeat in time') : new StatesTimeout('The task did not finish within TimeoutSeconds');
  run.emit(frame, 'TaskTimedOut', { taskTimedOutEventDetails: taskDetails(run, frame, { error: err.error, cause: err.cause }) });
  await run.handleError(frame, err);
}
