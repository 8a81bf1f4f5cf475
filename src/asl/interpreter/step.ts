/*
 * The interpreter's single entry point:
 *
 *   step(definition, state, event, now) -> { state, commands, events }
 *
 * `state` is undefined for StartExecution. The state object passed in is updated in place
 * and returned (copying a ten-thousand-item Map state on every event would dominate the
 * cost); a caller that needs the old state keeps its own serialized copy, as a durable
 * runtime does anyway.
 */
import { StatesTimeout } from '../errors.js';
import type { Json, StateMachineDefinition } from '../types.js';
import { compileDefinition } from './compile.js';
import type { Command, HistoryEvent, InterpreterEvent } from './protocol.js';
import { CONTINUE_TIMER, type StepLimits } from './step-limits.js';
import { EXECUTION_TIMER, Run } from './run.js';
import type { ExecutionState, Frame } from './state.js';
import { finishWithInput } from './dataflow.js';
import { stateHandlers } from './states/index.js';
import { taskFailed, taskHeartbeat, taskStarted, taskSucceeded, taskTimedOut } from './states/task.js';

export interface StepResult {
  state: ExecutionState;
  commands: Command[];
  events: HistoryEvent[];
}

export async function step(definition: StateMachineDefinition, state: ExecutionState | undefined, event: InterpreterEvent, now: number, seed = 1, limits: StepLimits = {}): Promise<StepResult> {
  const compiled = compileDefinition(definition);
  if (event.type === 'StartExecution') {
    const fresh = initialState(event, now, seed);
    const run = new Run(compiled, fresh, now, stateHandlers, limits);
    run.emit(undefined, 'ExecutionStarted', {
      executionStartedEventDetails: { input: JSON.stringify(event.input), roleArn: fresh.context.Execution.RoleArn },
    });
    const root = run.createFrame(0, undefined, 0, run.state.lastEventId);
    if (definition.TimeoutSeconds !== undefined) run.startTimer(root, EXECUTION_TIMER, now + definition.TimeoutSeconds * 1000);
    run.enter(root, definition.StartAt, event.input);
    await run.drain();
    return { state: fresh, commands: run.commands, events: run.events };
  }
  if (!state) throw new Error(`step: ${event.type} needs an execution state`);
  const run = new Run(compiled, state, now, stateHandlers, limits);
  if (event.type === 'RedriveExecution') {
    redrive(run, definition);
    await run.drain();
  } else if (state.status === 'RUNNING') {
    await apply(run, event);
    await run.drain();
  }
  return { state, commands: run.commands, events: run.events };
}

/** Step Functions' RedriveExecution: the failed top-level state runs again with the input it had. */
function redrive(run: Run, definition: StateMachineDefinition): void {
  const state = run.state;
  const point = state.redrive;
  if (state.status === 'RUNNING' || state.status === 'SUCCEEDED' || !point) return;
  state.status = 'RUNNING';
  delete state.error;
  delete state.cause;
  delete state.redrive;
  state.context.Execution.RedriveCount += 1;
  run.emit(undefined, 'ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: state.context.Execution.RedriveCount } });
  const root = run.createFrame(0, undefined, 0, state.lastEventId);
  root.variables = point.variables;
  if (definition.TimeoutSeconds !== undefined) run.startTimer(root, EXECUTION_TIMER, run.now + definition.TimeoutSeconds * 1000);
  run.enter(root, point.stateName, point.input);
}

function initialState(event: Extract<InterpreterEvent, { type: 'StartExecution' }>, now: number, seed: number): ExecutionState {
  const c = event.context;
  return {
    status: 'RUNNING',
    context: {
      Execution: {
        Id: c.executionId,
        Name: c.executionName,
        StartTime: new Date(now).toISOString(),
        RoleArn: c.roleArn ?? 'arn:aws:iam::000000000000:role/skybatch',
        RedriveCount: c.redriveCount ?? 0,
        Input: event.input,
      },
      StateMachine: { Id: c.stateMachineId, Name: c.stateMachineName },
    },
    nextId: 1,
    lastEventId: 0,
    rng: seed | 0,
    frames: {},
    pending: {},
  };
}

async function apply(run: Run, event: InterpreterEvent): Promise<void> {
  switch (event.type) {
    case 'RedriveExecution':
    case 'StartExecution':
      return;
    case 'StopExecution':
      run.finishExecution('ABORTED', undefined, { error: event.error ?? '', cause: event.cause ?? '' });
      return;
    case 'TaskStarted':
    case 'TaskSucceeded':
    case 'TaskFailed':
    case 'TaskHeartbeat': {
      const frame = waitingFrame(run, event.taskId);
      if (!frame || frame.wait?.kind !== 'task' || frame.wait.taskId !== event.taskId) return; // late answer of a cancelled task
      if (event.type === 'TaskStarted') run.resume(frame, () => taskStarted(run, frame));
      else if (event.type === 'TaskSucceeded') run.resume(frame, () => taskSucceeded(run, frame, event.output));
      else if (event.type === 'TaskFailed') run.resume(frame, () => taskFailed(run, frame, event.error, event.cause));
      else run.resume(frame, () => taskHeartbeat(run, frame));
      return;
    }
    case 'TimerFired':
      timerFired(run, event.timerId);
      return;
  }
}

function waitingFrame(run: Run, id: string): Frame | undefined {
  const frameId = run.state.pending[id];
  return frameId === undefined ? undefined : run.frame(frameId);
}

function timerFired(run: Run, timerId: string): void {
  if (timerId === EXECUTION_TIMER) {
    if (run.state.pending[timerId] === undefined) return;
    delete run.state.pending[timerId];
    const err = new StatesTimeout('The execution did not finish within its TimeoutSeconds');
    run.finishExecution('TIMED_OUT', undefined, err);
    return;
  }
  if (timerId === CONTINUE_TIMER) {
    if (run.state.pending[timerId] !== undefined) run.resumeParked();
    return;
  }
  const frame = waitingFrame(run, timerId);
  if (!frame) return;
  const wait = frame.wait;
  if (wait?.kind === 'task') {
    if (timerId === wait.timeoutTimer) run.resume(frame, () => taskTimedOut(run, frame, false));
    else if (timerId === wait.heartbeatTimer) run.resume(frame, () => taskTimedOut(run, frame, true));
    return;
  }
  if (wait?.kind !== 'timer' || wait.timerId !== timerId) return;
  delete run.state.pending[timerId];
  delete frame.wait;
  if (wait.purpose === 'retry') run.schedule(() => run.execute(frame));
  else run.resume(frame, () => finishWithInput(run, frame, run.currentState(frame)));
}

export type { Json };
