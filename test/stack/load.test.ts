/*
 * Reading a stack file on the client: every problem at once, each located in the file
 * (file:line:column path: message), files inlined relative to the stack file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStack } from '../../src/stack/load.js';
import { validateStack } from '../../src/stack/validate.js';
import { formatPath } from '../../src/stack/types.js';

const dir = mkdtempSync(join(tmpdir(), 'skybatch-stack-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('loadStack', () => {
  it('inlines function code, state machine definitions and job scripts, relative to the stack file', () => {
    write('ok/fn.mjs', 'export const handler = async () => 1;\n');
    write('ok/sm.yaml', 'StartAt: A\nStates:\n  A: { Type: Pass, End: true }\n');
    write('ok/job.sh', 'echo hello\n');
    const file = write('ok/stack.yaml', ['name: ok', 'functions:', '  F: { file: fn.mjs }', 'stateMachines:', '  M: { file: sm.yaml }', 'jobDefinitions:', '  J: { script: job.sh }', 'topics:', '  T:', '    subscriptions: [{ protocol: file, endpoint: out.jsonl }]', ''].join('\n'));
    const loaded = loadStack(file);
    if ('problems' in loaded) throw new Error(loaded.problems.join('\n'));
    const value = loaded.stack.value as Record<string, Record<string, Record<string, unknown>>>;
    expect(value.functions?.F?.code).toBe('export const handler = async () => 1;\n');
    expect(value.stateMachines?.M?.definition).toEqual({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
    expect(value.jobDefinitions?.J).toEqual({ command: 'echo hello\n' });
    expect(value.topics?.T?.subscriptions).toEqual([{ protocol: 'file', endpoint: join(dir, 'ok', 'out.jsonl') }]);
  });

  it('reports five different mistakes at once, each with its line, column and path', () => {
    const file = write(
      'bad/stack.yaml',
      [
        'name: bad', //                                         1
        'jobDefinitions:', //                                   2
        '  Split:', //                                          3
        '    vcpus: 1', //                                      4
        'functions:', //                                        5
        '  Job_Map:', //                                        6
        '    file: missing.mjs', //                             7
        'buckets:', //                                          8
        '  data:', //                                           9
        '    lifecycle:', //                                   10
        '      - id: old', //                                  11
        '        transitions: [{ days: 30, storageClass: COLD }]', // 12
        'stateMachines:', //                                   13
        '  M:', //                                             14
        '    definition:', //                                  15
        '      StartAt: A', //                                 16
        '      States:', //                                    17
        '        A: { Type: Wait, End: true }', //             18
        'queues: {}', //                                       19
        '',
      ].join('\n'),
    );
    const loaded = loadStack(file);
    expect('problems' in loaded).toBe(true);
    const problems = 'problems' in loaded ? loaded.problems : [];
    expect(problems, problems.join('\n')).toHaveLength(5);
    // In file order.
    expect(problems.map((p) => Number(p.split(':')[1]))).toEqual([3, 7, 12, 18, 19]);
    expect(problems).toContainEqual(expect.stringMatching(/^stack\.yaml:3:3 jobDefinitions\.Split\.command: is required/));
    expect(problems).toContainEqual(expect.stringMatching(/^stack\.yaml:7:5 functions\.Job_Map\.file: file not found: .*missing\.mjs$/));
    expect(problems).toContainEqual(expect.stringMatching(/^stack\.yaml:12:\d+ buckets\.data\.lifecycle\[0\]\.transitions\[0\]\.storageClass: "COLD" must be one of/));
    expect(problems).toContainEqual(expect.stringMatching(/^stack\.yaml:18:9 stateMachines\.M\.definition\.States\.A\.Seconds: missing: a Wait state needs/));
    expect(problems).toContainEqual(expect.stringMatching(/^stack\.yaml:19:1 queues: unknown field/));
  });

  it('reports a missing file once, and the other mistakes of the same resource too', () => {
    const file = write('both/stack.yaml', 'name: both\nfunctions:\n  F: { file: gone.mjs, timeoutSeconds: 0 }\njobDefinitions:\n  J: { script: gone.sh, vcpus: -1 }\n');
    const loaded = loadStack(file);
    expect('problems' in loaded && loaded.problems).toEqual([
      expect.stringMatching(/^stack\.yaml:3:8 functions\.F\.file: file not found: .*gone\.mjs$/),
      'stack.yaml:3:24 functions.F.timeoutSeconds: must be an integer from 1 to 900',
      expect.stringMatching(/^stack\.yaml:5:8 jobDefinitions\.J\.script: file not found: .*gone\.sh$/),
      'stack.yaml:5:25 jobDefinitions.J.vcpus: must be 0.25, 0.5 or a whole number of at least 1, not -1',
    ]);
  });

  it('takes state machines named in any script, and refuses markup in their names', () => {
    const file = write('intl/stack.yaml', 'name: intl\nstateMachines:\n  ステートマシン-1: { definition: { StartAt: A, States: { A: { Type: Pass, End: true } } } }\n  "<b>": { definition: { StartAt: A, States: { A: { Type: Pass, End: true } } } }\n');
    const loaded = loadStack(file);
    expect('problems' in loaded && loaded.problems).toEqual([expect.stringMatching(/^stack\.yaml:4:3 stateMachines\.<b>: name "<b>" must be 1 to 80 letters or digits of any script, "-" or "_"$/)]);
  });

  it('checks vCPUs and memory as jobs submit does', () => {
    const file = write('sizes/stack.yaml', 'name: sizes\njobDefinitions:\n  J: { command: "true", vcpus: 1.0e-300, memory: 3 }\n  K: { command: "true", vcpus: 0.25, memory: 4 }\n');
    const loaded = loadStack(file);
    expect('problems' in loaded && loaded.problems).toEqual([
      'stack.yaml:3:25 jobDefinitions.J.vcpus: must be 0.25, 0.5 or a whole number of at least 1, not 1e-300',
      'stack.yaml:3:42 jobDefinitions.J.memory: must be a whole number of MiB, at least 4, not 3',
    ]);
  });

  it('reports YAML syntax errors with their position, and an unreadable file', () => {
    const file = write('syntax/stack.yaml', 'name: x\nfunctions:\n  F: { file: a.mjs\n');
    const loaded = loadStack(file);
    expect('problems' in loaded && loaded.problems[0]).toMatch(/^stack\.yaml:\d+:\d+ /);
    const missing = loadStack(join(dir, 'nope.yaml'));
    expect('problems' in missing && missing.problems).toEqual([`${join(dir, 'nope.yaml')}: cannot read the stack file (ENOENT)`]);
  });
});

describe('validateStack', () => {
  const cases: { name: string; stack: unknown; problems: string[] }[] = [
    { name: 'not a mapping', stack: ['x'], problems: ['(root): a stack must be a mapping'] },
    { name: 'no name', stack: {}, problems: ['name: is required'] },
    { name: 'bad bucket name', stack: { name: 's', buckets: { Data_1: null } }, problems: ['buckets.Data_1: bucket name "Data_1" must be 3 to 63 lower-case letters, digits, "." or "-"'] },
    { name: 'queue on an undeclared environment', stack: { name: 's', jobQueues: { q: { computeEnvironments: ['gpu'] } } }, problems: ['jobQueues.q.computeEnvironments[0]: compute environment "gpu" is not declared in this stack'] },
    { name: 'form of an undeclared machine', stack: { name: 's', forms: { f: { stateMachine: 'M', fields: {}, input: {} } } }, problems: ['forms.f.stateMachine: state machine "M" is not declared in this stack'] },
    { name: 'bad subscription protocol', stack: { name: 's', topics: { t: { subscriptions: [{ protocol: 'sms', endpoint: '+1' }] } } }, problems: ['topics.t.subscriptions[0].protocol: "sms" must be one of: email, webhook, file'] },
    { name: 'trigger with a bad target', stack: { name: 's', buckets: { data: { notifications: [{ events: ['s3:ObjectCreated:*'], target: 'nowhere' }] } } }, problems: ['buckets.data.notifications[0].target: "nowhere" must be a states, batch, lambda or sns ARN'] },
    { name: 'function without code', stack: { name: 's', functions: { f: {} } }, problems: ['functions.f.code: is required (or file)'] },
    { name: 'a file the client did not read', stack: { name: 's', functions: { f: { file: 'f.mjs' } } }, problems: ['functions.f.file: was not read: send its content as "code" (skybatch apply does)'] },
    { name: 'a script the client did not read', stack: { name: 's', jobDefinitions: { j: { script: 'j.sh' } } }, problems: ['jobDefinitions.j.script: was not read: send its content as "command" (skybatch apply does)'] },
    { name: 'form field of an unknown type', stack: { name: 's', stateMachines: { M: { definition: { StartAt: 'A', States: { A: { Type: 'Succeed' } } } } }, forms: { f: { stateMachine: 'M', fields: { n: { type: 'date' } }, input: {} } } }, problems: ['forms.f.fields.n.type: must be one of: string, integer, number, boolean'] },
  ];
  it.each(cases)('$name', ({ stack, problems }) => {
    expect(validateStack(stack).problems.map((p) => `${formatPath(p.path)}: ${p.message}`)).toEqual(problems);
  });
});
