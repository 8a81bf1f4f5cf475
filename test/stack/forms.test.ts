/*
 * Form fields and the input a submission makes.
 */
import { describe, expect, it } from 'vitest';
import { checkFields, renderSubmission, type FormSpec } from '../../src/stack/forms.js';

const form: FormSpec = {
  stateMachine: 'M',
  fields: {
    ProjectNo: { type: 'string', required: true, pattern: '^[A-Z][0-9]+$', max: 6 },
    Note: { type: 'string', min: 2 },
    SPLIT_NUM: { type: 'integer', min: 10000, max: 500000, default: 30000 },
    Verbose: { type: 'boolean', default: false },
  },
  input: { TaskInfo: { ProjectNo: '${ProjectNo}', OUTPUT_KEY: 'result/${ProjectNo}/out', SPLIT_NUM: '${SPLIT_NUM}', Verbose: '${Verbose}' }, Fixed: 3 },
};

describe('renderSubmission', () => {
  it('fills the template with the values as text, defaults where none is given', () => {
    expect(renderSubmission(form, { ProjectNo: 'P1' })).toEqual({ input: { TaskInfo: { ProjectNo: 'P1', OUTPUT_KEY: 'result/P1/out', SPLIT_NUM: '30000', Verbose: 'false' }, Fixed: 3 } });
    expect(renderSubmission(form, { ProjectNo: 'P2', SPLIT_NUM: '10000', Verbose: true })).toEqual({ input: { TaskInfo: { ProjectNo: 'P2', OUTPUT_KEY: 'result/P2/out', SPLIT_NUM: '10000', Verbose: 'true' }, Fixed: 3 } });
  });

  it.each([
    [{}, { ProjectNo: 'is required' }],
    [{ ProjectNo: 'p1' }, { ProjectNo: 'must match ^[A-Z][0-9]+$' }],
    [{ ProjectNo: 'P1', SPLIT_NUM: 5 }, { SPLIT_NUM: 'must be at least 10000' }],
    [{ ProjectNo: 'P1', SPLIT_NUM: '600000' }, { SPLIT_NUM: 'must be at most 500000' }],
    [{ ProjectNo: 'P1', SPLIT_NUM: '1e4.5' }, { SPLIT_NUM: 'must be an integer' }],
    [{ ProjectNo: 'P1', SPLIT_NUM: 10000.5 }, { SPLIT_NUM: 'must be an integer' }],
    [{ ProjectNo: 'P1', Verbose: 'yes' }, { Verbose: 'must be true or false' }],
    [{ ProjectNo: 7, Typo: 'x' }, { ProjectNo: 'must be text', Typo: 'is not a field of this form' }],
    // Text: min and max bound its length in characters (an emoji is one).
    [{ ProjectNo: 'P123456' }, { ProjectNo: 'must be at most 6 characters' }],
    [{ ProjectNo: 'P1', Note: 'x' }, { Note: 'must be at least 2 characters' }],
    [{ ProjectNo: 'P1', Note: '\u{1F600}' }, { Note: 'must be at least 2 characters' }],
  ])('%j -> %j', (values, errors) => {
    expect(renderSubmission(form, values)).toEqual({ errors });
  });
});

describe('checkFields', () => {
  it('reports every bad field', () => {
    expect(checkFields({ a: { type: 'string', pattern: '(' }, 'b c': { type: 'integer', default: 'x' }, d: 3 }).map((p) => `${p.path.join('.')}: ${p.message}`)).toEqual([
      expect.stringMatching(/^a\.pattern: is not a regular expression/),
      'b c: a field name must be 1 to 64 letters, digits or "_"',
      'b c.default: must be an integer',
      'd: must be a mapping (type, required, pattern, min, max, default)',
    ]);
  });
});
