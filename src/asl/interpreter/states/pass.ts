/* Pass: hands its input (or Result, or Parameters) on. */
import type { PassState } from '../../types.js';
import { effectiveInput, finishWithInput, finishWithResult, taskArguments } from '../dataflow.js';
import type { StateHandler } from '../run.js';

export const enterPass: StateHandler = async (run, frame, s) => {
  const state = s as PassState;
  if (run.language(frame) === 'JSONata') {
    await finishWithInput(run, frame, state);
    return;
  }
  const input = effectiveInput(run, frame, state);
  const result = state.Result !== undefined ? state.Result : await taskArguments(run, frame, state, input);
  await finishWithResult(run, frame, state, result);
};
