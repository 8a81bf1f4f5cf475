/*
 * One call of `step`: applies an event to the execution state and runs every frame that
 * can move until each waits on a task, a timer or its children, collecting the commands
 * and history events. Work is a FIFO queue rather than recursion, so a chain of a thousand
 * Pass states or a Map of ten thousand iterations never grows the stack.
 */
import { StatesDataLimitExceeded, StatesRuntime, toStatesError } from '../errors.js';
import type { StatesError } from '../errors.js';
import type { Json, State } from '../types.js';
import { MAX_JSON_DEPTH, jsonTextDepth } from '../../util/json-limits.js';
import type { CompiledDefinition, CompiledMachine } from './compile.js';
import { CONTINUE_TIMER, DEFAULT_MAX_HISTORY_EVENTS, historyLimitCause, takeTransition, type StepLimits } from './step-limits.js';
import type { Command, HistoryEvent } from './protocol.js';
import { nextRandom } from './random.js';
import { recover } from './recovery.js';
import type { ExecutionState, Frame } from './state.js';

export type StateHandler = (run: Run, frame: Frame, state: State) => Promise<void>;
export type ChildOutcome = { output: Json } | { error: StatesError };
export type ChildEndedHandler = (run: Run, parent: Frame, child: Frame, outcome: ChildOutcome) => Promise<void>;

export interface StateHandlers {
  enter: Record<State['Type'], StateHandler>;
  childEnded: Record<'Parallel' | 'Map', ChildEndedHandler>;
  /** A Map that stopped launching iterations when the step budget ran out launches more. */
  launchMore: Record<'Map', (run: Run, frame: Frame) => Promise<void>>;
}

export class Run {
  readonly commands: Command[] = [];
  readonly events: HistoryEvent[] = [];
  private readonly queue: Array<() => Promise<void>> = [];
  private readonly timestamp: string;

  constructor(
    readonly compiled: CompiledDefinition,
    readonly state: ExecutionState,
    readonly now: number,
    private readonly handlers: StateHandlers,
    private readonly limits: StepLimits = {},
  ) {
    this.timestamp = new Date(now).toISOString();
  }

  // ---- ids, randomness, history -------------------------------------------------------

  newId(prefix: string): string {
    return `${prefix}${this.state.nextId++}`;
  }

  readonly random = (): number => {
    const r = nextRandom(this.state.rng);
    this.state.rng = r.seed;
    return r.value;
  };

  emit(frame: Frame | undefined, type: string, details?: Record<string, unknown>): number {
    const id = ++this.state.lastEventId;
    const previousEventId = frame ? frame.lastEventId : id - 1;
    const event: HistoryEvent = { id, previousEventId, timestamp: this.timestamp, type };
    if (details) Object.assign(event, details);
    this.events.push(event);
    if (frame) frame.lastEventId = id;
    return id;
  }

  // ---- frames and machines ------------------------------------------------------------

  machine(frame: Frame): CompiledMachine {
    return this.compiled.machines[frame.machineId] as CompiledMachine;
  }

  currentState(frame: Frame): State {
    return this.machine(frame).states[frame.stateName] as State;
  }

  language(frame: Frame): 'JSONPath' | 'JSONata' {
    return this.machine(frame).language[frame.stateName] ?? 'JSONPath';
  }

  frame(id: string): Frame | undefined {
    return this.state.frames[id];
  }

  /** Variables visible in a frame: its own over its ancestors'. */
  variables(frame: Frame): Record<string, Json> {
    const chain: Frame[] = [];
    for (let f: Frame | undefined = frame; f; f = f.parentId ? this.state.frames[f.parentId] : undefined) chain.push(f);
    if (chain.length === 1) return frame.variables;
    const merged: Record<string, Json> = {};
    for (let i = chain.length - 1; i >= 0; i--) Object.assign(merged, (chain[i] as Frame).variables);
    return merged;
  }

  contextObject(frame: Frame, extra?: Record<string, unknown>): Record<string, unknown> {
    const ctx: Record<string, unknown> = {
      Execution: this.state.context.Execution,
      StateMachine: this.state.context.StateMachine,
      State: { Name: frame.stateName, EnteredTime: frame.enteredAt === this.now ? this.timestamp : new Date(frame.enteredAt).toISOString(), RetryCount: frame.retryCount },
    };
    if (extra) Object.assign(ctx, extra);
    return ctx;
  }

  createFrame(machineId: number, parent: Frame | undefined, index: number, lastEventId: number): Frame {
    const frame: Frame = {
      id: this.newId('f'),
      index,
      machineId,
      stateName: '',
      input: null,
      enteredAt: this.now,
      retryCounts: [],
      retryCount: 0,
      variables: {},
      lastEventId,
    };
    if (parent) frame.parentId = parent.id;
    this.state.frames[frame.id] = frame;
    return frame;
  }

  // ---- the work queue -----------------------------------------------------------------

