/*
 * Each invalid definition must be reported at the exact state and field, as
 * `skybatch validate` promises (`States.Split.Next: state "Spilt" does not exist`).
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, validateDefinition } from '../../../src/asl/validate/index.js';

type States = Record<string, unknown>;

/** A machine starting at its first state. */
function machine(states: States, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { StartAt: Object.keys(states)[0], States: states, ...extra };
}

const end = { Type: 'Succeed' };
const pass = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({ Type: 'Pass', End: true, ...fields });
const task = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({ Type: 'Task', Resource: 'arn:aws:lambda:::function:f', End: true, ...fields });
const map = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  Type: 'Map',
  ItemProcessor: { StartAt: 'Work', States: { Work: pass() } },
  End: true,
  ...fields,
});
const choice = (choices: unknown[], fields: Record<string, unknown> = {}): States => ({
  C: { Type: 'Choice', Choices: choices, Default: 'D', ...fields },
  D: end,
});
const jsonata = (states: States): Record<string, unknown> => machine(states, { QueryLanguage: 'JSONata' });

// [what, definition, path, message substring]
const CASES: [string, unknown, string, string][] = [
  // top level
  ['StartAt missing', { States: { A: end } }, 'StartAt', 'missing'],
  ['StartAt not a string', { StartAt: 3, States: { A: end } }, 'StartAt', 'must be a string'],
  ['StartAt names no state', { StartAt: 'B', States: { A: end } }, 'StartAt', 'state "B" does not exist'],
  ['States missing', { StartAt: 'A' }, 'States', 'missing'],
  ['States empty', { StartAt: 'A', States: {} }, 'States', 'at least one state'],
  ['States an array', { StartAt: 'A', States: [end] }, 'States', 'must be an object'],
  ['TimeoutSeconds zero', machine({ A: end }, { TimeoutSeconds: 0 }), 'TimeoutSeconds', 'positive integer'],
  ['TimeoutSeconds fractional', machine({ A: end }, { TimeoutSeconds: 1.5 }), 'TimeoutSeconds', 'positive integer'],
  ['QueryLanguage unknown', machine({ A: end }, { QueryLanguage: 'XPath' }), 'QueryLanguage', 'must be "JSONPath" or "JSONata"'],
  ['Version not a string', machine({ A: end }, { Version: 1 }), 'Version', 'must be a string'],
  ['unknown top-level field', machine({ A: end }, { Timeout: 5 }), 'Timeout', 'unknown field "Timeout"'],

  // states in general
  ['Type missing', machine({ A: { End: true } }), 'States.A.Type', 'missing; must be one of'],
  ['Type unknown', machine({ A: { Type: 'Lambda', End: true } }), 'States.A.Type', 'must be one of Task, Pass'],
  ['state not an object', machine({ A: 'Pass' }), 'States.A', 'must be an object'],
  ['unknown field', machine({ A: pass({ Foo: 1 }) }), 'States.A.Foo', 'unknown field "Foo" in a Pass state'],
  ['miscased field', machine({ A: { Type: 'Pass', next: 'B' }, B: end }), 'States.A.next', 'did you mean "Next"?'],
  ['Task field on a Pass', machine({ A: pass({ Resource: 'arn:x' }) }), 'States.A.Resource', 'unknown field "Resource"'],
  ['misspelt Next', machine({ Split: { Type: 'Pass', Next: 'Spilt' }, Split2: end }), 'States.Split.Next', 'state "Spilt" does not exist'],
  ['Next not a string', machine({ A: { Type: 'Pass', Next: 3 } }), 'States.A.Next', 'must be a string naming a state'],
  ['neither Next nor End', machine({ A: { Type: 'Pass' }, B: end }), 'States.A.Next', 'needs "Next" or "End": true'],
  ['both Next and End', machine({ A: { Type: 'Pass', Next: 'B', End: true }, B: end }), 'States.A.End', 'cannot be combined with "Next"'],
  ['End false', machine({ A: { Type: 'Pass', End: false } }), 'States.A.End', 'must be true'],
  ['Next on a Succeed', machine({ A: { Type: 'Succeed', Next: 'A' } }), 'States.A.Next', 'cannot have "Next"'],
  ['End on a Fail', machine({ A: { Type: 'Fail', End: true } }), 'States.A.End', 'cannot have "End"'],
  ['Next on a Choice', machine(choice([{ Variable: '$.a', IsNull: true, Next: 'D' }], { Next: 'D' })), 'States.C.Next', 'Choice state cannot have "Next"'],
  ['unreachable state', machine({ A: pass(), Orphan: end }), 'States.Orphan', 'unreachable'],
  ['state name over 80 characters', machine({ ['n'.repeat(81)]: end }), `States.${'n'.repeat(81)}`, 'longer than 80'],
  ['no terminal state', machine({ A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } }), 'States', 'no terminal state'],
  ['Comment not a string', machine({ A: pass({ Comment: 5 }) }), 'States.A.Comment', 'must be a string'],

  // Task
  ['Task without Resource', machine({ T: { Type: 'Task', End: true } }), 'States.T.Resource', 'missing'],
  ['Task Resource not a string', machine({ T: task({ Resource: 5 }) }), 'States.T.Resource', 'non-empty string'],
  ['TimeoutSeconds negative', machine({ T: task({ TimeoutSeconds: -1 }) }), 'States.T.TimeoutSeconds', 'positive integer'],
  ['HeartbeatSeconds not below TimeoutSeconds', machine({ T: task({ TimeoutSeconds: 10, HeartbeatSeconds: 10 }) }), 'States.T.HeartbeatSeconds', 'smaller than TimeoutSeconds'],
  ['TimeoutSeconds with its Path form', machine({ T: task({ TimeoutSeconds: 10, TimeoutSecondsPath: '$.t' }) }), 'States.T.TimeoutSecondsPath', 'cannot be combined with "TimeoutSeconds"'],
  ['HeartbeatSecondsPath not a reference path', machine({ T: task({ HeartbeatSecondsPath: '$.a[*]' }) }), 'States.T.HeartbeatSecondsPath', 'not a reference path'],

  // paths and templates
  ['InputPath invalid', machine({ A: pass({ InputPath: 'input' }) }), 'States.A.InputPath', 'not a valid JSONPath'],
  ['OutputPath a number', machine({ A: pass({ OutputPath: 3 }) }), 'States.A.OutputPath', 'must be a path string or null'],
  ['ResultPath with a wildcard', machine({ A: pass({ ResultPath: '$.a[*]' }) }), 'States.A.ResultPath', 'not a reference path'],
  ['ResultPath into the context', machine({ A: pass({ ResultPath: '$$.Execution' }) }), 'States.A.ResultPath', 'context path'],
  ['Parameters .$ value not a path', machine({ A: pass({ Parameters: { 'a.$': 'input.a' } }) }), 'States.A.Parameters.a.$', 'neither a path'],
  ['Parameters .$ value not a string', machine({ A: pass({ Parameters: { 'a.$': 5 } }) }), 'States.A.Parameters.a.$', 'must be a string'],
  ['nested Parameters bad path', machine({ A: pass({ Parameters: { outer: { list: [{ 'x.$': '$.[' }] } } }) }), 'States.A.Parameters.outer.list[0].x.$', 'not a valid JSONPath'],
  ['Parameters bad intrinsic', machine({ A: pass({ Parameters: { 'a.$': 'States.Nope(1)' } }) }), 'States.A.Parameters.a.$', 'Unknown intrinsic function'],
  ['Parameters key given twice', machine({ A: pass({ Parameters: { a: 1, 'a.$': '$.a' } }) }), 'States.A.Parameters.a.$', 'duplicates the field "a"'],
  ['ResultSelector not an object', machine({ T: task({ ResultSelector: '$.Payload' }) }), 'States.T.ResultSelector', 'must be an object'],
  ['ResultSelector bad path', machine({ T: task({ ResultSelector: { 'p.$': '$$$' } }) }), 'States.T.ResultSelector.p.$', 'not a valid JSONPath'],

  // Retry and Catch
  ['Retry not an array', machine({ T: task({ Retry: {} }) }), 'States.T.Retry', 'must be an array'],
  ['ErrorEquals missing', machine({ T: task({ Retry: [{ MaxAttempts: 1 }] }) }), 'States.T.Retry[0].ErrorEquals', 'missing'],
  ['ErrorEquals empty', machine({ T: task({ Retry: [{ ErrorEquals: [] }] }) }), 'States.T.Retry[0].ErrorEquals', 'non-empty array'],
  ['ErrorEquals holds a number', machine({ T: task({ Retry: [{ ErrorEquals: [5] }] }) }), 'States.T.Retry[0].ErrorEquals[0]', 'non-empty string'],
  ['States.ALL not alone', machine({ T: task({ Retry: [{ ErrorEquals: ['States.ALL', 'X'] }] }) }), 'States.T.Retry[0].ErrorEquals', 'alone'],
  ['States.ALL not last', machine({ T: task({ Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }] }) }), 'States.T.Retry[0].ErrorEquals', 'last retrier'],
  ['IntervalSeconds zero', machine({ T: task({ Retry: [{ ErrorEquals: ['X'], IntervalSeconds: 0 }] }) }), 'States.T.Retry[0].IntervalSeconds', 'positive integer'],
  ['MaxAttempts negative', machine({ T: task({ Retry: [{ ErrorEquals: ['X'], MaxAttempts: -1 }] }) }), 'States.T.Retry[0].MaxAttempts', 'non-negative integer'],
  ['BackoffRate below 1', machine({ T: task({ Retry: [{ ErrorEquals: ['X'], BackoffRate: 0.5 }] }) }), 'States.T.Retry[0].BackoffRate', '>= 1.0'],
  ['MaxDelaySeconds zero', machine({ T: task({ Retry: [{ ErrorEquals: ['X'], MaxDelaySeconds: 0 }] }) }), 'States.T.Retry[0].MaxDelaySeconds', 'positive integer'],
  ['JitterStrategy unknown', machine({ T: task({ Retry: [{ ErrorEquals: ['X'], JitterStrategy: 'HALF' }] }) }), 'States.T.Retry[0].JitterStrategy', '"FULL" or "NONE"'],
  ['unknown retrier field', machine({ T: task({ Retry: [{ ErrorEquals: ['X'], Delay: 1 }] }) }), 'States.T.Retry[0].Delay', 'unknown field'],
  [
    'Catch Next names no state',
    machine({ T: task({ Catch: [{ ErrorEquals: ['A'], Next: 'D' }, { ErrorEquals: ['States.ALL'], Next: 'Nowhere' }] }), D: end }),
    'States.T.Catch[1].Next',
    'state "Nowhere" does not exist',
  ],
  ['Catch without Next', machine({ T: task({ Catch: [{ ErrorEquals: ['States.ALL'] }] }) }), 'States.T.Catch[0].Next', 'missing'],
  ['Catch ResultPath invalid', machine({ T: task({ Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$..x', Next: 'T' }] }) }), 'States.T.Catch[0].ResultPath', 'not a reference path'],

  // Choice
  ['Choices empty', machine(choice([])), 'States.C.Choices', 'non-empty array'],
  ['Choices missing', machine({ C: { Type: 'Choice', Default: 'D' }, D: end }), 'States.C.Choices', 'missing'],
  ['top-level rule without Next', machine(choice([{ Variable: '$.a', IsNull: true }])), 'States.C.Choices[0].Next', 'missing'],
  ['rule Next names no state', machine(choice([{ Variable: '$.a', IsNull: true, Next: 'D' }, { Variable: '$.a', IsNull: false, Next: 'E' }])), 'States.C.Choices[1].Next', 'state "E" does not exist'],
  ['Default names no state', machine(choice([{ Variable: '$.a', IsNull: true, Next: 'D' }], { Default: 'Nope' })), 'States.C.Default', 'state "Nope" does not exist'],
  ['operand of the wrong type', machine(choice([{ Variable: '$.a', NumericEquals: '1', Next: 'D' }])), 'States.C.Choices[0].NumericEquals', 'needs a number'],
  ['StringEquals with a number', machine(choice([{ Variable: '$.a', StringEquals: 1, Next: 'D' }])), 'States.C.Choices[0].StringEquals', 'needs a string'],
  ['BooleanEquals with a string', machine(choice([{ Variable: '$.a', BooleanEquals: 'true', Next: 'D' }])), 'States.C.Choices[0].BooleanEquals', 'needs a boolean'],
  ['timestamp not RFC 3339', machine(choice([{ Variable: '$.t', TimestampEquals: '2024-01-01 10:00', Next: 'D' }])), 'States.C.Choices[0].TimestampEquals', 'RFC 3339'],
  ['timestamp out of range', machine(choice([{ Variable: '$.t', TimestampGreaterThan: '2023-02-29T00:00:00Z', Next: 'D' }])), 'States.C.Choices[0].TimestampGreaterThan', 'RFC 3339'],
  ['*Path operand not a reference path', machine(choice([{ Variable: '$.a', StringEqualsPath: '$.b[*]', Next: 'D' }])), 'States.C.Choices[0].StringEqualsPath', 'not a reference path'],
  ['Is* operand not a boolean', machine(choice([{ Variable: '$.a', IsPresent: 'yes', Next: 'D' }])), 'States.C.Choices[0].IsPresent', 'needs a boolean'],
  ['two operators', machine(choice([{ Variable: '$.a', IsNull: true, IsString: true, Next: 'D' }])), 'States.C.Choices[0].IsString', 'exactly one comparison operator'],
  ['Variable without operator', machine(choice([{ Variable: '$.a', Next: 'D' }])), 'States.C.Choices[0].Variable', 'compared with nothing'],
  ['operator without Variable', machine(choice([{ StringEquals: 'a', Next: 'D' }])), 'States.C.Choices[0].Variable', 'missing'],
  ['Variable not a reference path', machine(choice([{ Variable: '$..a', IsNull: true, Next: 'D' }])), 'States.C.Choices[0].Variable', 'not a reference path'],
  ['unknown operator', machine(choice([{ Variable: '$.a', StringContains: 'x', Next: 'D' }])), 'States.C.Choices[0].StringContains', 'unknown comparison operator'],
  ['And empty', machine(choice([{ And: [], Next: 'D' }])), 'States.C.Choices[0].And', 'non-empty array'],
  ['Not an array', machine(choice([{ Not: [{ Variable: '$.a', IsNull: true }], Next: 'D' }])), 'States.C.Choices[0].Not', 'must be a choice rule object'],
  ['Next in a nested rule', machine(choice([{ Or: [{ Variable: '$.a', IsNull: true, Next: 'D' }], Next: 'D' }])), 'States.C.Choices[0].Or[0].Next', 'nested choice rule'],
  [
    'bad operand deep inside And',
    machine(choice([{ And: [{ Variable: '$.a', IsNull: true }, { Variable: '$.b', StringEquals: false }], Next: 'D' }])),
    'States.C.Choices[0].And[1].StringEquals',
    'needs a string',
  ],
  ['And with Variable', machine(choice([{ And: [{ Variable: '$.a', IsNull: true }], Variable: '$.b', Next: 'D' }])), 'States.C.Choices[0].Variable', 'cannot be combined with "And"'],
  ['Condition in a JSONPath rule', machine(choice([{ Condition: '{% true %}', Next: 'D' }])), 'States.C.Choices[0].Condition', 'only allowed in JSONata'],

  // Wait
  // AWS's bounds on timers: 99,999,999 s (about 3 years 2 months)
  ['Wait Seconds over 99,999,999', machine({ W: { Type: 'Wait', Seconds: 100_000_000, End: true } }), 'States.W.Seconds', 'at most 99999999'],
  ['Wait Seconds far over the limit', machine({ W: { Type: 'Wait', Seconds: 1e300, End: true } }), 'States.W.Seconds', 'at most 99999999'],
  ['Task TimeoutSeconds over 99,999,999', machine({ T: task({ TimeoutSeconds: 100_000_000 }) }), 'States.T.TimeoutSeconds', 'at most 99999999'],
  ['Task HeartbeatSeconds over 99,999,999', machine({ T: task({ HeartbeatSeconds: 100_000_000 }) }), 'States.T.HeartbeatSeconds', 'at most 99999999'],
  ['machine TimeoutSeconds over 99,999,999', machine({ A: end }, { TimeoutSeconds: 100_000_000 }), 'TimeoutSeconds', 'at most 99999999'],
  ['Retry IntervalSeconds over 99,999,999', machine({ T: task({ Retry: [{ ErrorEquals: ['X'], IntervalSeconds: 100_000_000 }] }) }), 'States.T.Retry[0].IntervalSeconds', 'at most 99999999'],
  ['Retry MaxDelaySeconds over 99,999,999', machine({ T: task({ Retry: [{ ErrorEquals: ['X'], MaxDelaySeconds: 100_000_000 }] }) }), 'States.T.Retry[0].MaxDelaySeconds', 'at most 99999999'],
  ['Retry MaxAttempts over 99,999,999', machine({ T: task({ Retry: [{ ErrorEquals: ['X'], MaxAttempts: 100_000_000 }] }) }), 'States.T.Retry[0].MaxAttempts', 'at most 99999999'],
  ['Wait without duration', machine({ W: { Type: 'Wait', End: true } }), 'States.W.Seconds', 'exactly one of'],
  ['Wait with two durations', machine({ W: { Type: 'Wait', Seconds: 1, Timestamp: '2030-01-01T00:00:00Z', End: true } }), 'States.W.Timestamp', 'cannot be combined with "Seconds"'],
  ['Wait Seconds negative', machine({ W: { Type: 'Wait', Seconds: -1, End: true } }), 'States.W.Seconds', 'non-negative integer'],
  ['Wait Timestamp not RFC 3339', machine({ W: { Type: 'Wait', Timestamp: 'tomorrow', End: true } }), 'States.W.Timestamp', 'RFC 3339'],
  ['Wait lowercase t timestamp', machine({ W: { Type: 'Wait', Timestamp: '2030-01-01t00:00:00z', End: true } }), 'States.W.Timestamp', 'RFC 3339'],
  ['Wait SecondsPath invalid', machine({ W: { Type: 'Wait', SecondsPath: 'delay', End: true } }), 'States.W.SecondsPath', 'not a valid JSONPath'],

  // Fail
  ['Fail Error with ErrorPath', machine({ F: { Type: 'Fail', Error: 'E', ErrorPath: '$.e' } }), 'States.F.ErrorPath', 'cannot be combined with "Error"'],
  ['Fail Cause with CausePath', machine({ F: { Type: 'Fail', Cause: 'c', CausePath: '$.c' } }), 'States.F.CausePath', 'cannot be combined with "Cause"'],
  ['Fail Error not a string', machine({ F: { Type: 'Fail', Error: 42 } }), 'States.F.Error', 'must be a string'],
  ['Fail CausePath bad intrinsic', machine({ F: { Type: 'Fail', CausePath: 'States.Format(' } }), 'States.F.CausePath', 'Invalid intrinsic'],

  // Parallel
  ['Parallel without Branches', machine({ P: { Type: 'Parallel', End: true } }), 'States.P.Branches', 'missing'],
  ['Parallel Branches empty', machine({ P: { Type: 'Parallel', Branches: [], End: true } }), 'States.P.Branches', 'non-empty array'],
  ['branch not an object', machine({ P: { Type: 'Parallel', Branches: [5], End: true } }), 'States.P.Branches[0]', 'must be an object'],
  ['branch without StartAt', machine({ P: { Type: 'Parallel', Branches: [{ States: { X: end } }], End: true } }), 'States.P.Branches[0].StartAt', 'missing'],
  [
    'branch Next names no state',
    machine({ Par: { Type: 'Parallel', Branches: [{ StartAt: 'X', States: { X: { Type: 'Pass', Next: 'Y' } } }], End: true } }),
    'States.Par.Branches[0].States.X.Next',
    'state "Y" does not exist',
  ],
  [
    'branch jumps outside',
    machine({ Par: { Type: 'Parallel', Branches: [{ StartAt: 'X', States: { X: { Type: 'Pass', Next: 'After' } } }], Next: 'After' }, After: end }),
    'States.Par.Branches[0].States.X.Next',
    'cannot cross into or out of',
  ],
  ['unknown field in a branch', machine({ P: { Type: 'Parallel', Branches: [{ StartAt: 'X', States: { X: end }, TimeoutSeconds: 5 }], End: true } }), 'States.P.Branches[0].TimeoutSeconds', 'unknown field'],
  [
    'state name used twice',
    machine({ P: { Type: 'Parallel', Branches: [{ StartAt: 'P', States: { P: end } }], End: true } }),
    'States.P.Branches[0].States.P',
    'must be unique',
  ],

  // Map
  ['Map without ItemProcessor', machine({ M: { Type: 'Map', End: true } }), 'States.M.ItemProcessor', 'missing'],
  ['Map with ItemProcessor and Iterator', machine({ M: map({ Iterator: { StartAt: 'I', States: { I: end } } }) }), 'States.M.Iterator', 'cannot be combined with "ItemProcessor"'],
  [
    'Map processor Next names no state',
    machine({ M: map({ ItemProcessor: { StartAt: 'X', States: { X: { Type: 'Pass', Next: 'Z' } } } }) }),
    'States.M.ItemProcessor.States.X.Next',
    'state "Z" does not exist',
  ],
  ['legacy Iterator Next names no state', machine({ M: { Type: 'Map', Iterator: { StartAt: 'X', States: { X: { Type: 'Pass', Next: 'Z' } } }, End: true } }), 'States.M.Iterator.States.X.Next', 'state "Z" does not exist'],
  ['Mode unknown', machine({ M: map({ ItemProcessor: { ProcessorConfig: { Mode: 'PARALLEL' }, StartAt: 'X', States: { X: end } } }) }), 'States.M.ItemProcessor.ProcessorConfig.Mode', '"INLINE" or "DISTRIBUTED"'],
  ['DISTRIBUTED without ExecutionType', machine({ M: map({ ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'X', States: { X: end } } }) }), 'States.M.ItemProcessor.ProcessorConfig.ExecutionType', 'missing'],
  ['MaxConcurrency negative', machine({ M: map({ MaxConcurrency: -1 }) }), 'States.M.MaxConcurrency', 'non-negative integer'],
  ['MaxConcurrency with its Path form', machine({ M: map({ MaxConcurrency: 2, MaxConcurrencyPath: '$.n' }) }), 'States.M.MaxConcurrencyPath', 'cannot be combined with "MaxConcurrency"'],
  ['ItemSelector and Parameters', machine({ M: map({ ItemSelector: {}, Parameters: {} }) }), 'States.M.Parameters', 'cannot be combined with "ItemSelector"'],
  ['ItemSelector bad path', machine({ M: map({ ItemSelector: { 'v.$': '$$.Map.Item.Value[' } }) }), 'States.M.ItemSelector.v.$', 'not a valid JSONPath'],
  ['ItemsPath not a reference path', machine({ M: map({ ItemsPath: '$.items[?(@.a)]' }) }), 'States.M.ItemsPath', 'not a reference path'],
  ['ItemReader on an inline Map', machine({ M: map({ ItemReader: { Resource: 'arn:aws:states:::s3:getObject' } }) }), 'States.M.ItemReader', 'only allowed in a DISTRIBUTED Map'],
  ...distributedCases(),

  // JSONata
  ['state downgrades to JSONPath', jsonata({ A: pass({ QueryLanguage: 'JSONPath' }) }), 'States.A.QueryLanguage', 'cannot be "JSONPath"'],
  ['state QueryLanguage unknown', machine({ A: pass({ QueryLanguage: 'jsonata' }) }), 'States.A.QueryLanguage', 'must be "JSONPath" or "JSONata"'],
  ['InputPath in JSONata', jsonata({ A: pass({ InputPath: '$.a' }) }), 'States.A.InputPath', 'not allowed in a JSONata state'],
  ['Parameters in JSONata', jsonata({ T: task({ Parameters: {} }) }), 'States.T.Parameters', 'use Arguments'],
  ['ResultPath in JSONata', jsonata({ T: task({ ResultPath: '$.r' }) }), 'States.T.ResultPath', 'JSONPath field'],
  ['ResultSelector in JSONata', jsonata({ T: task({ ResultSelector: {} }) }), 'States.T.ResultSelector', 'JSONPath field'],
  ['OutputPath in JSONata', jsonata({ A: { Type: 'Succeed', OutputPath: '$' } }), 'States.A.OutputPath', 'JSONPath field'],
  ['ItemsPath in JSONata', jsonata({ M: map({ ItemsPath: '$.items' }) }), 'States.M.ItemsPath', 'use Items'],
  ['SecondsPath in JSONata', jsonata({ W: { Type: 'Wait', SecondsPath: '$.s', End: true } }), 'States.W.SecondsPath', 'use Seconds'],
  ['ErrorPath in JSONata', jsonata({ F: { Type: 'Fail', ErrorPath: '$.e' } }), 'States.F.ErrorPath', 'JSONPath field'],
  ['Arguments in JSONPath', machine({ T: task({ Arguments: {} }) }), 'States.T.Arguments', 'JSONata field'],
  ['Output in JSONPath', machine({ A: pass({ Output: {} }) }), 'States.A.Output', 'JSONata field'],
  ['Items in JSONPath', machine({ M: map({ Items: [1, 2] }) }), 'States.M.Items', 'use ItemsPath'],
  ['invalid JSONata in Output', jsonata({ A: pass({ Output: '{% $states.input.( %}' }) }), 'States.A.Output', 'invalid JSONata expression'],
  ['invalid JSONata deep in Arguments', jsonata({ T: task({ Arguments: { a: [{ b: '{% 1 + %}' }] } }) }), 'States.T.Arguments.a[0].b', 'invalid JSONata expression'],
  ['empty JSONata expression', jsonata({ A: pass({ Output: '{%  %}' }) }), 'States.A.Output', 'empty JSONata expression'],
  ['half-open JSONata expression', jsonata({ A: pass({ Output: '{% $x' }) }), 'States.A.Output', 'must fill the whole string'],
  ['.$ key in JSONata ItemSelector', jsonata({ M: map({ ItemSelector: { 'v.$': '$$.Map.Item.Value' } }) }), 'States.M.ItemSelector.v.$', 'JSONPath syntax'],
  ['JSONata Seconds wrong type', jsonata({ W: { Type: 'Wait', Seconds: '5', End: true } }), 'States.W.Seconds', 'or a JSONata expression'],
  ['JSONata Seconds invalid expression', jsonata({ W: { Type: 'Wait', Seconds: '{% $states.input. %}', End: true } }), 'States.W.Seconds', 'invalid JSONata expression'],
  ['JSONata Items a number', jsonata({ M: map({ Items: 3 }) }), 'States.M.Items', 'must be an array or a JSONata expression'],
  ['Variable in a JSONata rule', jsonata(choice([{ Variable: '$.a', IsNull: true, Next: 'D' }])), 'States.C.Choices[0].Variable', 'use "Condition" instead'],
  ['JSONata rule without Condition', jsonata(choice([{ Next: 'D' }])), 'States.C.Choices[0].Condition', 'missing'],
  ['JSONata Condition not an expression', jsonata(choice([{ Condition: '$a > 1', Next: 'D' }])), 'States.C.Choices[0].Condition', 'must be a JSONata expression'],
  ['JSONata Condition does not compile', jsonata(choice([{ Condition: '{% $a > %}', Next: 'D' }])), 'States.C.Choices[0].Condition', 'invalid JSONata expression'],
  ['ResultPath in a JSONata Catch', jsonata({ T: task({ Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.e', Next: 'T' }] }) }), 'States.T.Catch[0].ResultPath', 'not allowed in a catcher of a JSONata state'],
  ['Result in JSONata', jsonata({ A: pass({ Result: 1 }) }), 'States.A.Result', 'JSONPath field'],

  // Assign
  ['Assign not an object', machine({ A: pass({ Assign: [1] }) }), 'States.A.Assign', 'must be an object'],
  ['Assign name with $', machine({ A: pass({ Assign: { $x: 1 } }) }), 'States.A.Assign.$x', 'without the leading "$"'],
  ['Assign name with a dash', machine({ A: pass({ Assign: { 'my-var': 1 } }) }), 'States.A.Assign.my-var', 'not a valid variable name'],
  ['Assign reserved name', jsonata({ A: pass({ Assign: { states: 1 } }) }), 'States.A.Assign.states', 'reserved'],
  ['Assign .$ with a bad path', machine({ A: pass({ Assign: { 'x.$': '$.[' } }) }), 'States.A.Assign.x.$', 'not a valid JSONPath'],
  ['Assign bad JSONata', jsonata({ A: pass({ Assign: { x: '{% ) %}' } }) }), 'States.A.Assign.x', 'invalid JSONata expression'],
  ['Assign in a nested choice rule', machine(choice([{ Not: { Variable: '$.a', IsNull: true, Assign: { x: 1 } }, Next: 'D' }])), 'States.C.Choices[0].Not.Assign', 'nested choice rule'],
];

function distributedCases(): [string, unknown, string, string][] {
  const processor = { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'X', States: { X: end } };
  const dmap = (fields: Record<string, unknown>): Record<string, unknown> => machine({ M: map({ ItemProcessor: processor, ...fields }) });
  return [
    ['ToleratedFailurePercentage over 100', dmap({ ToleratedFailurePercentage: 101 }), 'States.M.ToleratedFailurePercentage', 'from 0 to 100'],
    ['ToleratedFailureCount negative', dmap({ ToleratedFailureCount: -2 }), 'States.M.ToleratedFailureCount', 'non-negative integer'],
    ['ToleratedFailureCount with its Path form', dmap({ ToleratedFailureCount: 1, ToleratedFailureCountPath: '$.n' }), 'States.M.ToleratedFailureCountPath', 'cannot be combined'],
    ['ItemBatcher without limits', dmap({ ItemBatcher: { BatchInput: {} } }), 'States.M.ItemBatcher.MaxItemsPerBatch', 'at least one of'],
    ['ItemBatcher MaxItemsPerBatch zero', dmap({ ItemBatcher: { MaxItemsPerBatch: 0 } }), 'States.M.ItemBatcher.MaxItemsPerBatch', 'positive integer'],
    ['ItemBatcher too many bytes', dmap({ ItemBatcher: { MaxInputBytesPerBatch: 300000 } }), 'States.M.ItemBatcher.MaxInputBytesPerBatch', 'up to 262144'],
    ['ItemBatcher unknown field', dmap({ ItemBatcher: { MaxItemsPerBatch: 2, Size: 3 } }), 'States.M.ItemBatcher.Size', 'unknown field'],
    ['ItemReader without Resource', dmap({ ItemReader: { ReaderConfig: {} } }), 'States.M.ItemReader.Resource', 'missing'],
    ['ItemReader MaxItems zero', dmap({ ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { MaxItems: 0 } } }), 'States.M.ItemReader.ReaderConfig.MaxItems', 'positive integer'],
    ['Label too long', dmap({ Label: 'l'.repeat(41) }), 'States.M.Label', 'at most 40'],
  ];
}

describe('invalid definitions', () => {
  it('has enough cases to mean something', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
  });

  for (const [what, def, path, message] of CASES) {
    it(`${what}: ${path}`, () => {
      const lines = validateDefinition(def).map(formatProblem);
      const match = lines.find((line) => line.startsWith(`${path}: `) && line.includes(message));
      expect(match, `expected "${path}: ...${message}..." among:\n${lines.join('\n')}`).toBeDefined();
    });
  }

  it('reports every problem, not just the first', () => {
    const lines = validateDefinition(
      machine({
        A: { Type: 'Pass', Next: 'Nope' },
        B: { Type: 'Wait', End: true },
        C: { Type: 'Task', End: true },
      }),
    ).map(formatProblem);
    expect(lines).toEqual(
      expect.arrayContaining([
        'States.A.Next: state "Nope" does not exist',
        expect.stringMatching(/^States\.B\.Seconds: missing/),
        expect.stringMatching(/^States\.C\.Resource: missing/),
        expect.stringMatching(/^States\.B: state is unreachable/),
        expect.stringMatching(/^States\.C: state is unreachable/),
      ]),
    );
  });
});
