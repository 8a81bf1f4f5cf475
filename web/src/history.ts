/*
 * What an execution's history says about each state and each Map iteration. Events chain
 * per frame through previousEventId (a Map iteration's or Parallel branch's frame starts at the
 * event that launched it), so walking back from an event finds the state it belongs to (the
 * nearest *StateEntered) and the Map iteration it ran in.
 */
import type { HistoryEvent } from '../../src/asl/interpreter/protocol.js';

export type { HistoryEvent };

export type StateStatus = 'not-started' | 'running' | 'succeeded' | 'failed' | 'caught';

export interface StateView {
  status: StateStatus;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface Iteration {
  index: number;
  status: 'running' | 'succeeded' | 'failed' | 'aborted';
  startedEventId: number;
}

export interface Analysis {
  states: Map<string, StateView>;
  /** Per Map state name, its iterations by index (the latest visit's, if the Map ran again). */
  iterations: Map<string, Map<number, Iteration>>;
  /** The state each event belongs to. */
  stateOf: Map<number, string>;
  /** `MAP#INDEX` of the innermost Map iteration an event ran in. */
  iterationOf: Map<number, string>;
}

const detailsOf = (event: HistoryEvent): Record<string, unknown> => {
  for (const [key, value] of Object.entries(event)) if (key.endsWith('EventDetails') && value && typeof value === 'object') return value as Record<string, unknown>;
  return {};
};

export function analyse(events: HistoryEvent[], executionStatus: string): Analysis {
  const byId = new Map(events.map((e) => [e.id, e]));
  const stateOf = new Map<number, string>();
  const iterationOf = new Map<number, string>();
  const states = new Map<string, StateView & { lastOutcome?: 'ok' | 'failed' }>();
  const iterations = new Map<string, Map<number, Iteration>>();

  for (const event of events) {
    const details = detailsOf(event);
    const previous = byId.get(event.previousEventId);
    // The state: the nearest StateEntered on this event's frame chain.
    const stateName = event.type.endsWith('StateEntered') ? String(details.name) : previous ? stateOf.get(previous.id) : undefined;
    if (stateName !== undefined) stateOf.set(event.id, stateName);
    // The iteration: a frame launched by MapIterationStarted begins with a StateEntered.
    const iteration =
      previous?.type === 'MapIterationStarted' && event.type.endsWith('StateEntered')
        ? `${String(detailsOf(previous).name)}#${String(detailsOf(previous).index)}`
        : previous
          ? iterationOf.get(previous.id)
          : undefined;
    if (iteration !== undefined) iterationOf.set(event.id, iteration);

    if (event.type.endsWith('StateEntered')) {
      states.set(String(details.name), { status: 'running', input: String(details.input ?? '') });
    } else if (event.type.endsWith('StateExited')) {
      const view = states.get(String(details.name));
      if (view) {
        view.status = view.lastOutcome === 'failed' ? 'caught' : 'succeeded';
        view.output = String(details.output ?? '');
      }
    } else if (stateName !== undefined && /(Failed|TimedOut|Aborted)$/.test(event.type) && !event.type.startsWith('MapIteration') && !event.type.startsWith('Execution')) {
      const view = states.get(stateName);
      if (view) {
        view.lastOutcome = 'failed';
        if (typeof details.error === 'string') view.error = details.error;
        if (typeof details.cause === 'string') view.cause = details.cause;
      }
    } else if (stateName !== undefined && /Succeeded$/.test(event.type) && !event.type.startsWith('MapIteration')) {
      const view = states.get(stateName);
      if (view) view.lastOutcome = 'ok';
    }

    if (event.type === 'MapStateStarted' && stateName !== undefined) iterations.set(stateName, new Map());
    if (event.type.startsWith('MapIteration')) {
      const name = String(details.name);
      const index = Number(details.index);
      let group = iterations.get(name);
      if (!group) iterations.set(name, (group = new Map()));
      if (event.type === 'MapIterationStarted') group.set(index, { index, status: 'running', startedEventId: event.id });
      else {
        const it = group.get(index);
        if (it) it.status = event.type === 'MapIterationSucceeded' ? 'succeeded' : event.type === 'MapIterationFailed' ? 'failed' : 'aborted';
      }
    }
  }
  // A state still "running" when the execution is over never finished: it failed (or was stopped).
  if (executionStatus !== 'RUNNING') {
    for (const view of states.values()) if (view.status === 'running') view.status = 'failed';
    for (const group of iterations.values()) for (const it of group.values()) if (it.status === 'running') it.status = 'aborted';
  }
  for (const view of states.values()) delete view.lastOutcome;
  return { states, iterations, stateOf, iterationOf };
}

/** An iteration's input (its first state's) and output (its last state's, once it ended). */
export function iterationIO(events: HistoryEvent[], analysis: Analysis, key: string): { input?: string; output?: string } {
  const mine = events.filter((e) => analysis.iterationOf.get(e.id) === key);
  const first = mine.find((e) => e.type.endsWith('StateEntered'));
  const exits = mine.filter((e) => e.type.endsWith('StateExited'));
  const last = exits[exits.length - 1];
  const io: { input?: string; output?: string } = {};
  if (first) io.input = String(detailsOf(first).input ?? '');
  if (last) io.output = String(detailsOf(last).output ?? '');
  return io;
}

export function eventDetails(event: HistoryEvent): Record<string, unknown> {
  return detailsOf(event);
}