  schedule(job: () => Promise<void>): void {
    this.queue.push(job);
  }

  async drain(): Promise<void> {
    const maxEvents = this.limits.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
    for (let i = 0; i < this.queue.length; i++) {
      // One event is kept for ExecutionFailed itself; a job may add a few more past the check.
      if (this.state.lastEventId >= maxEvents - 1) {
        this.finishExecution('FAILED', undefined, new StatesRuntime(historyLimitCause(maxEvents)));
        break;
      }
      try {
        await (this.queue[i] as () => Promise<void>)();
      } catch (err) {
        // Every state's own errors are handled where they arise; anything reaching here is a
        // defect, and it must end the execution, not the process that runs it.
        this.finishExecution('FAILED', undefined, new StatesRuntime(`Internal error: ${(err as Error).message ?? String(err)}`));
      }
      if (this.state.status !== 'RUNNING') break;
    }
    this.queue.length = 0;
  }

  /** Resumes `frame` with `work`; an error thrown by it fails the current state (Retry/Catch apply). */
  resume(frame: Frame, work: () => Promise<void>): void {
    this.schedule(async () => {
      if (!this.state.frames[frame.id]) return;
      try {
        await work();
      } catch (err) {
        await this.handleError(frame, toStatesError(err));
      }
    });
  }

  /** Enters `stateName` in `frame` with `input` (queued); parks the frame when the step budget is spent. */
  enter(frame: Frame, stateName: string, input: Json): void {
    this.schedule(async () => {
      if (!this.state.frames[frame.id]) return;
      if (!takeTransition(this.limits.budget)) {
        this.park(frame, stateName, input);
        return;
      }
      frame.stateName = stateName;
      frame.input = input;
      frame.enteredAt = this.now;
      frame.retryCounts = [];
      frame.retryCount = 0;
      const state = this.currentState(frame);
      this.emit(frame, `${state.Type}StateEntered`, { stateEnteredEventDetails: { name: stateName, input: JSON.stringify(input) } });
      await this.execute(frame);
    });
  }

  /** Leaves `frame` about to enter `stateName`, for the continue timer to pick up in a later step. */
  private park(frame: Frame, stateName: string, input: Json): void {
    frame.stateName = stateName;
    frame.input = input;
    frame.wait = { kind: 'parked' };
    (this.state.parked ??= []).push(frame.id);
    if (this.state.pending[CONTINUE_TIMER] === undefined) this.startTimer(frame, CONTINUE_TIMER, this.now);
  }

  /**
   * Takes one transition of the step budget for work that is not a state's entry (a Map
   * launching an iteration); false when it is spent, and the caller calls parkLaunches.
   */
  spendTransition(): boolean {
    return takeTransition(this.limits.budget);
  }

  /** A Map frame that has iterations left to launch, for the continue timer to pick up. */
  parkLaunches(frame: Frame): void {
    const parked = (this.state.parked ??= []);
    if (!parked.includes(frame.id)) parked.push(frame.id);
    if (this.state.pending[CONTINUE_TIMER] === undefined) this.startTimer(frame, CONTINUE_TIMER, this.now);
  }

  /** The continue timer fired: parked frames enter their states, Maps launch more (budget permitting). */
  resumeParked(): void {
    delete this.state.pending[CONTINUE_TIMER];
    const parked = this.state.parked ?? [];
    delete this.state.parked;
    // Iterations already launched go first: a Map launching more would spend the budget on
    // new iterations while those wait, and the stored state would only grow.
    const maps: Frame[] = [];
    for (const id of parked) {
      const frame = this.state.frames[id];
      if (frame?.wait?.kind === 'parked') {
        delete frame.wait;
        this.enter(frame, frame.stateName, frame.input);
      } else if (frame?.wait?.kind === 'children' && this.currentState(frame).Type === 'Map') {
        maps.push(frame);
      }
    }
    for (const frame of maps) this.resume(frame, () => this.handlers.launchMore.Map(this, frame));
  }

  /** Runs the current state of `frame` (on entry and on each retry). */
  async execute(frame: Frame): Promise<void> {
    const state = this.currentState(frame);
    try {
      await this.handlers.enter[state.Type](this, frame, state);
    } catch (err) {
      await this.handleError(frame, toStatesError(err));
    }
  }

