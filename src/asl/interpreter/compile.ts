/*
 * Indexes a validated definition: every (sub-)machine — the top level, each Parallel
 * branch, each Map processor — gets a number in a fixed depth-first order, so a frame can
 * name its machine with a number that stays the same when the runtime reloads the
 * definition after a restart.
 */
import type { MapState, ParallelState, QueryLanguage, State, StateMachineDefinition, SubMachine } from '../types.js';

export interface CompiledMachine {
  id: number;
  startAt: string;
  states: Record<string, State>;
  /** Query language each state runs in (its own, else the enclosing one). */
  language: Record<string, QueryLanguage>;
  /** Child machine ids of Parallel (one per branch) and Map (one) states. */
  children: Record<string, number[]>;
}

export interface CompiledDefinition {
  definition: StateMachineDefinition;
  machines: CompiledMachine[];
}

const cache = new WeakMap<object, CompiledDefinition>();

export function compileDefinition(definition: StateMachineDefinition): CompiledDefinition {
  const cached = cache.get(definition);
  if (cached) return cached;
  const machines: CompiledMachine[] = [];
  // A state's own QueryLanguage covers that state only: the states of its branches or item
  // processor take their sub-machine's QueryLanguage, else the top level's (as the validator does).
  const topLevel = definition.QueryLanguage ?? 'JSONPath';
  const add = (sub: SubMachine, inherited: QueryLanguage): number => {
    const id = machines.length;
    const machine: CompiledMachine = { id, startAt: sub.StartAt, states: sub.States, language: {}, children: {} };
    machines.push(machine);
    const own = sub.QueryLanguage ?? inherited;
    for (const [name, state] of Object.entries(sub.States)) {
      const lang = state.QueryLanguage ?? own;
      machine.language[name] = lang;
      if (state.Type === 'Parallel') {
        machine.children[name] = (state as ParallelState).Branches.map((b) => add(b, topLevel));
      } else if (state.Type === 'Map') {
        const map = state as MapState;
        const processor = map.ItemProcessor ?? map.Iterator;
        if (processor) machine.children[name] = [add(processor, topLevel)];
      }
    }
    return id;
  };
  add(definition, topLevel);
  const compiled = { definition, machines };
  cache.set(definition, compiled);
  return compiled;
}
