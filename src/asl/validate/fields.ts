/*
 * Which fields each state type accepts, per query language. JSONata states trade the five
 * JSONPath processing fields (InputPath, Parameters, ResultSelector, ResultPath, OutputPath)
 * for Arguments and Output, and the *Path variants for `{% %}` expressions in the plain field.
 */
import type { QueryLanguage, StateType } from '../types.js';
import { at, type StateCtx } from './context.js';

export const STATE_TYPES: readonly StateType[] = ['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'];

interface FieldSet {
  both: string[];
  JSONPath: string[];
  JSONata: string[];
}

const COMMON = ['Type', 'Comment', 'QueryLanguage'];
const FLOW = ['Next', 'End'];
const IO = ['InputPath', 'OutputPath'];

export const FIELDS: Record<StateType, FieldSet> = {
  Task: {
    both: [...FLOW, 'Resource', 'Retry', 'Catch', 'TimeoutSeconds', 'HeartbeatSeconds', 'Credentials', 'Assign'],
    JSONPath: [...IO, 'Parameters', 'ResultPath', 'ResultSelector', 'TimeoutSecondsPath', 'HeartbeatSecondsPath'],
    JSONata: ['Arguments', 'Output'],
  },
  Pass: { both: [...FLOW, 'Assign'], JSONPath: [...IO, 'Parameters', 'Result', 'ResultPath'], JSONata: ['Output'] },
  Choice: { both: ['Choices', 'Default', 'Assign'], JSONPath: IO, JSONata: ['Output'] },
  Wait: { both: [...FLOW, 'Seconds', 'Timestamp', 'Assign'], JSONPath: [...IO, 'SecondsPath', 'TimestampPath'], JSONata: ['Output'] },
  Succeed: { both: [], JSONPath: IO, JSONata: ['Output'] },
  Fail: { both: ['Error', 'Cause'], JSONPath: ['ErrorPath', 'CausePath'], JSONata: [] },
  Parallel: {
    both: [...FLOW, 'Branches', 'Retry', 'Catch', 'Assign'],
    JSONPath: [...IO, 'Parameters', 'ResultPath', 'ResultSelector'],
    JSONata: ['Arguments', 'Output'],
  },
  Map: {
    both: [
      ...FLOW,
      ...['ItemProcessor', 'Iterator', 'ItemSelector', 'ItemReader', 'ItemBatcher', 'ResultWriter', 'Label'],
      ...['MaxConcurrency', 'ToleratedFailurePercentage', 'ToleratedFailureCount', 'Retry', 'Catch', 'Assign'],
    ],
    JSONPath: [
      ...IO,
      ...['ItemsPath', 'Parameters', 'ResultPath', 'ResultSelector'],
      ...['MaxConcurrencyPath', 'ToleratedFailurePercentagePath', 'ToleratedFailureCountPath'],
    ],
    JSONata: ['Items', 'Output'],
  },
};

/** What to write instead, when a field of the other language shows up. */
const REPLACEMENTS: Record<string, string> = {
  InputPath: 'Arguments',
  Parameters: 'Arguments',
  ResultSelector: 'Output',
  ResultPath: 'Output or Assign',
  OutputPath: 'Output',
  ItemsPath: 'Items',
  Result: 'Output',
  Arguments: 'Parameters',
  Output: 'OutputPath or ResultSelector',
  Items: 'ItemsPath',
};

export function allowedFields(type: StateType, lang: QueryLanguage): Set<string> {
  const set = FIELDS[type];
  return new Set([...COMMON, ...set.both, ...set[lang]]);
}

export function checkFields(sc: StateCtx, type: StateType): void {
  const allowed = allowedFields(type, sc.lang);
  const other = sc.lang === 'JSONPath' ? 'JSONata' : 'JSONPath';
  const otherFields = new Set(FIELDS[type][other]);
  for (const key of Object.keys(sc.state)) {
    if (allowed.has(key)) continue;
    const path = at(sc.path, key);
    if (FLOW.includes(key)) {
      sc.ctx.report(path, flowMessage(type, key));
    } else if (otherFields.has(key)) {
      sc.ctx.report(path, `"${key}" is a ${other} field, not allowed in a ${sc.lang} state${replacement(type, key)}`);
    } else {
      sc.ctx.report(path, `unknown field "${key}" in a ${type} state${suggestion(key, allowed)}`);
    }
  }
}

function flowMessage(type: StateType, key: string): string {
  if (type === 'Choice') return `a Choice state cannot have "${key}" (it transitions through Choices and Default)`;
  return `a ${type} state ends the execution (or branch) and cannot have "${key}"`;
}

function replacement(type: StateType, key: string): string {
  if (key.endsWith('Path') && !REPLACEMENTS[key]) return ` (use ${key.slice(0, -4)} with a "{% %}" expression)`;
  if (type === 'Map' && key === 'Parameters') return ' (use ItemSelector)';
  const instead = REPLACEMENTS[key];
  return instead ? ` (use ${instead})` : '';
}

function suggestion(key: string, allowed: Set<string>): string {
  const lower = key.toLowerCase();
  for (const field of allowed) if (field.toLowerCase() === lower) return ` (did you mean "${field}"?)`;
  return '';
}