  /** Leaves the current state with `output`: on to Next, or the frame ends. */
  leave(frame: Frame, output: Json, next?: string): void {
    const state = this.currentState(frame);
    const text = JSON.stringify(output) ?? 'null';
    if (text.length > MAX_PAYLOAD_CHARS_FAST && Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
      throw new StatesDataLimitExceeded(`The output of state '${frame.stateName}' is ${Buffer.byteLength(text)} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit`);
    }
    // A text this short cannot nest that deep; the scan is for outputs that might.
    if (text.length > 2 * MAX_JSON_DEPTH && jsonTextDepth(text) > MAX_JSON_DEPTH) {
      throw new StatesRuntime(`The output of state '${frame.stateName}' nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    this.emit(frame, `${state.Type}StateExited`, { stateExitedEventDetails: { name: frame.stateName, output: text } });
    const nextName = next ?? (state.Type === 'Succeed' ? undefined : state.Next);
    if (nextName !== undefined) this.enter(frame, nextName, output);
    else this.completeFrame(frame, output);
  }

  // ---- errors: Retry, Catch, propagation ----------------------------------------------

  async handleError(frame: Frame, err: StatesError): Promise<void> {
    try {
      await recover(this, frame, err);
    } catch (secondary) {
      // A Catch whose own ResultPath or Output fails ends the frame with that error.
      this.failFrame(frame, toStatesError(secondary));
    }
  }

  completeFrame(frame: Frame, output: Json): void {
    if (frame.parentId === undefined) {
      this.finishExecution('SUCCEEDED', output);
      return;
    }
    const parent = this.state.frames[frame.parentId] as Frame;
    delete this.state.frames[frame.id];
    this.onChildEnded(parent, frame, { output });
  }

  failFrame(frame: Frame, err: StatesError): void {
    if (frame.parentId === undefined) {
      this.finishExecution('FAILED', undefined, err);
      return;
    }
    const parent = this.state.frames[frame.parentId] as Frame;
    delete this.state.frames[frame.id];
    this.onChildEnded(parent, frame, { error: err });
  }

  /** Children end inside the queue so that a parent sees them one at a time, in order. */
  private onChildEnded(parent: Frame, child: Frame, outcome: ChildOutcome): void {
    const type = this.currentState(parent).Type as 'Parallel' | 'Map';
    this.resume(parent, () => this.handlers.childEnded[type](this, parent, child, outcome));
  }

  /** Cancels whatever `frame` and its descendants wait on and removes them. */
  abortFrame(frame: Frame): void {
    for (const childId of Object.keys(frame.children?.running ?? {})) {
      const child = this.state.frames[childId];
      if (child) this.abortFrame(child);
    }
    this.cancelWait(frame);
    delete this.state.frames[frame.id];
  }

  cancelWait(frame: Frame): void {
    const wait = frame.wait;
    if (!wait) return;
    if (wait.kind === 'task') {
      delete this.state.pending[wait.taskId];
      this.commands.push({ type: 'CancelTask', taskId: wait.taskId });
      if (wait.timeoutTimer) this.cancelTimer(wait.timeoutTimer);
      if (wait.heartbeatTimer) this.cancelTimer(wait.heartbeatTimer);
    } else if (wait.kind === 'timer') {
      this.cancelTimer(wait.timerId);
    }
    delete frame.wait;
  }

  startTimer(frame: Frame, timerId: string, fireAt: number): void {
    this.state.pending[timerId] = frame.id;
    this.commands.push({ type: 'StartTimer', timerId, fireAt });
  }

  cancelTimer(timerId: string): void {
    delete this.state.pending[timerId];
    this.commands.push({ type: 'CancelTimer', timerId });
  }

  finishExecution(status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED', output?: Json, err?: { error: string; cause: string }): void {
    if (this.state.status !== 'RUNNING') return;
    const root = Object.values(this.state.frames).find((f) => f.parentId === undefined);
    if (root && status !== 'SUCCEEDED') this.state.redrive = { stateName: root.stateName, input: root.input, variables: root.variables };
    if (root) this.abortFrame(root);
    if (this.state.pending[EXECUTION_TIMER] !== undefined) this.cancelTimer(EXECUTION_TIMER);
    if (this.state.pending[CONTINUE_TIMER] !== undefined) this.cancelTimer(CONTINUE_TIMER);
    delete this.state.parked;
    this.state.frames = {};
    this.state.pending = {};
    this.state.status = status;
    if (status === 'SUCCEEDED') {
      const out = output ?? null;
      this.state.output = out;
      this.emit(undefined, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: JSON.stringify(out) } });
      this.commands.push({ type: 'ExecutionSucceeded', output: out });
      return;
    }
    const error = err?.error ?? '';
    const cause = err?.cause ?? '';
    this.state.error = error;
    this.state.cause = cause;
    const kind = status === 'FAILED' ? 'Failed' : status === 'TIMED_OUT' ? 'TimedOut' : 'Aborted';
    const detailsKey = `execution${kind}EventDetails`;
    this.emit(undefined, `Execution${kind}`, { [detailsKey]: { error, cause } });
    this.commands.push({ type: `Execution${kind}` as 'ExecutionFailed', error, cause });
  }
}

export const EXECUTION_TIMER = 'execution-timeout';
/** Step Functions limits state input and output to 256 KiB. */
const MAX_PAYLOAD_BYTES = 256 * 1024;
/** A UTF-8 string of fewer chars than this cannot exceed the limit (4 bytes per char at most). */
const MAX_PAYLOAD_CHARS_FAST = MAX_PAYLOAD_BYTES / 4;
