/* Task: the one state that does work, hence the Resource and the two timeouts. */
import { at, has, type StateCtx } from './context.js';
import { checkOptional, exclusive } from './field-checks.js';
import { checkPathField } from './paths.js';
import { isPositiveInteger, isTimerSeconds, TIMER_SECONDS } from './values.js';

export function checkTask(sc: StateCtx): void {
  const { ctx, state, path, lang } = sc;
  if (!has(state, 'Resource')) ctx.report(at(path, 'Resource'), 'missing: a Task state needs "Resource"');
  else if (typeof state.Resource !== 'string' || state.Resource === '') ctx.report(at(path, 'Resource'), 'must be a non-empty string (a resource URI)');

  for (const field of ['TimeoutSeconds', 'HeartbeatSeconds']) {
    checkOptional(ctx, path, state, field, lang, isTimerSeconds, TIMER_SECONDS);
    if (lang === 'JSONPath') {
      exclusive(ctx, path, state, field, `${field}Path`);
      if (has(state, `${field}Path`)) checkPathField(ctx, at(path, `${field}Path`), state[`${field}Path`], { reference: true, external: true });
    }
  }
  const { TimeoutSeconds: timeout, HeartbeatSeconds: heartbeat } = state;
  if (isPositiveInteger(timeout) && isPositiveInteger(heartbeat) && heartbeat >= timeout) {
    ctx.report(at(path, 'HeartbeatSeconds'), `must be smaller than TimeoutSeconds (${timeout})`);
  }
}
