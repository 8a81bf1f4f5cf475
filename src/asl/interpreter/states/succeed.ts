/* Succeed: ends its frame (the execution, a branch or an iteration) successfully. */
import { finishWithInput } from '../dataflow.js';
import type { StateHandler } from '../run.js';

export const enterSucceed: StateHandler = async (run, frame, state) => {
  await finishWithInput(run, frame, state);
};
