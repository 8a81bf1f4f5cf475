/* Wait: exactly one way of saying how long. */
import { at, has, type StateCtx } from './context.js';
import { checkOptional } from './field-checks.js';
import { checkPathField } from './paths.js';
import { isTimestamp, isWaitSeconds, WAIT_SECONDS } from './values.js';

export function checkWait(sc: StateCtx): void {
  const { ctx, state, path, lang } = sc;
  const options = lang === 'JSONPath' ? ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'] : ['Seconds', 'Timestamp'];
  const present = options.filter((f) => has(state, f));
  if (present.length === 0) {
    ctx.report(at(path, 'Seconds'), `missing: a Wait state needs exactly one of ${options.join(', ')}`);
  }
  for (const extra of present.slice(1)) ctx.report(at(path, extra), `cannot be combined with "${present[0]}" (a Wait state takes exactly one)`);

  checkOptional(ctx, path, state, 'Seconds', lang, isWaitSeconds, WAIT_SECONDS);
  checkOptional(ctx, path, state, 'Timestamp', lang, isTimestamp, 'an RFC 3339 timestamp such as "2024-01-31T12:00:00Z"');
  if (lang === 'JSONPath') {
    for (const field of ['SecondsPath', 'TimestampPath']) {
      if (has(state, field)) checkPathField(ctx, at(path, field), state[field], { reference: true, external: true });
    }
  }
}
