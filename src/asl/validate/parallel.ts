/* Parallel: each branch is a complete machine body with its own StartAt and States. */
import { at, type StateCtx } from './context.js';

export function checkParallel(sc: StateCtx): void {
  const path = at(sc.path, 'Branches');
  const branches = sc.state.Branches;
  if (branches === undefined) {
    sc.ctx.report(path, 'missing: a Parallel state needs a non-empty Branches array');
  } else if (!Array.isArray(branches) || branches.length === 0) {
    sc.ctx.report(path, 'must be a non-empty array of branches, each with StartAt and States');
  } else {
    branches.forEach((branch, i) => sc.nested(at(path, i), branch));
  }
}
