/* Wait: a timer command; the frame resumes when the runtime reports the timer fired. */
import { parseTimestamp } from '../../choice/index.js';
import { StatesRuntime } from '../../errors.js';
import { MAX_TIMER_SECONDS } from '../../limits.js';
import type { WaitState } from '../../types.js';
import { dynamicField, effectiveInput } from '../dataflow.js';
import type { StateHandler } from '../run.js';

export const enterWait: StateHandler = async (run, frame, s) => {
  const state = s as WaitState;
  const input = effectiveInput(run, frame, state);
  let fireAt: number;
  const seconds = await dynamicField(run, frame, input, state.Seconds, state.SecondsPath, 'Seconds');
  if (seconds !== undefined) {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new StatesRuntime(`Wait state '${frame.stateName}': Seconds must be a non-negative number, got ${JSON.stringify(seconds)}`);
    }
    if (seconds > MAX_TIMER_SECONDS) throw new StatesRuntime(`Wait state '${frame.stateName}': Seconds must be at most ${MAX_TIMER_SECONDS}, got ${JSON.stringify(seconds)}`);
    fireAt = run.now + Math.round(seconds * 1000);
  } else {
    const timestamp = await dynamicField(run, frame, input, state.Timestamp, state.TimestampPath, 'Timestamp');
    const at = typeof timestamp === 'string' ? parseTimestamp(timestamp) : undefined;
    if (at === undefined) throw new StatesRuntime(`Wait state '${frame.stateName}': Timestamp must be an RFC3339 timestamp, got ${JSON.stringify(timestamp)}`);
    fireAt = at;
  }
  const timerId = run.newId('w');
  frame.wait = { kind: 'timer', timerId, purpose: 'wait' };
  run.startTimer(frame, timerId, fireAt);
};
