/*
 * Definitions that AWS accepts must come out of the validator without a single problem:
 * a false alarm blocks a user's deploy as surely as a missed error breaks their run.
 */
import { describe, expect, it } from 'vitest';
import { parseDefinition } from '../../../src/asl/parse.js';
import { formatProblem, validateDefinition } from '../../../src/asl/validate/index.js';

const task = (next: string | null, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Type: 'Task',
  Resource: 'arn:aws:lambda:us-east-1:123456789012:function:work',
  ...(next === null ? { End: true } : { Next: next }),
  ...extra,
});

const VALID: Record<string, unknown> = {
  'a single Pass': { StartAt: 'Hello', States: { Hello: { Type: 'Pass', Result: 'Hello World!', End: true } } },

  'top-level fields': {
    Comment: 'all top-level fields',
    Version: '1.0',
    TimeoutSeconds: 3600,
    QueryLanguage: 'JSONPath',
    StartAt: 'Done',
    States: { Done: { Type: 'Succeed', Comment: 'ok', InputPath: '$.a', OutputPath: null } },
  },

  'Task with JSONPath processing, timeouts, Retry and Catch': {
    StartAt: 'Work',
    States: {
      Work: task('Done', {
        InputPath: '$.input',
        Parameters: {
          static: 'x',
          'path.$': '$.a.b[0]',
          'ctx.$': '$$.Execution.Id',
          'fmt.$': "States.Format('{} {}', $.a, $.b)",
          nested: { 'deep.$': "$.items[?(@.price > 10)]", list: [{ 'x.$': '$.x' }] },
        },
        ResultSelector: { 'payload.$': '$.Payload' },
        ResultPath: '$.result',
        OutputPath: '$.result',
        TimeoutSeconds: 300,
        HeartbeatSeconds: 60,
        Credentials: { 'RoleArn.$': '$.role' },
        Retry: [
          { ErrorEquals: ['States.Timeout', 'Custom.Error'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 1.5, MaxDelaySeconds: 30, JitterStrategy: 'FULL' },
          { ErrorEquals: ['States.ALL'], MaxAttempts: 0, Comment: 'give up' },
        ],
        Catch: [
          { ErrorEquals: ['Custom.Error'], ResultPath: '$.error', Next: 'Recover' },
          { ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'Failed' },
        ],
      }),
      Recover: { Type: 'Pass', Next: 'Done' },
      Failed: { Type: 'Fail', Error: 'Boom', Cause: 'it broke' },
      Done: { Type: 'Succeed' },
    },
  },

  'Task with *Path timeouts': {
    StartAt: 'T',
    States: { T: task(null, { TimeoutSecondsPath: '$.timeout', HeartbeatSecondsPath: '$.heartbeat' }) },
  },

  'Choice with every kind of rule': {
    StartAt: 'Pick',
    States: {
      Pick: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.s', StringEquals: 'a', Next: 'A' },
          { Variable: '$.s', StringMatches: 'log-*.txt', Next: 'A' },
          { Variable: '$.n', NumericGreaterThanEquals: 1.5, Next: 'A' },
          { Variable: '$.n', NumericLessThanPath: '$.limit', Next: 'A' },
          { Variable: '$.b', BooleanEquals: false, Next: 'A' },
          { Variable: '$.t', TimestampLessThan: '2024-02-29T23:59:60Z', Next: 'A' },
          { Variable: '$.t', TimestampEqualsPath: '$$.Execution.StartTime', Next: 'A' },
          { Variable: '$.maybe', IsPresent: true, Next: 'A' },
          { And: [{ Variable: '$.x', IsNumeric: true }, { Not: { Variable: '$.x', NumericEquals: 0 } }], Next: 'B', Comment: 'non-zero' },
          { Or: [{ Variable: '$.y', IsNull: true }, { Variable: '$.y', IsString: false }], Next: 'B', Assign: { 'seen.$': '$.y' } },
        ],
        Default: 'B',
      },
      A: { Type: 'Succeed' },
      B: { Type: 'Succeed' },
    },
  },

  'Wait in its four forms': {
    StartAt: 'W1',
    States: {
      W1: { Type: 'Wait', Seconds: 0, Next: 'W2' },
      W2: { Type: 'Wait', SecondsPath: '$.delay', Next: 'W3' },
      W3: { Type: 'Wait', Timestamp: '2030-01-01T00:00:00.123+02:00', Next: 'W4' },
      W4: { Type: 'Wait', TimestampPath: '$.when', End: true },
    },
  },

  'Fail with paths and intrinsics': {
    StartAt: 'F',
    States: { F: { Type: 'Fail', ErrorPath: '$.error', CausePath: "States.Format('failed: {}', $.reason)" } },
  },

  'nested Parallel': {
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'L', States: { L: { Type: 'Pass', End: true } } },
          {
            Comment: 'inner fan-out',
            StartAt: 'Inner',
            States: {
              Inner: { Type: 'Parallel', Branches: [{ StartAt: 'Deep', States: { Deep: { Type: 'Succeed' } } }], Next: 'R' },
              R: { Type: 'Pass', End: true },
            },
          },
        ],
        ResultSelector: { 'left.$': '$[0]' },
        ResultPath: '$.fan',
        Catch: [{ ErrorEquals: ['States.BranchFailed'], Next: 'Oops' }],
        Next: 'End',
      },
      Oops: { Type: 'Fail' },
      End: { Type: 'Succeed' },
    },
  },

  'inline Map with ItemProcessor and ItemSelector': {
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemSelector: { 'item.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
        MaxConcurrency: 0,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Work',
          States: { Work: task(null) },
        },
        ResultPath: '$.results',
        End: true,
      },
    },
  },

  'legacy Map with Iterator and Parameters': {
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        Iterator: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        Parameters: { 'value.$': '$$.Map.Item.Value' },
        MaxConcurrencyPath: '$.concurrency',
        End: true,
      },
    },
  },

  'distributed Map': {
    StartAt: 'Big',
    States: {
      Big: {
        Type: 'Map',
        Label: 'BigRun',
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW', MaxItems: 100 }, Parameters: { Bucket: 'b', 'Key.$': '$.key' } },
        ItemBatcher: { MaxItemsPerBatch: 10, MaxInputBytesPerBatch: 1024, BatchInput: { 'factor.$': '$.factor' } },
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', Prefix: 'runs' } },
        ToleratedFailurePercentage: 12.5,
        ToleratedFailureCountPath: '$.maxFailures',
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Work', States: { Work: task(null) } },
        End: true,
      },
    },
  },

  'JSONata machine': {
    QueryLanguage: 'JSONata',
    StartAt: 'Start',
    States: {
      Start: {
        Type: 'Pass',
        Assign: { total: '{% $sum($states.input.prices) %}', names: ['{% $states.input.a %}', 'literal'] },
        Output: { count: '{% $count($states.input.prices) %}' },
        Next: 'Call',
      },
      Call: task('Decide', {
        Arguments: { FunctionName: 'f', Payload: '{% $states.input %}' },
        Output: '{% $states.result.Payload %}',
        TimeoutSeconds: '{% $states.input.timeout %}',
        Retry: [{ ErrorEquals: ['States.ALL'], BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Output: { error: '{% $states.errorOutput %}' }, Assign: { failed: true }, Next: 'Failed' }],
      }),
      Decide: {
        Type: 'Choice',
        Choices: [
          { Condition: '{% $total > 100 %}', Next: 'Wait', Output: { big: true } },
          { Condition: true, Next: 'Done', Assign: { small: true } },
        ],
        Default: 'Done',
      },
      Wait: { Type: 'Wait', Seconds: '{% $states.input.delay %}', Next: 'Done' },
      Failed: { Type: 'Fail', Error: '{% "Failed" & $string($total) %}', Cause: 'see logs' },
      Done: { Type: 'Succeed', Output: '{% $states.input %}' },
    },
  },

  'JSONata Map and Parallel': {
    QueryLanguage: 'JSONata',
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        Items: '{% $states.input.items %}',
        ItemSelector: { value: '{% $states.context.Map.Item.Value %}' },
        MaxConcurrency: '{% $states.input.concurrency %}',
        ItemProcessor: { StartAt: 'Double', States: { Double: { Type: 'Pass', Output: '{% $states.input.value * 2 %}', End: true } } },
        Next: 'Both',
      },
      Both: {
        Type: 'Parallel',
        Arguments: '{% $states.input %}',
        Branches: [{ StartAt: 'B1', States: { B1: { Type: 'Wait', Timestamp: '2030-01-01T00:00:00Z', End: true } } }],
        End: true,
      },
    },
  },

  'JSONPath machine with a JSONata state': {
    StartAt: 'Old',
    States: {
      Old: { Type: 'Pass', Parameters: { 'v.$': '$.v' }, Next: 'New' },
      // Outside {% %} nothing is evaluated, so a ".$" key is plain data in JSONata.
      New: { Type: 'Pass', QueryLanguage: 'JSONata', Output: { doubled: '{% $states.input.v * 2 %}', 'kept.$': '$.v' }, End: true },
    },
  },

  'JSONPath variables': {
    StartAt: 'Set',
    States: {
      Set: { Type: 'Pass', Assign: { customerName: 'María', 'total.$': '$.total', 'copy.$': '$previous.value' }, Next: 'Use' },
      Use: {
        Type: 'Choice',
        Choices: [{ Variable: '$customerName', StringEquals: 'María', Next: 'Done' }],
        Default: 'Done',
      },
      Done: { Type: 'Pass', Parameters: { 'name.$': '$customerName', 'uuid.$': 'States.UUID()' }, End: true },
    },
  },

  'a loop back to an earlier state': {
    StartAt: 'Poll',
    States: {
      Poll: task('Check'),
      Check: { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Finished' }], Default: 'Sleep' },
      Sleep: { Type: 'Wait', Seconds: 5, Next: 'Poll' },
      Finished: { Type: 'Succeed' },
    },
  },

  'state names with spaces, dots and 80 characters': {
    StartAt: 'Step one.a',
    States: { 'Step one.a': { Type: 'Pass', Next: 'x'.repeat(80) }, ['x'.repeat(80)]: { Type: 'Succeed' } },
  },

  'Choice with a top-level Not and state-level Assign': {
    StartAt: 'C',
    States: {
      C: {
        Type: 'Choice',
        InputPath: '$.order',
        Assign: { 'visited.$': '$$.State.Name' },
        Choices: [{ Not: { Variable: '$.status', StringEquals: 'cancelled' }, Next: 'Ship' }],
        Default: 'Cancelled',
      },
      Ship: task(null, { ResultPath: null }),
      Cancelled: { Type: 'Fail', Error: 'Order.Cancelled' },
    },
  },

  'JSONata Task with a JSONata Retry, Catch and Credentials': {
    QueryLanguage: 'JSONata',
    StartAt: 'T',
    States: {
      T: task(null, {
        Arguments: '{% {"id": $states.input.id} %}',
        Credentials: { RoleArn: '{% $states.input.role %}' },
        HeartbeatSeconds: 10,
        TimeoutSeconds: 20,
        Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'TooSlow' }],
      }),
      TooSlow: { Type: 'Fail', Cause: '{% "took longer than " & 20 & "s" %}' },
    },
  },

  'the longest timers AWS takes: 99,999,999 s': {
    StartAt: 'W',
    TimeoutSeconds: 99_999_999,
    States: {
      W: { Type: 'Wait', Seconds: 99_999_999, Next: 'T' },
      T: task(null, { TimeoutSeconds: 99_999_999, HeartbeatSeconds: 99_999_998, Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 99_999_999, MaxDelaySeconds: 99_999_999, MaxAttempts: 99_999_999 }] }),
    },
  },

  'state reached only through a Catch': {
    StartAt: 'T',
    States: { T: task(null, { Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Handler' }] }), Handler: { Type: 'Fail', Error: 'E' } },
  },
};

describe('valid definitions', () => {
  for (const [name, def] of Object.entries(VALID)) {
    it(name, () => {
      expect(validateDefinition(def).map(formatProblem)).toEqual([]);
    });
  }

  it('a YAML definition', () => {
    const def = parseDefinition(`
Comment: YAML works too
StartAt: Hello
States:
  Hello:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke
    Parameters:
      FunctionName: hello
      Payload.$: $
    Retry:
      - ErrorEquals: [States.ALL]
        IntervalSeconds: 1
    Next: Done
  Done:
    Type: Succeed
`);
    expect(validateDefinition(def).map(formatProblem)).toEqual([]);
  });
});
