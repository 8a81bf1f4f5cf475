/* Next, Default and Catcher targets: names of states in the same machine body. */
import { has, kindOf, type StateCtx } from './context.js';

export function checkTarget(sc: StateCtx, path: string, value: unknown): void {
  if (typeof value !== 'string') {
    sc.ctx.report(path, `must be a string naming a state, got ${kindOf(value)}`);
    return;
  }
  if (has(sc.scope.states, value)) return;
  const elsewhere = sc.ctx.stateNames.get(value);
  if (elsewhere && elsewhere.length > 0) {
    sc.ctx.report(
      path,
      `state "${value}" does not exist in this scope (it is defined at ${elsewhere.join(', ')}; ` +
        'transitions cannot cross into or out of a Parallel branch or Map processor)',
    );
  } else {
    sc.ctx.report(path, `state "${value}" does not exist`);
  }
}
