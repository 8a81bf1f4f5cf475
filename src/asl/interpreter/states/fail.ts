/* Fail: ends its frame with an error; neither Retry nor Catch applies to it. */
import { StatesError } from '../../errors.js';
import type { FailState } from '../../types.js';
import { dynamicField } from '../dataflow.js';
import type { StateHandler } from '../run.js';

export const enterFail: StateHandler = async (run, frame, s) => {
  const state = s as FailState;
  const error = await dynamicField(run, frame, frame.input, state.Error, state.ErrorPath, 'Error');
  const cause = await dynamicField(run, frame, frame.input, state.Cause, state.CausePath, 'Cause');
  run.failFrame(frame, new StatesError(asText(error), asText(cause)));
};

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
