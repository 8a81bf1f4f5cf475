/* Choice: the first rule that matches names the next state; else Default; else an error. */
import { evaluateChoiceRule } from '../../choice/index.js';
import { StatesNoChoiceMatched, StatesQueryEvaluationError } from '../../errors.js';
import type { ChoiceRule, ChoiceState, Json, JsonObject } from '../../types.js';
import { effectiveInput, finishWithInput, jsonataEnv } from '../dataflow.js';
import { evaluateExpression } from '../jsonata-dataflow.js';
import type { StateHandler } from '../run.js';

export const enterChoice: StateHandler = async (run, frame, s) => {
  const state = s as ChoiceState;
  const jsonata = run.language(frame) === 'JSONata';
  let matched: ChoiceRule | undefined;
  if (jsonata) {
    const env = jsonataEnv(run, frame);
    for (const [i, rule] of state.Choices.entries()) {
      const cond = typeof rule.Condition === 'string' ? await evaluateExpression(rule.Condition, env, `Choices[${i}].Condition`) : rule.Condition;
      if (typeof cond !== 'boolean') throw new StatesQueryEvaluationError(`The Condition of Choices[${i}] must evaluate to a boolean, got ${JSON.stringify(cond ?? null)}`);
      if (cond) {
        matched = rule;
        break;
      }
    }
  } else {
    const input = effectiveInput(run, frame, state);
    const context = run.contextObject(frame);
    const variables = run.variables(frame);
    matched = state.Choices.find((rule) => evaluateChoiceRule(rule, input, context, variables));
  }
  const next = matched?.Next ?? state.Default;
  if (next === undefined) {
    throw new StatesNoChoiceMatched(`No Choice Rule matched and no Default is specified in state '${frame.stateName}'`);
  }
  const extra: { Output?: Json; Assign?: JsonObject } = {};
  if (matched?.Output !== undefined) extra.Output = matched.Output;
  if (matched?.Assign !== undefined) extra.Assign = matched.Assign;
  await finishWithInput(run, frame, state, extra, next);
};
