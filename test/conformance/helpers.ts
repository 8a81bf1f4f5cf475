/* Small builders shared by the case files. */

/** A Lambda-style Resource ARN for a task handler named `name`. */
export function fn(name: string): string {
  return `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
}

/** A machine made of one state (which ends the execution) named `name`. */
export function single(state: Record<string, unknown>, name = 'S', top: Record<string, unknown> = {}): object {
  const s: Record<string, unknown> = { ...state };
  const type = s.Type;
  if (type !== 'Choice' && type !== 'Succeed' && type !== 'Fail' && s.Next === undefined) s.End = true;
  return { ...top, StartAt: name, States: { [name]: s } };
}

/** A machine running `states` in the order given, each linked to the next. */
export function chain(states: [string, Record<string, unknown>][], top: Record<string, unknown> = {}): object {
  const out: Record<string, unknown> = {};
  states.forEach(([name, state], i) => {
    const s: Record<string, unknown> = { ...state };
    const terminal = s.Type === 'Choice' || s.Type === 'Succeed' || s.Type === 'Fail';
    if (!terminal && s.Next === undefined && s.End === undefined) {
      const next = states[i + 1];
      if (next) s.Next = next[0];
      else s.End = true;
    }
    out[name] = s;
  });
  const first = states[0];
  if (!first) throw new Error('chain needs at least one state');
  return { ...top, StartAt: first[0], States: out };
}

/** A task handler that returns its input unchanged. */
export const echo = (input: unknown): unknown => input;
